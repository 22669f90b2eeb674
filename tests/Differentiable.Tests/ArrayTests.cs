using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>
/// Arrays and spans in both modes: every scenario of <see cref="Arrays"/> against central finite differences and the
/// dot-product test. The inputs of a scenario are its differentiable parameters flattened into one vector (arrays
/// element by element, then scalars, in parameter order); its outputs are its result followed by the final contents of
/// the arrays it writes. Reverse-mode shadows start at zero unless a test checks accumulation.
/// </summary>
public class ArrayTests
{
    // ------------------------------------------------------------ parameters, Length, index arithmetic

    [Fact]
    public void SumOfSquares_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        Arrays.SumOfSquares,
        (a, v) => Arrays.SumOfSquaresJvp(a, v),
        (a, u) => (Arrays.SumOfSquaresVjp(a, u, Zeros(a.Length, out double[] da)), da),
        [1.0, -2.0, 0.5], [3.0], new double[0]);

    [Fact]
    public void SumOfSquares_ReverseModeAccumulatesIntoTheShadow()
    {
        double[] a = [1.0, -2.0, 0.5];
        double[] da = [10.0, 20.0, 30.0];
        Arrays.SumOfSquaresVjp(a, 0.5, da);
        Assert.Equal([11.0, 18.0, 30.5], da);
        Arrays.SumOfSquaresGradient(a, da); // Gradient accumulates too: adds 2a.
        Assert.Equal([13.0, 14.0, 31.5], da);
        Assert.Equal([1.0, -2.0, 0.5], a);
    }

    [Fact]
    public void IndexArithmetic_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        Arrays.IndexArithmetic,
        (a, v) => Arrays.IndexArithmeticJvp(a, v),
        (a, u) => (Arrays.IndexArithmeticVjp(a, u, Zeros(a.Length, out double[] da)), da),
        [0.7], [1.0, -2.0, 0.5], [0.3, 1.1, -0.4, 2.2, 0.9]);

    [Fact]
    public void ReadsSpan_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Arrays.ReadsSpan(p[..^1], p[^1]),
        (p, v) => Arrays.ReadsSpanJvp(p[..^1], p[^1], v.AsSpan(0, v.Length - 1), v[^1]),
        (p, u) => (Arrays.ReadsSpanVjp(p[..^1], p[^1], u, Zeros(p.Length - 1, out double[] da), out double dx), [.. da, dx]),
        [0.5, -1.0, 2.0, 0.7, 1.3], [1.5, 0.2]);

    // ------------------------------------------------------------ calls passing arrays and spans

    [Fact]
    public void Dot_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Arrays.Dot(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2)),
        (p, v) => Arrays.DotJvp(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2), v.AsSpan(0, v.Length / 2), v.AsSpan(v.Length / 2)),
        (p, u) =>
        {
            var shadows = new double[p.Length];
            double value = Arrays.DotVjp(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2), u, shadows.AsSpan(0, p.Length / 2), shadows.AsSpan(p.Length / 2));
            return (value, shadows);
        },
        [1.0, 2.0, 3.0, -4.0, 0.5, 0.25]);

    [Fact]
    public void Dot_OfAnArrayWithItself_GivesEachParameterItsOwnAdjoint()
    {
        // Called from user code with x for both parameters: ∂/∂a = b = x and ∂/∂b = a = x, into distinct shadows.
        double[] x = [1.5, -2.0, 0.25];
        double[] da = new double[3], db = new double[3];
        Assert.Equal(Arrays.Dot(x, x), Arrays.DotVjp(x, x, 2.0, da, db));
        Assert.Equal(x.Select(e => 2 * e), da);
        Assert.Equal(x.Select(e => 2 * e), db);
        Assert.Equal(2 * Arrays.Dot(x, x), Arrays.DotJvp(x, x, x, x).Tangent);
    }

    [Fact]
    public void Norm_WhichCallsDotOnTheSameArrayTwice_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Arrays.Norm(x),
        (x, v) => Arrays.NormJvp(x, v),
        (x, u) => (Arrays.NormVjp(x, u, Zeros(x.Length, out double[] dx)), dx),
        [3.0, -4.0], [0.5, 1.5, -2.5, 0.1]);

    [Fact]
    public void Norm_HasGradientXOverNorm_AccumulatedOnceIntoAPrefilledShadow()
    {
        double[] x = [3.0, -4.0, 12.0];
        double[] dx = [1.0, 1.0, 1.0];
        double norm = Arrays.NormGradient(x, dx);
        Assert.Equal(13.0, norm);
        for (int i = 0; i < x.Length; i++)
        {
            DerivativeAssert.AssertClose(1 + x[i] / 13.0, dx[i], $"1 + ∂|x|/∂x[{i}]", 1e-15);
        }
    }

    [Fact]
    public void Cosine_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Arrays.Cosine(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2)),
        (p, v) => Arrays.CosineJvp(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2), v.AsSpan(0, v.Length / 2), v.AsSpan(v.Length / 2)),
        (p, u) =>
        {
            var shadows = new double[p.Length];
            double value = Arrays.CosineVjp(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2), u, shadows.AsSpan(0, p.Length / 2), shadows.AsSpan(p.Length / 2));
            return (value, shadows);
        },
        [1.0, 2.0, 3.0, -4.0, 0.5, 0.25], [0.3, -0.7, 1.1, 0.2]);

    [Fact]
    public void Cosine_OfParallelVectors_HasZeroGradient()
    {
        // cos(a, 2a) = 1 is the maximum: the gradient vanishes (scale-invariance and Cauchy–Schwarz).
        double[] a = [1.0, -2.0, 0.5];
        double[] b = a.Select(e => 2 * e).ToArray();
        double[] da = new double[3], db = new double[3];
        DerivativeAssert.AssertClose(1, Arrays.CosineGradient(a, b, da, db), "cos", 1e-15);
        Assert.All(da.Concat(db), g => Assert.True(Math.Abs(g) < 1e-14, $"gradient {g}"));
    }

    [Fact]
    public void HelpersOnLocal_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Arrays.HelpersOnLocal(p[..^1], p[^1]),
        (p, v) => Arrays.HelpersOnLocalJvp(p[..^1], p[^1], v.AsSpan(0, v.Length - 1), v[^1]),
        (p, u) => (Arrays.HelpersOnLocalVjp(p[..^1], p[^1], u, Zeros(p.Length - 1, out double[] dx), out double dc), [.. dx, dc]),
        [0.5, -1.0, 2.0, 0.7], [1.5, -0.3]);

    [Fact]
    public void RowsDot_CallInsideALoop_MatchesFiniteDifferences()
    {
        int[] shape = [3, 3, 3, 3];
        DerivativeAssert.Scalar(
            p => Arrays.RowsDot(Rows(p, shape), p.AsSpan(12)),
            (p, v) => Arrays.RowsDotJvp(Rows(p, shape), p.AsSpan(12), Rows(v, shape), v.AsSpan(12)),
            (p, u) =>
            {
                double[][] drows = Rows(new double[12], shape);
                double[] dw = new double[3];
                double value = Arrays.RowsDotVjp(Rows(p, shape), p.AsSpan(12), u, drows, dw);
                return (value, [.. drows.SelectMany(r => r), .. dw]);
            },
            [0.5, -1.0, 2.0, 0.7, 1.3, -0.4, 0.6, 0.1, -0.2, 1.1, 0.9, -0.8, 0.3, -0.5, 0.2]);
    }

    [Fact]
    public void RowsDot_AcceptsTheSameRowTwice()
    {
        // Read-only rows may alias; each row's shadow must be its own array and receives that row's share.
        double[] row = [0.5, -1.0];
        double[] w = [0.3, 0.7];
        double[][] drows = [new double[2], new double[2]];
        double[] dw = new double[2];
        Arrays.RowsDotGradient([row, row], w, drows, dw);
        double slope = 1 - Math.Pow(Math.Tanh(Arrays.Dot(row, w)), 2);
        for (int j = 0; j < 2; j++)
        {
            DerivativeAssert.AssertClose(slope * w[j], drows[0][j], $"drows[0][{j}]", 1e-15);
            DerivativeAssert.AssertClose(slope * w[j], drows[1][j], $"drows[1][{j}]", 1e-15);
            DerivativeAssert.AssertClose(2 * slope * row[j], dw[j], $"dw[{j}]", 1e-15);
        }
    }

    [Fact]
    public void UntilThreshold_MatchesFiniteDifferences_ForSeveralTripCounts() => DerivativeAssert.Scalar(
        p => Arrays.UntilThreshold(p.AsSpan(0, p.Length - 1), p[^1]),
        (p, v) => Arrays.UntilThresholdJvp(p.AsSpan(0, p.Length - 1), p[^1], v.AsSpan(0, v.Length - 1), v[^1]),
        (p, u) => (Arrays.UntilThresholdVjp(p.AsSpan(0, p.Length - 1), p[^1], u, Zeros(p.Length - 1, out double[] da), out double dt), [.. da, dt]),
        [0.5, -1.0, 2.0, 0.7, 1.5], // stops after 3 elements
        [0.5, -1.0, 2.0, 0.7, 100.0], // runs off the end
        [0.5, -1.0, 2.0, 0.7, -1.0]); // never starts

    [Fact]
    public void ProductUntilNegative_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Arrays.ProductUntilNegative(p[..^1], p[^1]),
        (p, v) => Arrays.ProductUntilNegativeJvp(p[..^1], p[^1], v.AsSpan(0, v.Length - 1), v[^1]),
        (p, u) => (Arrays.ProductUntilNegativeVjp(p[..^1], p[^1], u, Zeros(p.Length - 1, out double[] da), out double dx), [.. da, dx]),
        [0.5, 1.0, -2.0, 0.7, 1.3], [0.5, 1.0, 2.0, 0.7, 1.3], [-0.5, 1.0, 0.4]);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(9)]
    public void RollingBuffer_ElementsOverwrittenEveryIteration_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Arrays.RollingBuffer(x[0], n),
        (x, v) => Arrays.RollingBufferJvp(x[0], n, v[0]),
        (x, u) => (Arrays.RollingBufferVjp(x[0], n, u, out double dx), [dx]),
        [0.8], [-1.3], [2.2]);

    [Fact]
    public void ReverseWeighted_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        Arrays.ReverseWeighted,
        (a, v) => Arrays.ReverseWeightedJvp(a, v),
        (a, u) => (Arrays.ReverseWeightedVjp(a, u, Zeros(a.Length, out double[] da)), da),
        [0.5, -1.0, 2.0, 0.7], [1.5]);

    [Fact]
    public void SquashUntilNegative_WritesInABreakingLoop_MatchesFiniteDifferences() => DerivativeAssert.Vector(
        p =>
        {
            double[] a = p[..^1];
            double value = Arrays.SquashUntilNegative(a, p[^1]);
            return [value, .. a];
        },
        (p, v) =>
        {
            double[] a = p[..^1];
            double[] da = v[..^1];
            (double value, double tangent) = Arrays.SquashUntilNegativeJvp(a, p[^1], da, v[^1]);
            return ([value, .. a], [tangent, .. da]);
        },
        (p, u) =>
        {
            double[] a = p[..^1];
            double[] da = u[1..];
            double value = Arrays.SquashUntilNegativeVjp(a, p[^1], u[0], da, out double dcap);
            return ([value, .. a], [.. da, dcap]);
        },
        [0.5, 1.0, 2.5, -0.7, 3.0, 1.5], [0.5, 1.0, 2.5, 3.0, 2.0], [-0.5, 1.0, 2.0]);

    [Fact]
    public void RootsUntilSmall_NestedDataDependentTripCounts_MatchFiniteDifferences() => DerivativeAssert.Scalar(
        a => Arrays.RootsUntilSmall(a),
        (a, v) => Arrays.RootsUntilSmallJvp(a, v),
        (a, u) => (Arrays.RootsUntilSmallVjp(a, u, Zeros(a.Length, out double[] da)), da),
        [0.5, 7.0, 300.0, 1.2, 45.0]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void ScratchCallsInLoop_MatchesFiniteDifferences(int iterations) => DerivativeAssert.Scalar(
        x => Arrays.ScratchCallsInLoop(x, iterations),
        (x, v) => Arrays.ScratchCallsInLoopJvp(x, iterations, v),
        (x, u) => (Arrays.ScratchCallsInLoopVjp(x, iterations, u, Zeros(x.Length, out double[] dx)), dx),
        [0.5, -1.0, 2.0], [0.3, 0.9, -0.2, 1.4]);

    [Fact]
    public void SoftplusInto_ValueAndOutputSpan_MatchFiniteDifferences()
    {
        const int n = 3;
        DerivativeAssert.Vector(
            p =>
            {
                double[] y = p[n..];
                double value = Arrays.SoftplusInto(p.AsSpan(0, n), y);
                return [value, .. y];
            },
            (p, v) =>
            {
                double[] y = p[n..];
                double[] dy = v[n..];
                (double value, double tangent) = Arrays.SoftplusIntoJvp(p.AsSpan(0, n), y, v.AsSpan(0, n), dy);
                return ([value, .. y], [tangent, .. dy]);
            },
            (p, u) =>
            {
                double[] y = p[n..];
                double[] dx = new double[n];
                double[] dy = u[1..];
                double value = Arrays.SoftplusIntoVjp(p.AsSpan(0, n), y, u[0], dx, dy);
                return ([value, .. y], [.. dx, .. dy]);
            },
            [0.5, -1.0, 2.0, 7.0, 7.0, 7.0]);
    }

    [Fact]
    public void CallsSoftplusInto_HelperWritingAStackBuffer_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Arrays.CallsSoftplusInto(x),
        (x, v) => Arrays.CallsSoftplusIntoJvp(x, v),
        (x, u) => (Arrays.CallsSoftplusIntoVjp(x, u, Zeros(x.Length, out double[] dx)), dx),
        [0.5, -1.0, 2.0], [1.5]);

    [Fact]
    public void ForwardsOutput_PassesItsOutputSpanToAWritingHelper_MatchesFiniteDifferences()
    {
        const int n = 3;
        DerivativeAssert.Vector(
            p =>
            {
                double[] y = p[n..];
                double value = Arrays.ForwardsOutput(p.AsSpan(0, n), y);
                return [value, .. y];
            },
            (p, v) =>
            {
                double[] y = p[n..];
                double[] dy = v[n..];
                (double value, double tangent) = Arrays.ForwardsOutputJvp(p.AsSpan(0, n), y, v.AsSpan(0, n), dy);
                return ([value, .. y], [tangent, .. dy]);
            },
            (p, u) =>
            {
                double[] y = p[n..];
                double[] dx = new double[n];
                double[] dy = u[1..];
                double value = Arrays.ForwardsOutputVjp(p.AsSpan(0, n), y, u[0], dx, dy);
                return ([value, .. y], [.. dx, .. dy]);
            },
            [0.5, -1.0, 2.0, 7.0, -7.0, 0.5]);
    }

    [Fact]
    public void ReadsAfterUpdate_ReadsWhatAHelperWrote_MatchesFiniteDifferences() => DerivativeAssert.Vector(
        p =>
        {
            double[] a = p[..^1];
            double value = Arrays.ReadsAfterUpdate(a, p[^1]);
            return [value, .. a];
        },
        (p, v) =>
        {
            double[] a = p[..^1];
            double[] da = v[..^1];
            (double value, double tangent) = Arrays.ReadsAfterUpdateJvp(a, p[^1], da, v[^1]);
            return ([value, .. a], [tangent, .. da]);
        },
        (p, u) =>
        {
            double[] a = p[..^1];
            double[] da = u[1..];
            double value = Arrays.ReadsAfterUpdateVjp(a, p[^1], u[0], da, out double dx);
            return ([value, .. a], [.. da, dx]);
        },
        [0.5, -1.0, 2.0, 0.7], [1.5, 0.3]);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void HelperWritesInLoop_MatchesFiniteDifferences(int iterations) => DerivativeAssert.Scalar(
        x => Arrays.HelperWritesInLoop(x, iterations),
        (x, v) => Arrays.HelperWritesInLoopJvp(x, iterations, v),
        (x, u) => (Arrays.HelperWritesInLoopVjp(x, iterations, u, Zeros(x.Length, out double[] dx)), dx),
        [0.5, -1.0, 2.0], [0.3, 0.9, -0.2, 1.4]);

    // ------------------------------------------------------------ jagged arrays

    [Fact]
    public void Jagged_MatchesFiniteDifferences()
    {
        int[] shape = [2, 3, 0, 1];
        DerivativeAssert.Scalar(
            p => Arrays.Jagged(Rows(p, shape), p[^1]),
            (p, v) => Arrays.JaggedJvp(Rows(p, shape), p[^1], Rows(v, shape), v[^1]),
            (p, u) =>
            {
                double[][] drows = Rows(new double[p.Length], shape);
                double value = Arrays.JaggedVjp(Rows(p, shape), p[^1], u, drows, out double dx);
                return (value, [.. drows.SelectMany(r => r), dx]);
            },
            [0.5, -1.0, 2.0, 0.7, 1.3, -0.4, 0.6], [1.5, 0.2, -0.3, 0.8, 1.1, 0.9, -1.2]);
    }

    [Fact]
    public void JaggedForEach_MatchesFiniteDifferences()
    {
        int[] shape = [3, 1, 2];
        DerivativeAssert.Scalar(
            p => Arrays.JaggedForEach(Rows(p, shape)),
            (p, v) => Arrays.JaggedForEachJvp(Rows(p, shape), Rows(v, shape)),
            (p, u) =>
            {
                double[][] drows = Rows(new double[p.Length], shape);
                double value = Arrays.JaggedForEachVjp(Rows(p, shape), u, drows);
                return (value, [.. drows.SelectMany(r => r)]);
            },
            [0.5, -1.0, 2.0, 0.7, 1.3, -0.4]);
    }

    // ------------------------------------------------------------ writes: in place, output spans, local buffers

    [Fact]
    public void UpdateInPlace_MatchesFiniteDifferences_OfValueAndFinalContents() => DerivativeAssert.Vector(
        p =>
        {
            double[] a = p[..^1];
            double value = Arrays.UpdateInPlace(a, p[^1]);
            return [value, .. a];
        },
        (p, v) =>
        {
            double[] a = p[..^1];
            double[] da = v[..^1]; // the tangent of the initial contents on entry, of the final contents on exit
            (double value, double tangent) = Arrays.UpdateInPlaceJvp(a, p[^1], da, v[^1]);
            return ([value, .. a], [tangent, .. da]);
        },
        (p, u) =>
        {
            double[] a = p[..^1];
            double[] da = u[1..]; // the cotangent of the final contents on entry, the adjoint of the initial contents on exit
            double value = Arrays.UpdateInPlaceVjp(a, p[^1], u[0], da, out double dx);
            return ([value, .. a], [.. da, dx]);
        },
        [0.5, -1.0, 2.0, 0.7], [1.5, 0.3]);

    [Fact]
    public void ScaleInPlace_MatchesFiniteDifferences_OfTheFinalContents() => DerivativeAssert.Vector(
        p =>
        {
            double[] a = p[..^1];
            Arrays.ScaleInPlace(a, p[^1]);
            return a;
        },
        (p, v) =>
        {
            double[] a = p[..^1];
            double[] da = v[..^1];
            Arrays.ScaleInPlaceJvp(a, p[^1], da, v[^1]);
            return (a, da);
        },
        (p, u) =>
        {
            double[] a = p[..^1];
            double[] da = u.ToArray();
            Arrays.ScaleInPlaceVjp(a, p[^1], da, out double dx);
            return (a, [.. da, dx]);
        },
        [0.5, -1.0, 2.0, 1.3], [1.5, 0.3, -0.7]);

    [Fact]
    public void ScaleRows_JaggedWrites_MatchFiniteDifferences_OfTheFinalContents()
    {
        int[] shape = [2, 0, 3];
        DerivativeAssert.Vector(
            p =>
            {
                double[][] rows = Rows(p, shape);
                Arrays.ScaleRows(rows, p[^1]);
                return [.. rows.SelectMany(r => r)];
            },
            (p, v) =>
            {
                double[][] rows = Rows(p, shape);
                double[][] drows = Rows(v, shape);
                Arrays.ScaleRowsJvp(rows, p[^1], drows, v[^1]);
                return ([.. rows.SelectMany(r => r)], [.. drows.SelectMany(r => r)]);
            },
            (p, u) =>
            {
                double[][] rows = Rows(p, shape);
                double[][] drows = Rows(u, shape);
                Arrays.ScaleRowsVjp(rows, p[^1], drows, out double dx);
                return ([.. rows.SelectMany(r => r)], [.. drows.SelectMany(r => r), dx]);
            },
            [0.5, -1.0, 2.0, 0.7, 1.3, 1.2], [1.5, 0.2, -0.3, 0.8, 0.6, -0.9]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(25)]
    public void Diffuse_BuffersOverwrittenEveryStep_MatchFiniteDifferences(int steps) => DerivativeAssert.Vector(
        p =>
        {
            double[] u = p[..^1];
            Arrays.Diffuse(u, p[^1], steps);
            return u;
        },
        (p, v) =>
        {
            double[] u = p[..^1];
            double[] du = v[..^1];
            Arrays.DiffuseJvp(u, p[^1], steps, du, v[^1]);
            return (u, du);
        },
        (p, w) =>
        {
            double[] u = p[..^1];
            double[] du = w.ToArray();
            Arrays.DiffuseVjp(u, p[^1], steps, du, out double drate);
            return (u, [.. du, drate]);
        },
        [0.0, 0.5, 1.0, 0.8, -0.2, 0.3, 0.1, 0.25]);

    [Fact]
    public void Softplus_OutputSpan_MatchesFiniteDifferences_AndForgetsTheInitialContents()
    {
        // Inputs: x, then the initial contents of y (which the method overwrites: their adjoint must come out zero).
        const int n = 4;
        DerivativeAssert.Vector(
            p =>
            {
                double[] y = p[n..];
                Arrays.Softplus(p.AsSpan(0, n), y);
                return y;
            },
            (p, v) =>
            {
                double[] y = p[n..];
                double[] dy = v[n..];
                Arrays.SoftplusJvp(p.AsSpan(0, n), y, v.AsSpan(0, n), dy);
                return (y, dy);
            },
            (p, u) =>
            {
                double[] y = p[n..];
                double[] dx = new double[n];
                double[] dy = u.ToArray();
                Arrays.SoftplusVjp(p.AsSpan(0, n), y, dx, dy);
                return (y, [.. dx, .. dy]);
            },
            [0.5, -1.0, 2.0, -3.0, 9.0, 9.0, 9.0, 9.0]);

        double[] dyOut = [1.0, 1.0, 1.0, 1.0];
        Arrays.SoftplusVjp([0.5, -1.0, 2.0, -3.0], new double[n], new double[n], dyOut);
        Assert.Equal(new double[n], dyOut);
    }

    [Fact]
    public void LocalArray_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        Arrays.LocalArray,
        (a, v) => Arrays.LocalArrayJvp(a, v),
        (a, u) => (Arrays.LocalArrayVjp(a, u, Zeros(a.Length, out double[] da)), da),
        [0.5, -1.0, 2.0], [1.5], [0.3, 0.1, -0.7, 1.2]);

    [Fact]
    public void StackallocScratch_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        a => Arrays.StackallocScratch(a),
        (a, v) => Arrays.StackallocScratchJvp(a, v),
        (a, u) => (Arrays.StackallocScratchVjp(a, u, Zeros(a.Length, out double[] da)), da),
        [0.5, -1.0, 0.2, 0.4], [-0.3]);

    [Fact]
    public void RunningNorm_ArrayResult_MatchesFiniteDifferences() => DerivativeAssert.Vector(
        Arrays.RunningNorm,
        (a, v) => Arrays.RunningNormJvp(a, v),
        (a, u) => (Arrays.RunningNormVjp(a, u, Zeros(a.Length, out double[] da)), da),
        [0.5, -1.0, 2.0, 0.7], [3.0]);

    [Fact]
    public void RunningNorm_ReturnsANewArray_FromEveryEntryPoint()
    {
        double[] a = [3.0, 4.0];
        double[] fromJvp = Arrays.RunningNormJvp(a, new double[2]).Value;
        double[] fromVjp = Arrays.RunningNormVjp(a, new double[2], new double[2]);
        Assert.Equal(Arrays.RunningNorm(a), fromJvp);
        Assert.Equal(Arrays.RunningNorm(a), fromVjp);
        Assert.NotSame(fromJvp, fromVjp);
        Assert.Equal([3.0, 4.0], a);
    }

    // ------------------------------------------------------------ [NoDerivative] arrays

    [Fact]
    public void SquaredError_DifferentiatesWeightsOnly_AndLeavesTheDataAlone()
    {
        double[] data = [1.0, 2.0, -1.0, 0.5, 0.0, 3.0, 2.0, -1.0, 1.5]; // 3 rows of 3
        double[] targets = [1.0, -2.0, 0.5];
        double[] dataCopy = data.ToArray();
        DerivativeAssert.Scalar(
            w => Arrays.SquaredError(w, data, targets),
            (w, v) => Arrays.SquaredErrorJvp(w, data, targets, v),
            (w, u) => (Arrays.SquaredErrorVjp(w, data, targets, u, Zeros(w.Length, out double[] dw)), dw),
            [0.5, -1.0, 2.0], [0.0, 0.0, 0.0]);
        Assert.Equal(dataCopy, data);

        // Analytic: ∂/∂w_j = Σ_r 2·(X w - t)_r·X_rj.
        double[] weights = [0.3, 0.2, -0.1];
        double[] gradient = new double[3];
        Arrays.SquaredErrorGradient(weights, data, targets, gradient);
        for (int j = 0; j < 3; j++)
        {
            double expected = Enumerable.Range(0, 3).Sum(r => 2 * (Enumerable.Range(0, 3).Sum(k => weights[k] * data[r * 3 + k]) - targets[r]) * data[r * 3 + j]);
            DerivativeAssert.AssertClose(expected, gradient[j], $"∂/∂w[{j}]", 1e-14);
        }
    }

    // ------------------------------------------------------------ the named problems

    [Fact]
    public void Rosenbrock_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Arrays.Rosenbrock(x),
        (x, v) => Arrays.RosenbrockJvp(x, v),
        (x, u) => (Arrays.RosenbrockVjp(x, u, Zeros(x.Length, out double[] dx)), dx),
        [-1.2, 1.0], [0.5, -0.3, 1.7, 0.9, -1.1, 0.2], [2.0]);

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(50)]
    public void Rosenbrock_MatchesTheAnalyticGradient_AndVanishesAtTheMinimum(int n)
    {
        double[] x = Enumerable.Range(0, n).Select(i => Math.Sin(i + 1.0)).ToArray();
        double[] expected = new double[n];
        for (int i = 0; i < n - 1; i++)
        {
            expected[i] += -400 * x[i] * (x[i + 1] - x[i] * x[i]) - 2 * (1 - x[i]);
            expected[i + 1] += 200 * (x[i + 1] - x[i] * x[i]);
        }

        double[] gradient = new double[n];
        Assert.Equal(Arrays.Rosenbrock(x), Arrays.RosenbrockGradient(x, gradient));
        for (int i = 0; i < n; i++)
        {
            DerivativeAssert.AssertClose(expected[i], gradient[i], $"∂/∂x[{i}]", 1e-13);
        }

        double[] ones = Enumerable.Repeat(1.0, n).ToArray();
        double[] atMinimum = new double[n];
        Assert.Equal(0, Arrays.RosenbrockGradient(ones, atMinimum));
        Assert.Equal(new double[n], atMinimum);
        Assert.Equal(0, Arrays.RosenbrockJvp(ones, ones).Tangent);
    }

    [Fact]
    public void Horner_WithConstantCoefficients_MatchesFiniteDifferencesAndTheDerivativePolynomial()
    {
        double[] c = [2.0, -3.0, 0.5, 4.0, -1.0]; // 2x⁴ - 3x³ + 0.5x² + 4x - 1
        DerivativeAssert.Scalar(
            x => Arrays.Horner(x[0], c),
            (x, v) => Arrays.HornerJvp(x[0], c, v[0]),
            (x, u) => (Arrays.HornerVjp(x[0], c, u, out double dx), [dx]),
            [0.7], [-1.3], [2.5]);

        foreach (double x in new[] { 0.7, -1.3, 2.5 })
        {
            double expected = 8 * x * x * x - 9 * x * x + x + 4;
            DerivativeAssert.AssertClose(expected, Arrays.HornerJvp(x, c, 1).Tangent, "p'(x) forward", 1e-14);
            Arrays.HornerGradient(x, c, out double dx);
            DerivativeAssert.AssertClose(expected, dx, "p'(x) reverse", 1e-14);
        }
    }

    [Fact]
    public void HornerWithCoefficients_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Arrays.HornerWithCoefficients(p[0], p.AsSpan(1)),
        (p, v) => Arrays.HornerWithCoefficientsJvp(p[0], p.AsSpan(1), v[0], v.AsSpan(1)),
        (p, u) =>
        {
            double[] dc = new double[p.Length - 1];
            double value = Arrays.HornerWithCoefficientsVjp(p[0], p.AsSpan(1), u, out double dx, dc);
            return (value, [dx, .. dc]);
        },
        [0.7, 2.0, -3.0, 0.5, 4.0, -1.0], [-1.3, 1.0, 1.0, 1.0]);

    [Fact]
    public void HornerWithCoefficients_CoefficientGradientIsThePowersOfX()
    {
        const double x = 1.7;
        double[] c = [2.0, -3.0, 0.5, 4.0, -1.0];
        double[] dc = new double[5];
        Arrays.HornerWithCoefficientsGradient(x, c, out double dx, dc);
        for (int i = 0; i < 5; i++)
        {
            DerivativeAssert.AssertClose(Math.Pow(x, 4 - i), dc[i], $"∂p/∂c[{i}]", 1e-14);
        }

        DerivativeAssert.AssertClose(8 * x * x * x - 9 * x * x + x + 4, dx, "∂p/∂x", 1e-14);
    }

    [Fact]
    public void MatVec_MatchesFiniteDifferences()
    {
        // A 3×2 matrix, a 2-vector and the initial contents of the 3-element result (overwritten: adjoint zero).
        const int rows = 3, cols = 2;
        const int mLength = rows * cols;
        DerivativeAssert.Vector(
            p =>
            {
                double[] result = p[(mLength + cols)..];
                Arrays.MatVec(p.AsSpan(0, mLength), p.AsSpan(mLength, cols), result);
                return result;
            },
            (p, v) =>
            {
                double[] result = p[(mLength + cols)..];
                double[] dresult = v[(mLength + cols)..];
                Arrays.MatVecJvp(p.AsSpan(0, mLength), p.AsSpan(mLength, cols), result, v.AsSpan(0, mLength), v.AsSpan(mLength, cols), dresult);
                return (result, dresult);
            },
            (p, u) =>
            {
                double[] result = p[(mLength + cols)..];
                double[] dm = new double[mLength], dv = new double[cols];
                double[] dresult = u.ToArray();
                Arrays.MatVecVjp(p.AsSpan(0, mLength), p.AsSpan(mLength, cols), result, dm, dv, dresult);
                return (result, [.. dm, .. dv, .. dresult]);
            },
            [1.0, 2.0, -1.0, 0.5, 3.0, -2.0, 0.7, -1.1, 5.0, 5.0, 5.0]);
    }

    [Fact]
    public void MatVec_ReverseMode_IsTheOuterProductAndTheTransposedProduct()
    {
        double[] m = [1.0, 2.0, -1.0, 0.5, 3.0, -2.0]; // 3×2
        double[] v = [0.7, -1.1];
        double[] u = [0.3, -0.4, 2.0];
        double[] result = new double[3];
        double[] dm = new double[6], dv = new double[2];
        double[] dresult = u.ToArray();
        Arrays.MatVecVjp(m, v, result, dm, dv, dresult);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(m[i * 2] * v[0] + m[i * 2 + 1] * v[1], result[i]);
            for (int j = 0; j < 2; j++)
            {
                DerivativeAssert.AssertClose(u[i] * v[j], dm[i * 2 + j], $"dm[{i},{j}]", 1e-15);
            }
        }

        for (int j = 0; j < 2; j++)
        {
            DerivativeAssert.AssertClose(u[0] * m[j] + u[1] * m[2 + j] + u[2] * m[4 + j], dv[j], $"dv[{j}]", 1e-15);
        }
    }

    [Fact]
    public void LogisticNll_MatchesFiniteDifferencesAndTheAnalyticGradient()
    {
        // 5 examples, 3 features (row-major), labels 0/1; the weights and bias are differentiated, the data is not.
        double[] features = [0.5, -1.2, 2.0, 1.0, 0.3, -0.7, -0.4, 0.8, 1.1, 2.2, -0.1, 0.0, -1.5, -0.6, 0.9];
        double[] labels = [1, 0, 1, 1, 0];
        DerivativeAssert.Scalar(
            p => Arrays.LogisticNll(p.AsSpan(0, 3), p[3], features, labels),
            (p, v) => Arrays.LogisticNllJvp(p.AsSpan(0, 3), p[3], features, labels, v.AsSpan(0, 3), v[3]),
            (p, u) =>
            {
                double[] dw = new double[3];
                double value = Arrays.LogisticNllVjp(p.AsSpan(0, 3), p[3], features, labels, u, dw, out double db);
                return (value, [.. dw, db]);
            },
            [0.1, -0.2, 0.3, 0.05], [1.5, 0.7, -2.0, -0.4]);

        // ∂NLL/∂w = Σ_r (σ(z_r) - y_r)·x_r, ∂NLL/∂b = Σ_r (σ(z_r) - y_r).
        double[] w = [0.4, -0.3, 0.2];
        const double b = -0.1;
        double[] gw = new double[3];
        Arrays.LogisticNllGradient(w, b, features, labels, gw, out double gb);
        double[] expectedW = new double[3];
        double expectedB = 0;
        for (int r = 0; r < 5; r++)
        {
            double z = b + w[0] * features[r * 3] + w[1] * features[r * 3 + 1] + w[2] * features[r * 3 + 2];
            double residual = 1 / (1 + Math.Exp(-z)) - labels[r];
            expectedB += residual;
            for (int j = 0; j < 3; j++)
            {
                expectedW[j] += residual * features[r * 3 + j];
            }
        }

        DerivativeAssert.AssertClose(expectedB, gb, "∂/∂b", 1e-13);
        for (int j = 0; j < 3; j++)
        {
            DerivativeAssert.AssertClose(expectedW[j], gw[j], $"∂/∂w[{j}]", 1e-13);
        }
    }

    // ------------------------------------------------------------ float

    [Fact]
    public void DotF_MatchesDoublePrecisionFiniteDifferences() => SinglePrecisionAssert.Scalar(
        p => Enumerable.Range(0, p.Length / 2).Sum(i => p[i] * p[p.Length / 2 + i]),
        p => Arrays.DotF(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2)),
        (p, v) => Arrays.DotFJvp(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2), v.AsSpan(0, v.Length / 2), v.AsSpan(v.Length / 2)),
        (p, u) =>
        {
            var shadows = new float[p.Length];
            float value = Arrays.DotFVjp(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2), u, shadows.AsSpan(0, p.Length / 2), shadows.AsSpan(p.Length / 2));
            return (value, shadows);
        },
        [1.0f, 2.0f, 3.0f, -4.0f, 0.5f, 0.25f]);

    [Fact]
    public void TanhF_OutputSpan_MatchesDoublePrecisionFiniteDifferences()
    {
        const int n = 3;
        SinglePrecisionAssert.Vector(
            p => p.Take(n).Select(x => Math.Tanh(p[n] * x)).ToArray(),
            p =>
            {
                var y = new float[n];
                Arrays.TanhF(p[..n], p[n], y);
                return y;
            },
            (p, v) =>
            {
                var y = new float[n];
                var dy = new float[n];
                Arrays.TanhFJvp(p[..n], p[n], y, v.AsSpan(0, n), v[n], dy);
                return (y, dy);
            },
            (p, u) =>
            {
                var y = new float[n];
                var dx = new float[n];
                float[] dy = u.ToArray();
                Arrays.TanhFVjp(p[..n], p[n], y, dx, out float dgain, dy);
                return (y, [.. dx, dgain]);
            },
            [0.5f, -1.0f, 0.25f, 1.5f], [2.0f, 0.1f, -0.3f, -0.7f]);
    }

    [Fact]
    public void SmoothF_InPlace_MatchesDoublePrecisionFiniteDifferences()
    {
        static double[] Reference(double[] a)
        {
            double[] copy = a.ToArray(), result = a.ToArray();
            double s = 0;
            for (int i = 1; i < a.Length - 1; i++)
            {
                result[i] = 0.25 * copy[i - 1] + 0.5 * copy[i] + 0.25 * copy[i + 1];
                s += result[i] * result[i];
            }

            return [s, .. result];
        }

        SinglePrecisionAssert.Vector(
            Reference,
            p =>
            {
                float[] a = p.ToArray();
                float s = Arrays.SmoothF(a);
                return [s, .. a];
            },
            (p, v) =>
            {
                float[] a = p.ToArray();
                float[] da = v.ToArray();
                (float value, float tangent) = Arrays.SmoothFJvp(a, da);
                return ([value, .. a], [tangent, .. da]);
            },
            (p, u) =>
            {
                float[] a = p.ToArray();
                float[] da = u[1..];
                float value = Arrays.SmoothFVjp(a, u[0], da);
                return ([value, .. a], da);
            },
            [0.5f, -1.0f, 2.0f, 0.7f, 1.25f]);
    }

    // ------------------------------------------------------------ run-time argument checks

    [Fact]
    public void WrittenSpan_SharingMemoryWithAnotherParameter_Throws_InReverseMode()
    {
        double[] x = [0.5, -1.0, 2.0];
        AssertNames(() => Arrays.SoftplusVjp(x, x, new double[3], new double[3]), "x", "y");

        double[] buffer = new double[8];
        AssertNames(
            () => Arrays.MatVecVjp(buffer.AsSpan(0, 4), buffer.AsSpan(4, 2), buffer.AsSpan(5, 2), new double[4], new double[2], new double[2]),
            "v", "result");
    }

    [Fact]
    public void WrittenSpan_SharingMemoryWithAnotherParameter_Throws_InForwardMode()
    {
        double[] x = [0.5, -1.0, 2.0];
        AssertNames(() => Arrays.SoftplusJvp(x, x, new double[3], new double[3]), "x", "y");
    }

    // These two pass a primal as its own shadow or tangent on purpose.
#pragma warning disable DIFF0019
    [Fact]
    public void Shadow_OverlappingAPrimal_Throws()
    {
        double[] a = [1.0, -2.0, 0.5];
        double[] b = [0.5, 0.5, 0.5];
        AssertNames(() => Arrays.SumOfSquaresVjp(a, 1, a), "a", "da");
        AssertNames(() => Arrays.SumOfSquaresGradient(a, a), "a", "da");
        AssertNames(() => Arrays.DotVjp(a, b, 1, b, new double[3]), "b", "da");
        AssertNames(() => Arrays.UpdateInPlaceVjp(a, 1, 1, a.AsSpan(), out _), "a", "da");

        double[] y = new double[3];
        AssertNames(() => Arrays.SoftplusVjp(a, y, new double[3], y), "y", "dy");
        Assert.Equal([1.0, -2.0, 0.5], a); // nothing ran
    }

    [Fact]
    public void Tangent_OverlappingAWrittenPrimal_Throws_InForwardMode()
    {
        double[] a = [1.0, -2.0, 0.5];
        AssertNames(() => Arrays.UpdateInPlaceJvp(a, 1, a, 0), "a", "da");
    }
#pragma warning restore DIFF0019

    [Fact]
    public void Shadow_OfTheWrongLength_Throws()
    {
        double[] a = [1.0, -2.0, 0.5];
        AssertNames(() => Arrays.SumOfSquaresVjp(a, 1, new double[4]), "a", "da");
        AssertNames(() => Arrays.SumOfSquaresGradient(a, new double[2]), "a", "da");
        AssertNames(() => Arrays.DotVjp(a, a, 1, new double[3], new double[2]), "b", "db");
        AssertNames(() => Arrays.RunningNormVjp(a, new double[2], new double[3]), "result", "dResult");
        AssertNames(() => Arrays.JaggedVjp([[1.0, 2.0], [3.0]], 0.5, 1, [new double[2], new double[2]], out _), "rows", "drows");
    }

    [Fact]
    public void Tangent_OfTheWrongLength_Throws_InForwardMode()
    {
        double[] a = [1.0, -2.0, 0.5];
        AssertNames(() => Arrays.SumOfSquaresJvp(a, new double[4]), "a", "da");
        AssertNames(() => Arrays.SumOfSquaresJvp(a, new double[2]), "a", "da");
        AssertNames(() => Arrays.JaggedJvp([[1.0, 2.0], [3.0]], 0.5, [new double[2], new double[2]], 0), "rows", "drows");
    }

    // ------------------------------------------------------------ helpers

    private static void AssertNames(Action call, string first, string second)
    {
        var error = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Contains($"'{first}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{second}'", error.Message, StringComparison.Ordinal);
    }

    private static double[] Zeros(int n, out double[] zeros) => zeros = new double[n];

    /// <summary>The first rows of <paramref name="flat"/> cut into rows of the given lengths (copies).</summary>
    private static double[][] Rows(double[] flat, int[] shape)
    {
        var rows = new double[shape.Length][];
        for (int i = 0, offset = 0; i < shape.Length; offset += shape[i], i++)
        {
            rows[i] = flat[offset..(offset + shape[i])];
        }

        return rows;
    }

    [Fact]
    public void CosineOffset_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Arrays.CosineOffset(p[..3], p[3..6], p[6]),
        (p, v) => Arrays.CosineOffsetJvp(p[..3], p[3..6], p[6], v.AsSpan(0, 3), v.AsSpan(3, 3), v[6]),
        (p, u) =>
        {
            double[] da = new double[3], db = new double[3];
            double value = Arrays.CosineOffsetVjp(p[..3], p[3..6], p[6], u, da, db, out double dc);
            return (value, [.. da, .. db, dc]);
        },
        [1.0, 2.0, 3.0, -4.0, 0.5, 0.25, 0.7], [0.3, -0.7, 1.1, 0.2, 0.9, -1.3, -1.5]);

    [Fact]
    public void SoftplusSum_CallsAVoidHelperWritingAStackBuffer_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Arrays.SoftplusSum(x),
        (x, v) => Arrays.SoftplusSumJvp(x, v),
        (x, u) => (Arrays.SoftplusSumVjp(x, u, Zeros(x.Length, out double[] dx)), dx),
        [0.5, -1.0, 2.0], [1.5]);
}
