using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>
/// ref locals write through to what they name, in both modes: every scenario of <see cref="RefLocals"/> against central
/// finite differences (of the result and of the final contents of arrays written through them) and the dot-product test.
/// </summary>
public class RefLocalTests
{
    [Fact]
    public void ToLocal_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => RefLocals.ToLocal(x[0], x[1]),
        (x, v) => RefLocals.ToLocalJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (RefLocals.ToLocalVjp(x[0], x[1], u, out double da, out double db), [da, db]),
        [3.0, 4.0], [-0.5, 1.5]);

    [Fact]
    public void ToLocal_HasTheAnalyticGradient()
    {
        // c = (ab + a)·b, result 2c + b: ∂/∂a = 2b(b + 1), ∂/∂b = 2(2ab + a) + 1.
        Assert.Equal(2 * (3.0 * 4 + 3) * 4 + 4, RefLocals.ToLocalGradient(3, 4, out double da, out double db));
        Assert.Equal(2 * 4 * (4 + 1.0), da);
        Assert.Equal(2 * (2 * 3 * 4 + 3.0) + 1, db);
    }

    [Fact]
    public void ChainToParameter_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => RefLocals.ChainToParameter(x[0], x[1]),
        (x, v) => RefLocals.ChainToParameterJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (RefLocals.ChainToParameterVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [3.0, 4.0], [0.7, -1.1]);

    [Fact]
    public void ToElement_MatchesFiniteDifferences_OfValueAndFinalContents() => DerivativeAssert.Vector(
        a =>
        {
            double[] copy = (double[])a.Clone();
            double value = RefLocals.ToElement(copy);
            return [value, .. copy];
        },
        (a, v) =>
        {
            double[] copy = (double[])a.Clone(), da = (double[])v.Clone();
            (double value, double tangent) = RefLocals.ToElementJvp(copy, da);
            return ([value, .. copy], [tangent, .. da]);
        },
        (a, u) =>
        {
            double[] copy = (double[])a.Clone(), da = u[1..];
            double value = RefLocals.ToElementVjp(copy, u[0], da);
            return ([value, .. copy], da);
        },
        [1.5, 2.0, -0.5], [0.3]);

    [Fact]
    public void ToElement_SquaresTheArrayInPlace_InEveryEntryPoint()
    {
        double[] primal = [1.5, 2.0, -0.5], forward = [1.5, 2.0, -0.5], reverse = [1.5, 2.0, -0.5];
        double value = RefLocals.ToElement(primal);
        Assert.Equal([2.25, 4.0, 0.25], primal);
        Assert.Equal(value, RefLocals.ToElementJvp(forward, new double[3]).Value);
        Assert.Equal(value, RefLocals.ToElementGradient(reverse, new double[3]));
        Assert.Equal(primal, forward);
        Assert.Equal(primal, reverse);
    }

    [Fact]
    public void IndexChangesAfterward_KeepsTheElementItWasTakenAt() => DerivativeAssert.Vector(
        p =>
        {
            double[] a = p[..^1];
            double value = RefLocals.IndexChangesAfterward(a, p[^1]);
            return [value, .. a];
        },
        (p, v) =>
        {
            double[] a = p[..^1], da = v[..^1];
            (double value, double tangent) = RefLocals.IndexChangesAfterwardJvp(a, p[^1], da, v[^1]);
            return ([value, .. a], [tangent, .. da]);
        },
        (p, u) =>
        {
            double[] a = p[..^1], da = u[1..];
            double value = RefLocals.IndexChangesAfterwardVjp(a, p[^1], u[0], da, out double dx);
            return ([value, .. a], [.. da, dx]);
        },
        [0.5, -1.5, 2.0, 0.8]);

    [Fact]
    public void ForEachRef_MatchesFiniteDifferences_OfValueAndFinalContents() => DerivativeAssert.Vector(
        a =>
        {
            double[] copy = (double[])a.Clone();
            double value = RefLocals.ForEachRef(copy);
            return [value, .. copy];
        },
        (a, v) =>
        {
            double[] copy = (double[])a.Clone(), da = (double[])v.Clone();
            (double value, double tangent) = RefLocals.ForEachRefJvp(copy, da);
            return ([value, .. copy], [tangent, .. da]);
        },
        (a, u) =>
        {
            double[] copy = (double[])a.Clone(), da = u[1..];
            double value = RefLocals.ForEachRefVjp(copy, u[0], da);
            return ([value, .. copy], da);
        },
        [1.5, 2.0, -0.5], []);

    [Fact]
    public void CarriedThroughLoop_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => RefLocals.CarriedThroughLoop(x[0], x[1]),
        (x, v) => RefLocals.CarriedThroughLoopJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (RefLocals.CarriedThroughLoopVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [0.3, 0.4], [-0.9, 1.2]);

    [Theory]
    [InlineData(0.6, 0.4)]
    [InlineData(-0.6, 0.4)]
    public void InBranch_MatchesFiniteDifferences(double x, double y) => DerivativeAssert.Scalar(
        p => RefLocals.InBranch(p[0], p[1]),
        (p, v) => RefLocals.InBranchJvp(p[0], p[1], v[0], v[1]),
        (p, u) => (RefLocals.InBranchVjp(p[0], p[1], u, out double dx, out double dy), [dx, dy]),
        [x, y]);
}
