using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>
/// Loops in both modes: every scenario of <see cref="Loops"/> against central finite differences and the dot-product
/// test, at points away from the places where a trip count or a branch changes.
/// </summary>
public class LoopTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void SumOfPowers_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.SumOfPowers(x[0], n),
        (x, v) => Loops.SumOfPowersJvp(x[0], n, v[0]),
        (x, u) => (Loops.SumOfPowersVjp(x[0], n, u, out double dx), [dx]),
        [0.9], [-1.3], [2.0]);

    [Fact]
    public void SumOfPowers_MatchesTheAnalyticDerivative()
    {
        // d/dx Σ_{k=1..n} x^k = Σ k x^(k-1).
        const double x = 1.1;
        const int n = 9;
        double expected = Enumerable.Range(1, n).Sum(k => k * Math.Pow(x, k - 1));
        DerivativeAssert.AssertClose(expected, Loops.SumOfPowersJvp(x, n, 1).Tangent, "forward", 1e-12);
        Loops.SumOfPowersGradient(x, n, out double dx);
        DerivativeAssert.AssertClose(expected, dx, "reverse", 1e-12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Descending_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.Descending(x[0], n),
        (x, v) => Loops.DescendingJvp(x[0], n, v[0]),
        (x, u) => (Loops.DescendingVjp(x[0], n, u, out double dx), [dx]),
        [0.7], [-1.2]);

    [Fact]
    public void Descending_MatchesTheAnalyticDerivative()
    {
        // Horner from i = n down to 1 gives Σ i·x^(i-1); times x, Σ i·x^i, whose derivative is Σ i²·x^(i-1).
        const double x = 0.8;
        const int n = 6;
        double expected = Enumerable.Range(1, n).Sum(i => i * i * Math.Pow(x, i - 1));
        DerivativeAssert.AssertClose(expected, Loops.DescendingJvp(x, n, 1).Tangent, "forward", 1e-12);
        Loops.DescendingGradient(x, n, out double dx);
        DerivativeAssert.AssertClose(expected, dx, "reverse", 1e-12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(6)]
    public void InclusiveBound_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.InclusiveBound(x[0], x[1], n),
        (x, v) => Loops.InclusiveBoundJvp(x[0], x[1], n, v[0], v[1]),
        (x, u) => (Loops.InclusiveBoundVjp(x[0], x[1], n, u, out double dx, out double dy), [dx, dy]),
        [0.4, 1.5], [-2.0, 0.3]);

    [Fact]
    public void InclusiveBound_RunsTheLastIteration()
    {
        // With n = 1 the loop body runs once (i = 1 <= 1): ∂/∂x = cos(x)·y.
        double tangent = Loops.InclusiveBoundJvp(0.4, 1.5, 1, 1, 0).Tangent;
        DerivativeAssert.AssertClose(Math.Cos(0.4) * 1.5, tangent, "forward", 1e-14);
        Loops.InclusiveBoundGradient(0.4, 1.5, 1, out double dx, out _);
        DerivativeAssert.AssertClose(Math.Cos(0.4) * 1.5, dx, "reverse", 1e-14);
    }

    [Fact]
    public void WhileHalving_MatchesFiniteDifferences_ForSeveralTripCounts() => DerivativeAssert.Scalar(
        x => Loops.WhileHalving(x[0], x[1]),
        (x, v) => Loops.WhileHalvingJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Loops.WhileHalvingVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [0.5, 0.7], [5.3, 0.7], [37.0, -1.2], [1500.0, 2.0]);

    [Fact]
    public void WhileHalving_MatchesTheAnalyticDerivative()
    {
        // Three halvings of x = 5.3 (y = 0): h = x/8, result h²·y + 3, so ∂/∂y = h² and ∂/∂x = 0 at y = 0.
        Loops.WhileHalvingGradient(5.3, 0, out double dx, out double dy);
        Assert.Equal(0, dx);
        DerivativeAssert.AssertClose(Math.Pow(5.3 / 8, 2), dy, "∂/∂y", 1e-14);
    }

    [Fact]
    public void Break_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Loops.Break(x[0], 20),
        (x, v) => Loops.BreakJvp(x[0], 20, v[0]),
        (x, u) => (Loops.BreakVjp(x[0], 20, u, out double dx), [dx]),
        [1.5], [0.5], [3.1], [-0.8]);

    [Fact]
    public void Break_StopsAtTheRightIteration()
    {
        // x = 3: s = 1, 4, 13 > 10 → break; result 13·x with s = x² + x + 1, derivative (x² + x + 1) + x(2x + 1) = 34.
        Assert.Equal(39, Loops.Break(3, 20));
        DerivativeAssert.AssertClose(34, Loops.BreakJvp(3, 20, 1).Tangent, "forward", 1e-14);
        Loops.BreakGradient(3, 20, out double dx);
        DerivativeAssert.AssertClose(34, dx, "reverse", 1e-14);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void Continue_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.Continue(x[0], n),
        (x, v) => Loops.ContinueJvp(x[0], n, v[0]),
        (x, u) => (Loops.ContinueVjp(x[0], n, u, out double dx), [dx]),
        [0.6], [-1.7]);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(8)]
    public void WhileContinue_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.WhileContinue(x[0], n),
        (x, v) => Loops.WhileContinueJvp(x[0], n, v[0]),
        (x, u) => (Loops.WhileContinueVjp(x[0], n, u, out double dx), [dx]),
        [0.6], [-1.7], [2.3]);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void NestedBreak_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.NestedBreak(x[0], n),
        (x, v) => Loops.NestedBreakJvp(x[0], n, v[0]),
        (x, u) => (Loops.NestedBreakVjp(x[0], n, u, out double dx), [dx]),
        [1.5], [0.5], [2.7]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void Nested_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.Nested(x[0], x[1], n),
        (x, v) => Loops.NestedJvp(x[0], x[1], n, v[0], v[1]),
        (x, u) => (Loops.NestedVjp(x[0], x[1], n, u, out double dx, out double dy), [dx, dy]),
        [0.3, 0.8], [-1.1, 0.4]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void WhileTrueBreak_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.WhileTrueBreak(x[0], n),
        (x, v) => Loops.WhileTrueBreakJvp(x[0], n, v[0]),
        (x, u) => (Loops.WhileTrueBreakVjp(x[0], n, u, out double dx), [dx]),
        [0.7], [1.6], [-0.4]);

    [Fact]
    public void OverloadsInliningTheSameNest_MatchFiniteDifferences()
    {
        double[] a = [0.5, -1.25, 2.0];
        DerivativeAssert.Scalar(
            x => NestOverloads.Combine(a, x[0]),
            (x, v) => NestOverloads.CombineJvp(a, x[0], a.Select(_ => 0.0).ToArray(), v[0]),
            (x, u) => (NestOverloads.CombineVjp(a, x[0], u, new double[a.Length], out double dx), [dx]),
            [0.7], [-1.3]);
        DerivativeAssert.Scalar(
            x => NestOverloads.Combine(a, x[0], x[1]),
            (x, v) => NestOverloads.CombineJvp(a, x[0], x[1], a.Select(_ => 0.0).ToArray(), v[0], v[1]),
            (x, u) => (NestOverloads.CombineVjp(a, x[0], x[1], u, new double[a.Length], out double dx, out double dy), [dx, dy]),
            [0.7, 2.0], [-1.3, 0.5]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void NestsReadingAField_InAClassAndAStruct_MatchFiniteDifferences(int n)
    {
        var inClass = new DecayingSum(0.8);
        var inStruct = new DecayingSumStruct(0.8);
        DerivativeAssert.Scalar(
            x => inClass.Total(x[0], n),
            (x, v) => inClass.TotalJvp(x[0], n, v[0]),
            (x, u) => (inClass.TotalVjp(x[0], n, u, out double dx), [dx]),
            [0.9], [-1.1]);
        DerivativeAssert.Scalar(
            x => inStruct.Total(x[0], n),
            (x, v) => inStruct.TotalJvp(x[0], n, v[0]),
            (x, u) => (inStruct.TotalVjp(x[0], n, u, out double dx), [dx]),
            [0.9], [-1.1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void CarriedThroughNests_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.CarriedThroughNests(x[0], n),
        (x, v) => Loops.CarriedThroughNestsJvp(x[0], n, v[0]),
        (x, u) => (Loops.CarriedThroughNestsVjp(x[0], n, u, out double dx), [dx]),
        [0.3], [-1.2], [2.0]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void WhileAroundFor_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.WhileAroundFor(x[0], n),
        (x, v) => Loops.WhileAroundForJvp(x[0], n, v[0]),
        (x, u) => (Loops.WhileAroundForVjp(x[0], n, u, out double dx), [dx]),
        [0.7], [1.3], [4.1]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(6)]
    public void Overwritten_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.Overwritten(x[0], n),
        (x, v) => Loops.OverwrittenJvp(x[0], n, v[0]),
        (x, u) => (Loops.OverwrittenVjp(x[0], n, u, out double dx), [dx]),
        [0.5], [-2.0]);

    [Fact]
    public void WhileCompoundCondition_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Loops.WhileCompoundCondition(x[0], x[1]),
        (x, v) => Loops.WhileCompoundConditionJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Loops.WhileCompoundConditionVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [1.3, 0.2], [150.0, 1.0], [-3.7, 2.1], [-1e3, -2.0]); // the last stops at k = 50

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(10)]
    public void GeneralFor_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.GeneralFor(x[0], n),
        (x, v) => Loops.GeneralForJvp(x[0], n, v[0]),
        (x, u) => (Loops.GeneralForVjp(x[0], n, u, out double dx), [dx]),
        [1.1], [3.0]); // 3.0 leaves on s >= 1e6 before n

    [Fact]
    public void ForEachArray_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Loops.ForEachArray(p[..^1], p[^1]),
        (p, v) => Loops.ForEachArrayJvp(p[..^1], p[^1], v[..^1], v[^1]),
        (p, u) =>
        {
            var da = new double[p.Length - 1];
            double value = Loops.ForEachArrayVjp(p[..^1], p[^1], u, da, out double dx);
            return (value, [.. da, dx]);
        },
        [0.5, -1.0, 2.0, 0.7], [1.5, 0.2], [-0.3]);

    [Fact]
    public void ForEachSpan_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Loops.ForEachSpan(p.AsSpan(0, p.Length - 1), p[^1]),
        (p, v) => Loops.ForEachSpanJvp(p.AsSpan(0, p.Length - 1), p[^1], v.AsSpan(0, v.Length - 1), v[^1]),
        (p, u) =>
        {
            var da = new double[p.Length - 1];
            double value = Loops.ForEachSpanVjp(p.AsSpan(0, p.Length - 1), p[^1], u, da, out double dx);
            return (value, [.. da, dx]);
        },
        [0.5, -1.0, 2.0, 0.7], [-0.25, 0.8, -0.1], [0.3]);

    [Fact]
    public void ForEachWithReturn_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Loops.ForEachFirstAbove(p[..^1], p[^1]),
        (p, v) => Loops.ForEachFirstAboveJvp(p[..^1], p[^1], v[..^1], v[^1]),
        (p, u) =>
        {
            var da = new double[p.Length - 1];
            double value = Loops.ForEachFirstAboveVjp(p[..^1], p[^1], u, da, out double dt);
            return (value, [.. da, dt]);
        },
        [0.5, -1.0, 2.0, 0.7, 1.1], // returns at the third element
        [0.5, 0.2, 1.0], // runs to the end
        [3.0, 1.0], // returns at the first
        [0.4]); // an empty array

    [Fact]
    public void ForEachWithBreakAndContinue_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Loops.ForEachSumUntil(p.AsSpan(0, p.Length - 1), p[^1]),
        (p, v) => Loops.ForEachSumUntilJvp(p.AsSpan(0, p.Length - 1), p[^1], v.AsSpan(0, v.Length - 1), v[^1]),
        (p, u) =>
        {
            var da = new double[p.Length - 1];
            double value = Loops.ForEachSumUntilVjp(p.AsSpan(0, p.Length - 1), p[^1], u, da, out double dlimit);
            return (value, [.. da, dlimit]);
        },
        [1.0, 2.0, -3.0, 4.0, 0.6], // breaks before the fourth element
        [0.5, -1.0, 0.7, 50.0], // never breaks
        [2.0]);

    [Fact]
    public void NestedForEach_WithBreakAndReturn_MatchesFiniteDifferences()
    {
        const int rows = 3;
        DerivativeAssert.Scalar(
            p => Loops.ForEachNested(p[..rows], p[rows..^1], p[^1]),
            (p, v) => Loops.ForEachNestedJvp(p[..rows], p[rows..^1], p[^1], v[..rows], v[rows..^1], v[^1]),
            (p, u) =>
            {
                var dRows = new double[rows];
                var dWeights = new double[p.Length - rows - 1];
                double value = Loops.ForEachNestedVjp(p[..rows], p[rows..^1], p[^1], u, dRows, dWeights, out double dx);
                return (value, [.. dRows, .. dWeights, dx]);
            },
            [1.0, 2.0, 3.0, 0.5, 1.5, 3.5, 1.0], // the inner loop breaks at 3.5; the outer returns at the third row
            [0.2, 0.3, 0.1, 0.4, 0.9, 1.2], // neither leaves early
            [4.0, 5.0, 6.0, 1.0, 1.0, 0.8]); // returns at the second row
    }

    [Theory]
    [InlineData(new[] { 0.5, 1.5, -2.0, 3.0 }, 0.7)]
    [InlineData(new[] { 0.5, 1.5, 2.0 }, -1.3)]
    public void ForEachByReference_WithBreak_WritesThePrimalsContents_AndMatchesFiniteDifferences(double[] start, double k)
    {
        double[] Apply(double[] p)
        {
            double[] a = p[..^1];
            Loops.ForEachScaleUntilNegative(a, p[^1]);
            return a;
        }

        DerivativeAssert.Vector(
            Apply,
            (p, v) =>
            {
                double[] a = p[..^1], da = v[..^1];
                Loops.ForEachScaleUntilNegativeJvp(a, p[^1], da, v[^1]);
                return (a, da);
            },
            (p, u) =>
            {
                double[] a = p[..^1], da = (double[])u.Clone();
                Loops.ForEachScaleUntilNegativeVjp(a, p[^1], da, out double dk);
                return (a, [.. da, dk]);
            },
            [.. start, k]);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(2.0)]
    [InlineData(10.0)]
    [InlineData(12345.678)]
    public void NewtonSqrt_HasDerivativeOneOverTwoRootA(double a)
    {
        double expected = 1 / (2 * Math.Sqrt(a));
        (double value, double tangent) = Loops.NewtonSqrtJvp(a, 1);
        Assert.Equal(Loops.NewtonSqrt(a), value);
        DerivativeAssert.AssertClose(Math.Sqrt(a), value, "√a", 1e-14);
        DerivativeAssert.AssertClose(expected, tangent, "d√a/da by forward mode", 1e-12);
        Loops.NewtonSqrtGradient(a, out double da);
        DerivativeAssert.AssertClose(expected, da, "d√a/da by reverse mode", 1e-12);
    }

    [Fact]
    public void NewtonSqrt_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Loops.NewtonSqrt(x[0]),
        (x, v) => Loops.NewtonSqrtJvp(x[0], v[0]),
        (x, u) => (Loops.NewtonSqrtVjp(x[0], u, out double da), [da]),
        [0.25], [3.0], [400.0]);

    [Fact]
    public void DampedOscillator_MatchesFiniteDifferences_Over1000Steps() => DerivativeAssert.Scalar(
        p => Loops.DampedOscillator(p[0], p[1], p[2], p[3], 1000, p[4]),
        (p, v) => Loops.DampedOscillatorJvp(p[0], p[1], p[2], p[3], 1000, p[4], v[0], v[1], v[2], v[3], v[4]),
        (p, u) => (Loops.DampedOscillatorVjp(p[0], p[1], p[2], p[3], 1000, p[4], u, out double dk, out double dc, out double dx0, out double dv0, out double ddt), [dk, dc, dx0, dv0, ddt]),
        [4.0, 0.3, 1.0, 0.0, 0.01], [2.5, 0.8, -0.5, 1.5, 0.005]);

    [Fact]
    public void DampedOscillator_IsLinearInTheInitialState()
    {
        // The Euler map is linear in (x, v): x_N = α·x0 + β·v0 with α, β independent of x0 and v0, so the gradient
        // with respect to (x0, v0) at any state is (α, β) = (x_N(1, 0), x_N(0, 1)).
        const double k = 4.0, c = 0.3, dt = 0.01;
        double alpha = Loops.DampedOscillator(k, c, 1, 0, 1000, dt);
        double beta = Loops.DampedOscillator(k, c, 0, 1, 1000, dt);
        Loops.DampedOscillatorGradient(k, c, 0.7, -2.0, 1000, dt, out _, out _, out double dx0, out double dv0, out _);
        DerivativeAssert.AssertClose(alpha, dx0, "∂x_N/∂x0", 1e-12);
        DerivativeAssert.AssertClose(beta, dv0, "∂x_N/∂v0", 1e-12);
        DerivativeAssert.AssertClose(alpha, Loops.DampedOscillatorJvp(k, c, 0.7, -2.0, 1000, dt, 0, 0, 1, 0, 0).Tangent, "∂x_N/∂x0 forward", 1e-12);
        DerivativeAssert.AssertClose(beta, Loops.DampedOscillatorJvp(k, c, 0.7, -2.0, 1000, dt, 0, 0, 0, 1, 0).Tangent, "∂x_N/∂v0 forward", 1e-12);
    }

    [Theory]
    [InlineData(0.9f, 10)]
    [InlineData(-1.2f, 5)]
    public void SumOfPowersF_MatchesDoublePrecisionFiniteDifferences(float x, int n) => SinglePrecisionAssert.Scalar(
        p => Enumerable.Range(1, n).Sum(k => Math.Pow(p[0], k)),
        p => Loops.SumOfPowersF(p[0], n),
        (p, v) => Loops.SumOfPowersFJvp(p[0], n, v[0]),
        (p, u) => (Loops.SumOfPowersFVjp(p[0], n, u, out float dx), [dx]),
        [x]);

    [Fact]
    public void WhileHalvingF_MatchesDoublePrecisionFiniteDifferences()
    {
        static double Reference(double[] p)
        {
            double h = p[0];
            while (h > 1)
            {
                h = h / 2 + Math.Sin(p[1]) * 0.01;
            }

            return h * p[1];
        }

        SinglePrecisionAssert.Scalar(
            Reference,
            p => Loops.WhileHalvingF(p[0], p[1]),
            (p, v) => Loops.WhileHalvingFJvp(p[0], p[1], v[0], v[1]),
            (p, u) => (Loops.WhileHalvingFVjp(p[0], p[1], u, out float dx, out float dy), [dx, dy]),
            [5.3f, 0.7f], [0.5f, -1.5f], [37f, 1.25f]);
    }

    [Fact]
    public void DoWhile_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Loops.DoWhile(x[0], x[1]),
        (x, v) => Loops.DoWhileJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Loops.DoWhileVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [0.5, 0.8], [-1.2, 1.5], [2.0, -0.3]);

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void SumAfterSquare_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.SumAfterSquare(x[0], x[1], n),
        (x, v) => Loops.SumAfterSquareJvp(x[0], x[1], n, v[0], v[1]),
        (x, u) => (Loops.SumAfterSquareVjp(x[0], x[1], n, u, out double dx, out double dy), [dx, dy]),
        [0.7, 1.3], [-1.1, 0.6]);

    [Fact]
    public void StridedSum_CarriedCounter_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Loops.StridedSum(x, 3),
        (x, v) => Loops.StridedSumJvp(x, 3, v),
        (x, u) =>
        {
            double[] dx = new double[x.Length];
            return (Loops.StridedSumVjp(x, 3, u, dx), dx);
        },
        [0.5, -1.0, 2.0, 0.3, -0.7, 1.1]);

    [Fact]
    public void PrefixSquares_SumUsedInTheSameIteration_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Loops.PrefixSquares(x),
        (x, v) => Loops.PrefixSquaresJvp(x, v),
        (x, u) =>
        {
            double[] dx = new double[x.Length];
            return (Loops.PrefixSquaresVjp(x, u, dx), dx);
        },
        [0.7, -0.4, 1.3, 0.9, -1.1]);

    [Fact]
    public void RefillFromCarried_FillReadsAValueALaterLoopChanges_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Loops.RefillFromCarried(x),
        (x, v) => Loops.RefillFromCarriedJvp(x, v),
        (x, u) =>
        {
            double[] dx = new double[x.Length];
            return (Loops.RefillFromCarriedVjp(x, u, dx), dx);
        },
        [0.7, -0.4, 1.3, 0.9, -1.1]);
    [Theory]
    [InlineData(0.5)]
    [InlineData(3.0)]
    [InlineData(100.0)]
    public void FirstAbove_ReturnsFromInsideTheLoop_MatchesFiniteDifferences(double threshold) => DerivativeAssert.Scalar(
        p => Loops.FirstAbove(p[..^1], p[^1]),
        (p, v) => Loops.FirstAboveJvp(p[..^1], p[^1], v.AsSpan(0, v.Length - 1), v[^1]),
        (p, u) =>
        {
            var da = new double[p.Length - 1];
            double value = Loops.FirstAboveVjp(p[..^1], p[^1], u, da, out double dt);
            return (value, [.. da, dt]);
        },
        [0.4, -1.1, 1.6, 0.3, threshold]);

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(6)]
    public void NestedSearch_ReturnsFromTheInnerLoop_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        x => Loops.NestedSearch(x[0], n),
        (x, v) => Loops.NestedSearchJvp(x[0], n, v[0]),
        (x, u) => (Loops.NestedSearchVjp(x[0], n, u, out double dx), [dx]),
        [1.7], [2.9], [0.6]);
}

/// <summary>
/// The float counterpart of <see cref="DerivativeAssert"/>: float derivatives against central finite differences of
/// a double-precision reference implementation of the same formulas (float finite differences would be too noisy),
/// the primal value bit for bit, and the dot-product test, all with a tolerance fitting float rounding.
/// </summary>
internal static class SinglePrecisionAssert
{
    public const double Tolerance = 1e-5;

    /// <param name="reference">The same function in double precision, for finite differences.</param>
    /// <param name="f">The float primal.</param>
    /// <param name="jvp">Forward mode: (x, v) → (f(x), J v).</param>
    /// <param name="vjp">Reverse mode: (x, u) → (f(x), Jᵀ u).</param>
    public static void Vector(
        Func<double[], double[]> reference,
        Func<float[], float[]> f,
        Func<float[], float[], (float[] Value, float[] Tangent)> jvp,
        Func<float[], float[], (float[] Value, float[] Gradient)> vjp,
        params float[][] points)
    {
        Assert.NotEmpty(points);
        var random = new Random(12345);
        foreach (float[] x in points)
        {
            float[] value = f(x);
            int m = value.Length, n = x.Length;
            double[,] expected = FiniteDifferences.Jacobian(reference, x.Select(p => (double)p).ToArray());
            for (int i = 0; i < m; i++)
            {
                DerivativeAssert.AssertClose(reference(x.Select(p => (double)p).ToArray())[i], value[i], $"f[{i}] against the double reference", Tolerance);
            }

            for (int j = 0; j < n; j++)
            {
                var (forwardValue, column) = jvp(x, Unit(n, j));
                Assert.Equal(value, forwardValue);
                for (int i = 0; i < m; i++)
                {
                    DerivativeAssert.AssertClose(expected[i, j], column[i], $"J[{i},{j}] by forward mode at ({string.Join(", ", x)})", Tolerance);
                }
            }

            for (int i = 0; i < m; i++)
            {
                var (reverseValue, row) = vjp(x, Unit(m, i));
                Assert.Equal(value, reverseValue);
                for (int j = 0; j < n; j++)
                {
                    DerivativeAssert.AssertClose(expected[i, j], row[j], $"J[{i},{j}] by reverse mode at ({string.Join(", ", x)})", Tolerance);
                }
            }

            float[] v = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            float[] u = Enumerable.Range(0, m).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            double left = Dot(u, jvp(x, v).Tangent);
            double right = Dot(vjp(x, u).Gradient, v);
            double scale = Math.Max(1, Math.Max(Math.Abs(left), Math.Abs(right)));
            Assert.True(Math.Abs(left - right) <= Tolerance * scale, $"dot-product test: <u, Jv> = {left}, <J^T u, v> = {right}");
        }
    }

    /// <summary>The scalar-result case of <see cref="Vector"/>.</summary>
    public static void Scalar(
        Func<double[], double> reference,
        Func<float[], float> f,
        Func<float[], float[], (float Value, float Tangent)> jvp,
        Func<float[], float, (float Value, float[] Gradient)> vjp,
        params float[][] points) =>
        Vector(
            x => [reference(x)],
            x => [f(x)],
            (x, v) => jvp(x, v) is var r ? ([r.Value], [r.Tangent]) : default,
            (x, u) => vjp(x, u[0]) is var r ? ([r.Value], r.Gradient) : default,
            points);

    private static float[] Unit(int n, int i)
    {
        var e = new float[n];
        e[i] = 1;
        return e;
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, (p, q) => (double)p * q).Sum();

}
