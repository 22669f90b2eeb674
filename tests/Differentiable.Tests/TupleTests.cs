using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

public class TupleTests
{
    [Fact]
    public void SumAndProduct_Jacobian_MatchesFiniteDifferences() => DerivativeAssert.Vector(
        x => Tuples.SumAndProduct(x[0], x[1]) is var r ? [r.Sum, r.Product] : [],
        (x, v) => Tuples.SumAndProductJvp(x[0], x[1], v[0], v[1]) is var r
            ? ([r.Value.Sum, r.Value.Product], [r.Tangent.Sum, r.Tangent.Product])
            : default,
        (x, u) => Tuples.SumAndProductVjp(x[0], x[1], (u[0], u[1]), out double dx, out double dy) is var r
            ? ([r.Sum, r.Product], [dx, dy])
            : default,
        [1.5, -0.7], [0.3, 2.0]);

    [Fact]
    public void Mixed_IntegerElementHasDefaultTangentAndIgnoredCotangent()
    {
        var forward = Tuples.MixedJvp(0.5, 3, 1.0);
        Assert.Equal(Tuples.Mixed(0.5, 3), forward.Value);
        Assert.Equal(3.0, forward.Tangent.A);
        Assert.Equal(0, forward.Tangent.Count);
        Assert.Equal(Math.Cos(0.5), forward.Tangent.B);

        Tuples.MixedVjp(0.5, 3, (1.0, 12345, 2.0), out double dx);
        Assert.Equal(3.0 + 2 * Math.Cos(0.5), dx);
    }

    [Fact]
    public void UsesTuple_ChainsThroughTupleResultsAndDeconstruction() => DerivativeAssert.Scalar(
        x => Tuples.UsesTuple(x[0], x[1]),
        (x, v) => Tuples.UsesTupleJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Tuples.UsesTupleVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [1.5, -0.7], [0.3, 2.0]);

    [Fact]
    public void Swap_Jacobian_MatchesFiniteDifferences() => DerivativeAssert.Vector(
        x => Tuples.Swap(x[0], x[1]) is var r ? [r.Item1, r.Item2] : [],
        (x, v) => Tuples.SwapJvp(x[0], x[1], v[0], v[1]) is var r
            ? ([r.Value.Item1, r.Value.Item2], [r.Tangent.Item1, r.Tangent.Item2])
            : default,
        (x, u) => Tuples.SwapVjp(x[0], x[1], (u[0], u[1]), out double dx, out double dy) is var r
            ? ([r.Item1, r.Item2], [dx, dy])
            : default,
        [1.5, -0.7]);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void TupleValuedCallInALoop_BothTargetsRestoredInOrder_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        p => TuplesInLoops.Spiral(p[0], n),
        (p, v) => TuplesInLoops.SpiralJvp(p[0], n, v[0]),
        (p, u) => (TuplesInLoops.SpiralVjp(p[0], n, u, out double dx), [dx]),
        [0.4], [-1.1]);
}

