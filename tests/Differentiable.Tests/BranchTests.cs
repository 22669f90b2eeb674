using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

public class BranchTests
{
    // Points on both sides of every branch, away from the switching surfaces.
    private static readonly double[][] Points = [[1.5, -0.7], [0.3, 2.0], [-2.5, 1.25], [-1.0, -4.0], [0.5, 0.5], [2.0, 3.0], [-3.0, 0.5]];

    [Fact]
    public void Piecewise_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Branches.Piecewise(x[0], x[1]),
        (x, v) => Branches.PiecewiseJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Branches.PiecewiseVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        Points.Where(p => p[0] != p[1]).ToArray());

    [Fact]
    public void Nested_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Branches.Nested(x[0], x[1]),
        (x, v) => Branches.NestedJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Branches.NestedVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        Points);

    [Fact]
    public void EarlyReturn_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Branches.EarlyReturn(x[0], x[1]),
        (x, v) => Branches.EarlyReturnJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Branches.EarlyReturnVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        Points);

    [Fact]
    public void Ternary_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Branches.Ternary(x[0], x[1]),
        (x, v) => Branches.TernaryJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Branches.TernaryVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        Points.Where(p => p[0] != p[1]).ToArray());

    [Fact]
    public void OnlyThen_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Branches.OnlyThen(x[0]),
        (x, v) => Branches.OnlyThenJvp(x[0], v[0]),
        (x, u) => (Branches.OnlyThenVjp(x[0], u, out double dx), [dx]),
        [1.0], [2.5], [-0.5]);

    [Fact]
    public void ConditionalInsideBranch_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Branches.ConditionalInsideBranch(x[0], x[1]),
        (x, v) => Branches.ConditionalInsideBranchJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Branches.ConditionalInsideBranchVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [0.5, 2.0], [0.5, 0.3], [-1.0, 2.0]);
}
