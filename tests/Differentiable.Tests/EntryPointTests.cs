using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>
/// Every entry point does what the primal does, on every input the primal accepts: the same writes to the caller's
/// arrays, the same exceptions from checked arithmetic, loops exact at the ends of int, and documented exceptions for
/// bad arguments before any work.
/// </summary>
public class EntryPointTests
{
    // ------------------------------------------------------------ effects on the caller's arrays

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void RepeatedInPlace_LeavesTheArrayAsThePrimalDoes_InEveryEntryPoint(int times)
    {
        double[] primal = [0.5, -0.4, 0.3], forward = [0.5, -0.4, 0.3], reverse = [0.5, -0.4, 0.3], gradient = [0.5, -0.4, 0.3];
        double value = Arrays.RepeatedInPlace(primal, times);
        Assert.Equal(value, Arrays.RepeatedInPlaceJvp(forward, times, new double[3]).Value);
        Assert.Equal(value, Arrays.RepeatedInPlaceVjp(reverse, times, 1.0, new double[3]));
        Assert.Equal(value, Arrays.RepeatedInPlaceGradient(gradient, times, new double[3]));
        Assert.Equal(primal, forward);
        Assert.Equal(primal, reverse);
        Assert.Equal(primal, gradient);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void RepeatedInPlace_MatchesFiniteDifferences_OfValueAndFinalContents(int times) => DerivativeAssert.Vector(
        a =>
        {
            double[] copy = (double[])a.Clone();
            double value = Arrays.RepeatedInPlace(copy, times);
            return [value, .. copy];
        },
        (a, v) =>
        {
            double[] copy = (double[])a.Clone(), da = (double[])v.Clone();
            (double value, double tangent) = Arrays.RepeatedInPlaceJvp(copy, times, da);
            return ([value, .. copy], [tangent, .. da]);
        },
        (a, u) =>
        {
            double[] copy = (double[])a.Clone(), da = u[1..];
            double value = Arrays.RepeatedInPlaceVjp(copy, times, u[0], da);
            return ([value, .. copy], da);
        },
        [0.5, -0.4, 0.3], [1.1, 0.2]);

    [Fact]
    public void HelperTwiceThenWrite_MatchesFiniteDifferences_AndWritesTheArrayOnce() => DerivativeAssert.Vector(
        p =>
        {
            double[] a = p[2..];
            double value = Arrays.HelperTwiceThenWrite(p[0], p[1], a);
            return [value, .. a];
        },
        (p, v) =>
        {
            double[] a = p[2..], da = v[2..];
            (double value, double tangent) = Arrays.HelperTwiceThenWriteJvp(p[0], p[1], a, v[0], v[1], da);
            return ([value, .. a], [tangent, .. da]);
        },
        (p, u) =>
        {
            double[] a = p[2..], da = u[1..];
            double value = Arrays.HelperTwiceThenWriteVjp(p[0], p[1], a, u[0], out double dy, out double dz, da);
            return ([value, .. a], [dy, dz, .. da]);
        },
        [0.3, 0.7, 0.5, 1.5, -1.0], [-1.2, 0.4, 2.0, 0.1]);

    [Fact]
    public void NeighbourProducts_AnElementReadInAConditionalExpression_HasItsTangent()
    {
        // s = Σ u[i]·u[i+1]: ∂s/∂u = (u[1], u[0] + u[2], u[1]) = (2, 4, 2) at u = (1, 2, 3), in both modes.
        double[] u = [1.0, 2.0, 3.0];
        for (int j = 0; j < 3; j++)
        {
            double[] e = new double[3];
            e[j] = 1;
            Assert.Equal(new[] { 2.0, 4.0, 2.0 }[j], Arrays.NeighbourProductsJvp(u, e).Tangent);
        }

        double[] du = new double[3];
        Arrays.NeighbourProductsGradient(u, du);
        Assert.Equal([2.0, 4.0, 2.0], du);
    }

    [Fact]
    public void NeighbourProducts_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        Arrays.NeighbourProducts,
        (u, v) => Arrays.NeighbourProductsJvp(u, v),
        (u, w) =>
        {
            double[] du = new double[u.Length];
            return (Arrays.NeighbourProductsVjp(u, w, du), du);
        },
        [1.0, 2.0, 3.0], [0.5, -1.5, 2.5, 0.25], [4.0]);

    // ------------------------------------------------------------ loops at the ends of int

    [Theory]
    [InlineData(int.MinValue, 3)]
    [InlineData(int.MinValue, 0)]
    [InlineData(-5, 3)]
    public void FromLow_IsExact_WhenTheFirstIndexIsAtTheBottomOfInt(int lo, int count) => DerivativeAssert.Scalar(
        x => Loops.FromLow(x[0], lo, count),
        (x, v) => Loops.FromLowJvp(x[0], lo, count, v[0]),
        (x, u) => (Loops.FromLowVjp(x[0], lo, count, u, out double dx), [dx]),
        [0.7], [-1.3]);

    [Theory]
    [InlineData(int.MaxValue, 3)]
    [InlineData(int.MaxValue, 1)]
    [InlineData(10, 4)]
    public void FromHigh_IsExact_WhenTheFirstIndexIsAtTheTopOfInt(int hi, int count) => DerivativeAssert.Scalar(
        x => Loops.FromHigh(x[0], hi, count),
        (x, v) => Loops.FromHighJvp(x[0], hi, count, v[0]),
        (x, u) => (Loops.FromHighVjp(x[0], hi, count, u, out double dx), [dx]),
        [0.7], [-1.3]);

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(4)]
    public void UpTo_IsExact_ForEveryTripCount_IncludingABoundOfIntMinValue(int n) => DerivativeAssert.Scalar(
        x => Loops.UpTo(x[0], n),
        (x, v) => Loops.UpToJvp(x[0], n, v[0]),
        (x, u) => (Loops.UpToVjp(x[0], n, u, out double dx), [dx]),
        [0.7], [-1.3]);

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(3)]
    [InlineData(-1)]
    public void DownTo_IsExact_ForEveryTripCount_IncludingABoundOfIntMaxValue(int bound) => DerivativeAssert.Scalar(
        x => Loops.DownTo(x[0], bound),
        (x, v) => Loops.DownToJvp(x[0], bound, v[0]),
        (x, u) => (Loops.DownToVjp(x[0], bound, u, out double dx), [dx]),
        [0.7], [-1.3]);

    // ------------------------------------------------------------ overflow contexts

    [Fact]
    public void CheckedCount_ThrowsOverflowException_WhereThePrimalDoes()
    {
        Assert.Throws<OverflowException>(() => Loops.CheckedCount(0.5, 1 << 20, 1 << 12));
        Assert.Throws<OverflowException>(() => Loops.CheckedCountJvp(0.5, 1 << 20, 1 << 12, 1.0));
        Assert.Throws<OverflowException>(() => Loops.CheckedCountVjp(0.5, 1 << 20, 1 << 12, 1.0, out _));
        Assert.Throws<OverflowException>(() => Loops.CheckedCountGradient(0.5, 1 << 20, 1 << 12, out _));
    }

    [Fact]
    public void CheckedCount_MatchesFiniteDifferences_WhereItDoesNotOverflow() => DerivativeAssert.Scalar(
        x => Loops.CheckedCount(x[0], 3, 2),
        (x, v) => Loops.CheckedCountJvp(x[0], 3, 2, v[0]),
        (x, u) => (Loops.CheckedCountVjp(x[0], 3, 2, u, out double dx), [dx]),
        [0.7]);

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(7)]
    [InlineData(8)]
    public void UncheckedHash_WrapsLikeThePrimal(int seed) => DerivativeAssert.Scalar(
        x => Loops.UncheckedHash(x[0], seed),
        (x, v) => Loops.UncheckedHashJvp(x[0], seed, v[0]),
        (x, u) => (Loops.UncheckedHashVjp(x[0], seed, u, out double dx), [dx]),
        [0.7], [-1.1]);

    // ------------------------------------------------------------ bad arguments

    [Fact]
    public void NullArray_IsAnArgumentNullException_NamingIt_InEveryEntryPoint()
    {
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => Arrays.SumOfSquaresJvp(null!, [])).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => Arrays.SumOfSquaresVjp(null!, 1.0, [])).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => Arrays.SumOfSquaresGradient(null!, [])).ParamName);
        Assert.Equal("u", Assert.Throws<ArgumentNullException>(() => Arrays.NeighbourProductsGradient(null!, [])).ParamName);
    }
}
