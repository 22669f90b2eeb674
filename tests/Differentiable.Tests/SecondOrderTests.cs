using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>
/// [Differentiable(Order = 2)]: {M}Hvp against central finite differences of the generated gradient and against analytic
/// Hessians; {M}Hessian against the same, exactly symmetric, and equal to Hvp along any direction.
/// </summary>
public class SecondOrderTests
{
    [Theory]
    [InlineData(-1.2, 1.0)]
    [InlineData(0.5, -0.3)]
    [InlineData(1.0, 1.0)]
    public void Rosenbrock2_HvpAndHessian_AreTheAnalyticHessian(double x, double y)
    {
        double[,] expected = { { 2 - 400 * (y - x * x) + 800 * x * x, -400 * x }, { -400 * x, 200 } };
        double[] v = [0.7, -1.3];
        double value = SecondOrder.Rosenbrock2Hvp(x, y, v[0], v[1], out double dx, out double dy, out double hx, out double hy);

        Assert.Equal(SecondOrder.Rosenbrock2(x, y), value);
        double gradientValue = SecondOrder.Rosenbrock2Gradient(x, y, out double gx, out double gy);
        Assert.Equal(gradientValue, value);
        Assert.Equal(gx, dx, 12);
        Assert.Equal(gy, dy, 12);
        AssertClose(expected[0, 0] * v[0] + expected[0, 1] * v[1], hx);
        AssertClose(expected[1, 0] * v[0] + expected[1, 1] * v[1], hy);

        double[,] hessian = SecondOrder.Rosenbrock2Hessian(x, y);
        AssertMatrix(expected, hessian);
    }

    [Fact]
    public void AtAMinimum_WhereACotangentIsExactlyZero_TheHessianIsExact()
    {
        // (√x − 2)² at x = 4: the cotangent of √x is 2(√x − 2) = 0, its tangent is not; f'' = 2·(1/(2√x))² = 1/8.
        double value = SecondOrder.RootMissHvp(4, 1, out double gradient, out double hx);
        Assert.Equal(0, value);
        Assert.Equal(0, gradient);
        Assert.Equal(0.125, hx, 15);

        // (x^y − 4)² at (2, 2): H = 2·∇p·∇pᵀ with ∇p = (y·x^(y−1), x^y·ln x) = (4, 4 ln 2).
        double[] p = [4, 4 * Math.Log(2)];
        double[,] expected = { { 2 * p[0] * p[0], 2 * p[0] * p[1] }, { 2 * p[1] * p[0], 2 * p[1] * p[1] } };
        AssertMatrix(expected, SecondOrder.PowerMissHessian(2, 2));
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(5, 2)]
    [InlineData(12, 3)]
    public void Rosenbrock_OnAnArray_MatchesItsAnalyticHessian_AndFiniteDifferencesOfTheGradient(int n, int seed)
    {
        var random = new Random(seed);
        double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] v = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();

        var expected = new double[n, n];
        for (int i = 0; i < n - 1; i++)
        {
            expected[i, i] += 2 + 1200 * x[i] * x[i] - 400 * x[i + 1];
            expected[i + 1, i + 1] += 200;
            expected[i, i + 1] = expected[i + 1, i] = -400 * x[i];
        }

        double[,] hessian = SecondOrder.RosenbrockHessian(x);
        AssertMatrix(expected, hessian);
        AssertSymmetric(hessian);

        double[] dx = new double[n], hv = new double[n];
        double value = SecondOrder.RosenbrockHvp(x, v, dx, hv);
        Assert.Equal(SecondOrder.Rosenbrock(x), value);
        AssertVector(Gradient(x, SecondOrder.RosenbrockGradient), dx, 1e-12);
        AssertVector(HessianTimes(hessian, v), hv, 1e-10);
        AssertVector(FiniteDifferenceOfGradient(x, v, SecondOrder.RosenbrockGradient), hv, 1e-6);
    }

    [Fact]
    public void LogisticRegression_Hessian_IsXTransposeDiagPTimesOneMinusPX()
    {
        var random = new Random(7);
        const int samples = 40, d = 4;
        double[] features = Enumerable.Range(0, samples * d).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] labels = Enumerable.Range(0, samples).Select(_ => random.Next(2) * 1.0).ToArray();
        double[] w = [0.3, -0.8, 1.1, 0.05];

        var expected = new double[d, d];
        for (int i = 0; i < samples; i++)
        {
            double z = 0;
            for (int j = 0; j < d; j++)
            {
                z += features[i * d + j] * w[j];
            }

            double p = 1 / (1 + Math.Exp(-z));
            for (int j = 0; j < d; j++)
            {
                for (int k = 0; k < d; k++)
                {
                    expected[j, k] += features[i * d + j] * p * (1 - p) * features[i * d + k];
                }
            }
        }

        double[,] hessian = SecondOrder.LogisticLossHessian(w, features, labels);
        AssertMatrix(expected, hessian);

        var storage = new double[d * d];
        double value = SecondOrder.LogisticLossHessian(w, features, labels, storage);
        Assert.Equal(SecondOrder.LogisticLoss(w, features, labels), value);
        Assert.Equal(Flatten(hessian), storage);
    }

    [Theory]
    [InlineData(0.7, 0.3, 3)]
    [InlineData(-0.4, 0.9, 8)]
    [InlineData(1.2, -0.5, 0)]
    public void LoopThatOverwritesItsState_HvpMatchesFiniteDifferencesOfTheGradient(double x, double y, int steps)
    {
        double[] weights = Enumerable.Range(0, steps).Select(i => 0.5 + 0.1 * i).ToArray();
        double[] point = [x, y, .. weights];
        var random = new Random(steps);
        double[] v = point.Select(_ => random.NextDouble() * 2 - 1).ToArray();

        double[] dWeights = new double[steps], hWeights = new double[steps];
        SecondOrder.OrbitHvp(x, y, weights, v[0], v[1], v[2..], out double dx, out double dy, dWeights, out double hx, out double hy, hWeights);
        double[] hv = [hx, hy, .. hWeights];

        double[] Grad(double[] p)
        {
            double[] dw = new double[steps];
            SecondOrder.OrbitGradient(p[0], p[1], p[2..], out double gx, out double gy, dw);
            return [gx, gy, .. dw];
        }

        AssertVector(Grad(point), [dx, dy, .. dWeights], 1e-12);
        AssertVector(FiniteDifferenceOfGradient(point, v, Grad), hv, 1e-6);

        double[,] hessian = SecondOrder.OrbitHessian(x, y, weights);
        AssertSymmetric(hessian);
        AssertVector(HessianTimes(hessian, v), hv, 1e-10);
    }

    [Theory]
    [InlineData(100.0, 95.0, 0.03, 0.2, 0.5)]
    [InlineData(80.0, 100.0, 0.01, 0.35, 2.0)]
    public void BlackScholes_GammaThroughTheNormalCdfCallee_IsTheAnalyticGamma(double spot, double strike, double rate, double volatility, double years)
    {
        double d1 = (Math.Log(spot / strike) + (rate + 0.5 * volatility * volatility) * years) / (volatility * Math.Sqrt(years));
        double gamma = Math.Exp(-0.5 * d1 * d1) / Math.Sqrt(2 * Math.PI) / (spot * volatility * Math.Sqrt(years));

        double[,] hessian = SecondOrder.BlackScholesCallHessian(spot, strike, rate, volatility, years);
        AssertClose(gamma, hessian[0, 0], 1e-9, "gamma");
        AssertSymmetric(hessian);

        double[] point = [spot, strike, rate, volatility, years];
        double[] v = [0.3, -0.2, 0.01, 0.05, 0.1];
        SecondOrder.BlackScholesCallHvp(spot, strike, rate, volatility, years, v[0], v[1], v[2], v[3], v[4],
            out _, out _, out _, out _, out _, out double h0, out double h1, out double h2, out double h3, out double h4);
        double[] Grad(double[] p)
        {
            SecondOrder.BlackScholesCallGradient(p[0], p[1], p[2], p[3], p[4], out double g0, out double g1, out double g2, out double g3, out double g4);
            return [g0, g1, g2, g3, g4];
        }

        AssertVector(FiniteDifferenceOfGradient(point, v, Grad), [h0, h1, h2, h3, h4], 1e-6);
        AssertVector(HessianTimes(hessian, v), [h0, h1, h2, h3, h4], 1e-10);
    }

    [Fact]
    public void SecondOrderThroughCalls_IsTheSumOfTheCalleesHessians()
    {
        double[] x = [0.3, -0.7, 1.1, 0.2];
        double[,] expected = SecondOrder.RosenbrockHessian(x);
        for (int i = 0; i < x.Length; i++)
        {
            expected[i, i] += 0.2;
        }

        AssertMatrix(expected, SecondOrder.RegularizedHessian(x));
    }

    [Theory]
    [InlineData(6, 3)]
    [InlineData(9, 1)]
    [InlineData(4, 0)]
    public void LocalArrayOverwrittenInPlace_HvpMatchesFiniteDifferencesOfTheGradient(int n, int passes)
    {
        var random = new Random(n * 10 + passes);
        double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 1.6 - 0.8).ToArray();
        double[] v = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] dx = new double[n], hv = new double[n];
        SecondOrder.SmoothHvp(x, passes, v, dx, hv);

        double[] Grad(double[] p)
        {
            double[] g = new double[n];
            SecondOrder.SmoothGradient(p, passes, g);
            return g;
        }

        AssertVector(Grad(x), dx, 1e-12);
        AssertVector(FiniteDifferenceOfGradient(x, v, Grad), hv, 1e-6);
        double[,] hessian = SecondOrder.SmoothHessian(x, passes);
        AssertSymmetric(hessian);
        AssertVector(HessianTimes(hessian, v), hv, 1e-10);
    }

    [Theory]
    [InlineData(0.7, 0.2, 1.5)]
    [InlineData(-1.1, 0.4, 0.8)]
    public void ThroughAReferencedLibrarysOrder2Method_HvpMatchesFiniteDifferencesOfTheGradient(double x, double mean, double scale)
    {
        double[] point = [x, mean, scale];
        double[] v = [0.4, -0.9, 0.3];
        double value = CrossAssembly.LogisticLikelihoodHvp(x, mean, scale, v[0], v[1], v[2],
            out double dx, out double dmean, out double dscale, out double hx, out double hmean, out double hscale);
        Assert.Equal(CrossAssembly.LogisticLikelihood(x, mean, scale), value);

        double[] Grad(double[] p)
        {
            CrossAssembly.LogisticLikelihoodGradient(p[0], p[1], p[2], out double g0, out double g1, out double g2);
            return [g0, g1, g2];
        }

        AssertVector(Grad(point), [dx, dmean, dscale], 1e-12);
        AssertVector(FiniteDifferenceOfGradient(point, v, Grad), [hx, hmean, hscale], 1e-6);
        double[,] hessian = CrossAssembly.LogisticLikelihoodHessian(x, mean, scale);
        AssertSymmetric(hessian);
        AssertVector(HessianTimes(hessian, v), [hx, hmean, hscale], 1e-10);
    }

    /// <summary>The first-order members of the Order = 2 scenarios, in both modes, with the dot-product test.</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    public void WidenedHvp_CarriesFourDirectionsAsFourSingleHvpsDo_AndBuildsTheHessian(int n)
    {
        var random = new Random(n);
        double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var lanes = new double[4][];
        var directions = new System.Runtime.Intrinsics.Vector256<double>[n];
        for (int lane = 0; lane < 4; lane++)
        {
            lanes[lane] = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        }

        for (int i = 0; i < n; i++)
        {
            directions[i] = System.Runtime.Intrinsics.Vector256.Create(lanes[0][i], lanes[1][i], lanes[2][i], lanes[3][i]);
        }

        double[] gradient = new double[n];
        var products = new System.Runtime.Intrinsics.Vector256<double>[n];
        double value = SecondOrder.SmoothHvp(x, 2, directions, gradient, products);

        Assert.Equal(SecondOrder.Smooth(x, 2), value);
        double[] expectedGradient = new double[n];
        SecondOrder.SmoothGradient(x, 2, expectedGradient);
        AssertVector(expectedGradient, gradient, 1e-12);
        for (int lane = 0; lane < 4; lane++)
        {
            double[] single = new double[n], dx = new double[n];
            SecondOrder.SmoothHvp(x, 2, lanes[lane], dx, single);
            AssertVector(single, products.Select(p => p[lane]).ToArray(), 1e-12);
        }

        // SmoothHessian takes its rows four at a time from the widened Hvp (through the tape, which saves the tangents'
        // lanes): the same as Hvp along each unit direction.
        double[,] hessian = SecondOrder.SmoothHessian(x, 2);
        for (int j = 0; j < n; j++)
        {
            double[] unit = new double[n], dx = new double[n], row = new double[n];
            unit[j] = 1;
            SecondOrder.SmoothHvp(x, 2, unit, dx, row);
            for (int k = 0; k < n; k++)
            {
                AssertClose(row[k], hessian[j, k], 1e-12);
            }
        }
    }

    [Fact]
    public void FirstOrderMembers_MatchFiniteDifferences_InBothModes()
    {
        DerivativeAssert.Scalar(
            SecondOrder.Rosenbrock,
            (x, v) => SecondOrder.RosenbrockJvp(x, v),
            (x, u) => { double[] g = new double[x.Length]; return (SecondOrder.RosenbrockVjp(x, u, g), g); },
            [0.3, -0.7, 1.1], [-1.2, 1.0, 0.5, 0.9]);
        DerivativeAssert.Scalar(
            SecondOrder.Regularized,
            (x, v) => SecondOrder.RegularizedJvp(x, v),
            (x, u) => { double[] g = new double[x.Length]; return (SecondOrder.RegularizedVjp(x, u, g), g); },
            [0.3, -0.7, 1.1, 0.2]);
        DerivativeAssert.Scalar(
            x => SecondOrder.Smooth(x, 2),
            (x, v) => SecondOrder.SmoothJvp(x, 2, v),
            (x, u) => { double[] g = new double[x.Length]; return (SecondOrder.SmoothVjp(x, 2, u, g), g); },
            [0.4, -0.3, 0.7, 0.1, -0.6]);
        DerivativeAssert.Scalar(
            p => SecondOrder.Orbit(p[0], p[1], p[2..]),
            (p, v) => SecondOrder.OrbitJvp(p[0], p[1], p[2..], v[0], v[1], v[2..]),
            (p, u) =>
            {
                double[] dw = new double[p.Length - 2];
                double value = SecondOrder.OrbitVjp(p[0], p[1], p[2..], u, out double dx, out double dy, dw);
                return (value, [dx, dy, .. dw]);
            },
            [0.7, 0.3, 0.5, 0.6, 0.7]);
        DerivativeAssert.Scalar(
            p => SecondOrder.BlackScholesCall(p[0], p[1], p[2], p[3], p[4]),
            (p, v) => SecondOrder.BlackScholesCallJvp(p[0], p[1], p[2], p[3], p[4], v[0], v[1], v[2], v[3], v[4]),
            (p, u) =>
            {
                double value = SecondOrder.BlackScholesCallVjp(p[0], p[1], p[2], p[3], p[4], u, out double d0, out double d1, out double d2, out double d3, out double d4);
                return (value, [d0, d1, d2, d3, d4]);
            },
            [100.0, 95.0, 0.03, 0.2, 0.5]);
        DerivativeAssert.Scalar(
            p => CrossAssembly.LogisticLikelihood(p[0], p[1], p[2]),
            (p, v) => CrossAssembly.LogisticLikelihoodJvp(p[0], p[1], p[2], v[0], v[1], v[2]),
            (p, u) =>
            {
                double value = CrossAssembly.LogisticLikelihoodVjp(p[0], p[1], p[2], u, out double d0, out double d1, out double d2);
                return (value, [d0, d1, d2]);
            },
            [0.7, 0.2, 1.5], [-1.1, 0.4, 0.8]);
    }

    [Fact]
    public void SinglePrecision_GetsAFloatHessian()
    {
        float x = 0.6f, y = -1.4f;
        float[,] hessian = SecondOrder.BowlHessian(x, y);
        double[,] expected =
        {
            { -Math.Cos(x) * y * y + 6 * x, -2 * Math.Sin(x) * y },
            { -2 * Math.Sin(x) * y, 2 * Math.Cos(x) },
        };
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                Assert.True(Math.Abs(expected[i, j] - hessian[i, j]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i, j])), $"H[{i},{j}]: {hessian[i, j]}, expected {expected[i, j]}");
            }
        }
    }

    [Fact]
    public void HessianStorageOfTheWrongLength_IsAnArgumentException_NamingBothLengths()
    {
        var exception = Assert.Throws<ArgumentException>(() => SecondOrder.RosenbrockHessian([1, 2, 3], new double[8]));
        Assert.Equal("hessian", exception.ParamName);
        Assert.Contains("8", exception.Message);
        Assert.Contains("9", exception.Message);
    }

    [Fact]
    public void NullArray_IsAnArgumentNullException_NamingIt()
    {
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => SecondOrder.RosenbrockHessian(null!)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => SecondOrder.RosenbrockHessian(null!, new double[4])).ParamName);
    }

    [Fact]
    public void DirectionOfTheWrongLength_IsAnArgumentException_BeforeAnyWork()
    {
        double[] dx = new double[3], hv = [5, 5, 5];
        var exception = Assert.Throws<ArgumentException>(() => SecondOrder.RosenbrockHvp([1, 2, 3], new double[2], dx, hv));
        Assert.Contains("2", exception.Message);
        Assert.Contains("3", exception.Message);
        Assert.Equal([5.0, 5, 5], hv);
        Assert.Throws<ArgumentNullException>(() => SecondOrder.RosenbrockHvp(null!, new double[3], dx, hv));
    }

    private delegate double ArrayGradient(double[] x, Span<double> dx);

    private static double[] Gradient(double[] x, ArrayGradient gradient)
    {
        double[] dx = new double[x.Length];
        gradient(x, dx);
        return dx;
    }

    private static double[] FiniteDifferenceOfGradient(double[] x, double[] v, ArrayGradient gradient) =>
        FiniteDifferenceOfGradient(x, v, p => Gradient(p, gradient));

    private static double[] FiniteDifferenceOfGradient(double[] x, double[] v, Func<double[], double[]> gradient)
    {
        const double h = 1e-5;
        double[] plus = gradient(x.Select((xi, i) => xi + h * v[i]).ToArray());
        double[] minus = gradient(x.Select((xi, i) => xi - h * v[i]).ToArray());
        return plus.Select((p, i) => (p - minus[i]) / (2 * h)).ToArray();
    }

    private static double[] HessianTimes(double[,] hessian, double[] v) =>
        Enumerable.Range(0, v.Length).Select(i => Enumerable.Range(0, v.Length).Sum(j => hessian[i, j] * v[j])).ToArray();

    private static double[] Flatten(double[,] matrix) => matrix.Cast<double>().ToArray();

    private static void AssertSymmetric(double[,] hessian)
    {
        for (int i = 0; i < hessian.GetLength(0); i++)
        {
            for (int j = 0; j < hessian.GetLength(1); j++)
            {
                Assert.Equal(hessian[i, j], hessian[j, i]); // exactly
            }
        }
    }

    private static void AssertMatrix(double[,] expected, double[,] actual)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
        {
            for (int j = 0; j < expected.GetLength(1); j++)
            {
                AssertClose(expected[i, j], actual[i, j], 1e-10, $"H[{i},{j}]");
            }
        }
    }

    private static void AssertVector(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i], actual[i], tolerance, $"[{i}]");
        }
    }

    private static void AssertClose(double expected, double actual, double tolerance = 1e-10, string what = "")
    {
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: {actual}, expected {expected}");
    }
}
