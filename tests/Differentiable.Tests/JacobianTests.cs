using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>
/// {M}Jacobian: against central finite differences, rows against {M}Vjp with unit cotangents, columns against {M}Jvp with
/// unit tangents (and the widened Jvp's lanes against single sweeps); the arguments and the result as one call leaves
/// them; caller storage of the wrong length refused before any work.
/// </summary>
public class JacobianTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(64)]
    public void Bratu_ByWidenedColumns_IsTheTridiagonalJacobian_AndMatchesFiniteDifferences(int n)
    {
        double[] u = Enumerable.Range(0, n).Select(i => Math.Sin(0.3 * i)).ToArray();
        double lambda = 1.5, h = 1.0 / (n + 1);
        Assert.True(HasWidened(typeof(Jacobians), "BratuJvp"));
        double[,] jacobian = Jacobians.BratuJacobian(u, lambda);

        Assert.Equal(n, jacobian.GetLength(0));
        Assert.Equal(n, jacobian.GetLength(1));
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double expected = i == j ? 2 / (h * h) - lambda * Math.Exp(u[i]) : Math.Abs(i - j) == 1 ? -1 / (h * h) : 0;
                Assert.Equal(expected, jacobian[i, j], 1e-9 * Math.Max(1, Math.Abs(expected)));
            }
        }

        AssertClose(FiniteDifferences.Jacobian(x => Jacobians.Bratu(x, lambda), u, 1e-5), jacobian, 1e-4);
        AssertColumnsAreJvps(jacobian, u, (x, dx) => Jacobians.BratuJvp(x, lambda, dx).Tangent);
        AssertRowsAreVjps(jacobian, u, (x, dy, dx) => Jacobians.BratuVjp(x, lambda, dy, dx));
    }

    [Fact]
    public void Bratu_WidenedJvp_CarriesFourDirectionsAsFourSingleSweepsDo()
    {
        var random = new Random(7);
        int n = 11;
        double[] u = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var directions = new System.Runtime.Intrinsics.Vector256<double>[n];
        var lanes = new double[4][];
        for (int lane = 0; lane < 4; lane++)
        {
            lanes[lane] = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        }

        for (int i = 0; i < n; i++)
        {
            directions[i] = System.Runtime.Intrinsics.Vector256.Create(lanes[0][i], lanes[1][i], lanes[2][i], lanes[3][i]);
        }

        var (value, tangent) = Jacobians.BratuJvp(u, 0.8, directions);
        Assert.Equal(Jacobians.Bratu(u, 0.8), value);
        for (int lane = 0; lane < 4; lane++)
        {
            double[] single = Jacobians.BratuJvp(u, 0.8, lanes[lane]).Tangent;
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(single[i], tangent[i][lane], 1e-12 * Math.Max(1, Math.Abs(single[i])));
            }
        }
    }

    [Fact]
    public void NeighbourProducts_WidenedVjp_CarriesFourCotangentsAsFourSingleSweepsDo()
    {
        var random = new Random(11);
        int n = 9;
        double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var cotangents = new double[4][];
        for (int lane = 0; lane < 4; lane++)
        {
            cotangents[lane] = Enumerable.Range(0, n - 1).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        }

        var dResult = new System.Runtime.Intrinsics.Vector256<double>[n - 1];
        for (int i = 0; i < n - 1; i++)
        {
            dResult[i] = System.Runtime.Intrinsics.Vector256.Create(cotangents[0][i], cotangents[1][i], cotangents[2][i], cotangents[3][i]);
        }

        var dx = new System.Runtime.Intrinsics.Vector256<double>[n];
        double[] value = Jacobians.NeighbourProductsVjp(x, dResult, dx);
        Assert.Equal(Jacobians.NeighbourProducts(x), value);
        for (int lane = 0; lane < 4; lane++)
        {
            var single = new double[n];
            Jacobians.NeighbourProductsVjp(x, cotangents[lane], single);
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(single[j], dx[j][lane], 1e-12);
            }
        }
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.0, 1.5)]
    [InlineData(2.0, 0.0)]
    [InlineData(1.3, -0.4)]
    public void PowAndProduct_WidenedColumns_KeepPowTermsExactLaneByLane(double x, double y)
    {
        double[,] jacobian = Jacobians.PowAndProductJacobian(x, y, out double power, out double product);

        Assert.Equal(Math.Pow(x, y), power);
        Assert.Equal(x * y, product);
        for (int j = 0; j < 2; j++)
        {
            Jacobians.PowAndProductJvp(x, y, out _, out _, j == 0 ? 1 : 0, j == 1 ? 1 : 0, out double dPower, out double dProduct);
            Assert.Equal(dPower, jacobian[0, j]);
            Assert.Equal(dProduct, jacobian[1, j]);
            Assert.False(double.IsNaN(jacobian[0, j]), $"column {j} of Pow at ({x}, {y}) is NaN");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(21)]
    public void PairProducts_Float_WidenedRowsThroughATapeAndABranch_MatchSingleVjps(int n)
    {
        float[] x = Enumerable.Range(0, n).Select(i => i % 5 == 3 ? -0.5f : 0.6f + 0.05f * i).ToArray();
        float[,] jacobian = Jacobians.PairProductsJacobian(x);

        int m = n / 2;
        Assert.Equal(m, jacobian.GetLength(0));
        for (int i = 0; i < m; i++)
        {
            var cotangent = new float[m];
            cotangent[i] = 1;
            var row = new float[n];
            Jacobians.PairProductsVjp(x, cotangent, row);
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(row[j], jacobian[i, j], 1e-5f);
            }
        }
    }

    [Theory]
    [InlineData(2.0, 0.7)]
    [InlineData(0.5, -2.1)]
    public void ToCartesian_OutParameters_AreTheRows(double r, double theta)
    {
        double[,] jacobian = Jacobians.ToCartesianJacobian(r, theta, out double x, out double y);

        Jacobians.ToCartesian(r, theta, out double expectedX, out double expectedY);
        Assert.Equal(expectedX, x);
        Assert.Equal(expectedY, y);
        double[,] expected = { { Math.Cos(theta), -r * Math.Sin(theta) }, { Math.Sin(theta), r * Math.Cos(theta) } };
        AssertClose(expected, jacobian, 1e-14);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(13)]
    public void NeighbourProducts_ByRows_MatchesFiniteDifferencesAndVjps(int n)
    {
        double[] x = Enumerable.Range(0, n).Select(i => 0.2 + 0.37 * i).ToArray();
        double[,] jacobian = Jacobians.NeighbourProductsJacobian(x);

        Assert.Equal(n - 1, jacobian.GetLength(0));
        Assert.Equal(n, jacobian.GetLength(1));
        AssertClose(FiniteDifferences.Jacobian(Jacobians.NeighbourProducts, x), jacobian, 1e-7);
        AssertRowsAreVjps(jacobian, x, (p, dy, dx) => Jacobians.NeighbourProductsVjp(p, dy, dx));
        AssertColumnsAreJvps(jacobian, x, (p, dx) => Jacobians.NeighbourProductsJvp(p, dx).Tangent);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(10)]
    public void SmoothInPlace_WrittenSpan_IsInputAndOutput_AndEndsAsOneCallLeavesIt(int n)
    {
        double[] initial = Enumerable.Range(0, n).Select(i => 0.5 + 0.1 * i * i).ToArray();
        double weight = 0.3;
        double[] a = (double[])initial.Clone();
        var storage = new double[(1 + n) * (n + 1)];
        double value = Jacobians.SmoothInPlaceJacobian(a, weight, storage);

        double[] once = (double[])initial.Clone();
        Assert.Equal(Jacobians.SmoothInPlace(once, weight), value);
        Assert.Equal(once, a);

        // Outputs: the result, then a's final contents; inputs: a's initial contents, then the weight.
        double[] Flat(double[] p)
        {
            double[] copy = p[..n];
            double sum = Jacobians.SmoothInPlace(copy, p[n]);
            return [sum, .. copy];
        }

        double[] point = [.. initial, weight];
        double[,] expected = FiniteDifferences.Jacobian(Flat, point);
        for (int i = 0; i <= n; i++)
        {
            for (int j = 0; j <= n; j++)
            {
                Assert.Equal(expected[i, j], storage[i * (n + 1) + j], 1e-7);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void Expand_Float_MoreOutputsThanInputs_UsesColumns(int n)
    {
        float[] x = Enumerable.Range(0, n).Select(i => 0.1f * i - 0.2f).ToArray();
        float scale = 1.7f;
        float[,] jacobian = Jacobians.ExpandJacobian(x, scale);

        Assert.Equal(2 * n, jacobian.GetLength(0));
        Assert.Equal(n + 1, jacobian.GetLength(1));
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(i == j ? scale * MathF.Exp(x[i]) : 0f, jacobian[2 * i, j], 1e-5f);
                Assert.Equal(i == j ? 2 * x[i] / scale : 0f, jacobian[2 * i + 1, j], 1e-5f);
            }

            Assert.Equal(MathF.Exp(x[i]), jacobian[2 * i, n], 1e-5f);
            Assert.Equal(-x[i] * x[i] / (scale * scale), jacobian[2 * i + 1, n], 1e-5f);
        }
    }

    [Fact]
    public void Rosenbrock_ScalarResult_IsTheGradientAsOneRow()
    {
        double[] x = [-1.2, 1.0, 0.4, 2.0];
        double[,] jacobian = SecondOrder.RosenbrockJacobian(x);
        var gradient = new double[x.Length];
        SecondOrder.RosenbrockGradient(x, gradient);

        Assert.Equal(1, jacobian.GetLength(0));
        for (int j = 0; j < x.Length; j++)
        {
            Assert.Equal(gradient[j], jacobian[0, j]);
        }
    }

    [Fact]
    public void Relax_RefAndOut_AreRowsAndColumns_AndTheRefEndsAsOneCallLeavesIt()
    {
        double state = 0.9, rate = 0.4;
        double[,] jacobian = OutRef.RelaxJacobian(ref state, rate, 5, out double change);

        double once = 0.9;
        OutRef.Relax(ref once, rate, 5, out double expectedChange);
        Assert.Equal(once, state);
        Assert.Equal(expectedChange, change);
        double[] Flat(double[] p)
        {
            double s = p[0];
            OutRef.Relax(ref s, p[1], 5, out double c);
            return [s, c];
        }

        AssertClose(FiniteDifferences.Jacobian(Flat, [0.9, rate]), jacobian, 1e-8);
    }

    [Theory]
    [InlineData(0.4, 0.3, 0.2)]
    [InlineData(-1.1, 0.05, 0.7)]
    public void Step_RefAndOut_ByWidenedRows_MatchFiniteDifferences_AndTheRefEndsAsOneCallLeavesIt(double x0, double a, double b)
    {
        Assert.True(HasWidened(typeof(Jacobians), "StepVjp"));
        double x = x0;
        double[,] jacobian = Jacobians.StepJacobian(ref x, a, b, out double energy);

        double once = x0;
        Jacobians.Step(ref once, a, b, out double expectedEnergy);
        Assert.Equal(once, x);
        Assert.Equal(expectedEnergy, energy);
        double[] Flat(double[] p)
        {
            double s = p[0];
            Jacobians.Step(ref s, p[1], p[2], out double e);
            return [s, e];
        }

        AssertClose(FiniteDifferences.Jacobian(Flat, [x0, a, b]), jacobian, 1e-7);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void RepeatedInPlace_CalleeNotInlined_TakesColumnsOneJvpAtATime(int n)
    {
        // SquareHalf allocates, so it is not inlined: no widened sweep, single Jvps by columns (m = n + 1 > n).
        Assert.False(HasWidened(typeof(Arrays), "RepeatedInPlaceJvp"));
        double[] initial = Enumerable.Range(0, n).Select(i => 0.3 + 0.2 * i).ToArray();
        double[] a = (double[])initial.Clone();
        var storage = new double[(n + 1) * n];
        double value = Arrays.RepeatedInPlaceJacobian(a, 2, storage);

        double[] once = (double[])initial.Clone();
        Assert.Equal(Arrays.RepeatedInPlace(once, 2), value);
        Assert.Equal(once, a);
        double[] Flat(double[] p)
        {
            double[] copy = (double[])p.Clone();
            double s = Arrays.RepeatedInPlace(copy, 2);
            return [s, .. copy];
        }

        double[,] expected = FiniteDifferences.Jacobian(Flat, initial);
        for (int i = 0; i <= n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(expected[i, j], storage[i * n + j], 1e-6);
            }
        }
    }

    [Fact]
    public void HelperTwiceThenWrite_CalleeCalled_TakesRowsOneVjpAtATime()
    {
        // Rows (m = 1 + 4 < n = 2 + 4) by single Vjps: the helper calls stay calls after inlining, so there is no widened sweep.
        Assert.False(HasWidened(typeof(Arrays), "HelperTwiceThenWriteVjp"));
        double[] initial = [0.3, -0.2, 0.5, 0.9];
        double[] a = (double[])initial.Clone();
        double[,] jacobian = Arrays.HelperTwiceThenWriteJacobian(0.7, 1.1, a);

        double[] once = (double[])initial.Clone();
        Arrays.HelperTwiceThenWrite(0.7, 1.1, once);
        Assert.Equal(once, a);
        double[] Flat(double[] p)
        {
            double[] copy = p[2..];
            double s = Arrays.HelperTwiceThenWrite(p[0], p[1], copy);
            return [s, .. copy];
        }

        AssertClose(FiniteDifferences.Jacobian(Flat, [0.7, 1.1, .. initial]), jacobian, 1e-7);
    }

    [Fact]
    public void WrongStorageLength_Throws_NamingBothLengths_BeforeAnyWork()
    {
        double[] a = [1.0, 2.0, 3.0];
        var exception = Assert.Throws<ArgumentException>(() => Jacobians.SmoothInPlaceJacobian(a, 0.5, new double[10]));
        Assert.Contains("10", exception.Message);
        Assert.Contains("16", exception.Message);
        Assert.Equal([1.0, 2.0, 3.0], a);
        Assert.Throws<ArgumentNullException>(() => Jacobians.BratuJacobian(null!, 1.0));
    }

    [Fact]
    public void EmptyArray_GivesAnEmptyJacobian_AndStillRunsTheMethod()
    {
        double[,] jacobian = Jacobians.BratuJacobian([], 1.0);
        Assert.Empty(jacobian);
    }

    /// <summary>True when <paramref name="name"/> has an overload with <c>Vector256</c> derivatives.</summary>
    private static bool HasWidened(Type type, string name) => type.GetMethods().Any(m => m.Name == name && m.GetParameters().Any(p =>
        (p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType) is { } t
        && (t.Name.StartsWith("Vector256", StringComparison.Ordinal) || t.GenericTypeArguments.Any(g => g.Name.StartsWith("Vector256", StringComparison.Ordinal)))));

    private static void AssertColumnsAreJvps(double[,] jacobian, double[] x, Func<double[], double[], double[]> jvp)
    {
        for (int j = 0; j < x.Length; j++)
        {
            var direction = new double[x.Length];
            direction[j] = 1;
            double[] column = jvp(x, direction);
            for (int i = 0; i < column.Length; i++)
            {
                Assert.Equal(column[i], jacobian[i, j], 1e-12 * Math.Max(1, Math.Abs(column[i])));
            }
        }
    }

    private static void AssertRowsAreVjps(double[,] jacobian, double[] x, Action<double[], double[], double[]> vjp)
    {
        int m = jacobian.GetLength(0);
        for (int i = 0; i < m; i++)
        {
            var cotangent = new double[m];
            cotangent[i] = 1;
            var row = new double[x.Length];
            vjp(x, cotangent, row);
            for (int j = 0; j < x.Length; j++)
            {
                Assert.Equal(row[j], jacobian[i, j], 1e-12 * Math.Max(1, Math.Abs(row[j])));
            }
        }
    }

    private static void AssertClose(double[,] expected, double[,] actual, double tolerance)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
        {
            for (int j = 0; j < expected.GetLength(1); j++)
            {
                Assert.True(
                    Math.Abs(expected[i, j] - actual[i, j]) <= tolerance * Math.Max(1, Math.Abs(expected[i, j])),
                    $"[{i}, {j}]: expected {expected[i, j]}, got {actual[i, j]}");
            }
        }
    }
}
