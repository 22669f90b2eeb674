using Differentiable.Tests.ExternalMath;
using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

public class CallTests
{
    [Fact]
    public void SumOfSquares_ChainsThroughCalleesInOtherTypes() => DerivativeAssert.Scalar(
        x => Calls.SumOfSquares(x[0], x[1]),
        (x, v) => Calls.SumOfSquaresJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Calls.SumOfSquaresVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [1.5, -0.7], [0.3, 2.0]);

    [Fact]
    public void UsesNested_ChainsThroughNestedTypes() => DerivativeAssert.Scalar(
        x => Calls.UsesNested(x[0]),
        (x, v) => Calls.UsesNestedJvp(x[0], v[0]),
        (x, u) => (Calls.UsesNestedVjp(x[0], u, out double dx), [dx]),
        [1.5], [-0.2]);

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(0)]
    public void Recursion_ChainsThroughItsOwnDerivatives(int n) => DerivativeAssert.Scalar(
        x => Calls.PowerBySquaring(x[0], n),
        (x, v) => Calls.PowerBySquaringJvp(x[0], n, v[0]),
        (x, u) => (Calls.PowerBySquaringVjp(x[0], n, u, out double dx), [dx]),
        [1.3], [-0.7]);

    [Fact]
    public void AlreadyNamedDx_GetsSuffixedNames()
    {
        // x → dx1 (dx is taken by a parameter); dx → ddx.
        var forward = Calls.AlreadyNamedDxJvp(2.0, 3.0, dx1: 1.0, ddx: 0.0);
        Assert.Equal(3.0, forward.Tangent);
        Calls.AlreadyNamedDxVjp(2.0, 3.0, dResult: 1.0, out double dx1, out double ddx);
        Assert.Equal(3.0, dx1);
        Assert.Equal(3.0, ddx);
    }

    [Fact]
    public void NoDerivativeParameter_GetsNoTangentOrAdjoint()
    {
        var forward = Calls.WithNoDerivativeJvp(3.0, 0.5, dx: 1.0);
        Assert.Equal(4.5, forward.Value);
        Assert.Equal(3.0, forward.Tangent);
        Assert.Equal(4.5, Calls.WithNoDerivativeGradient(3.0, 0.5, out double dx));
        Assert.Equal(3.0, dx);
    }

    [Fact]
    public void InstanceMethods_TreatReadonlyFieldsAsConstants()
    {
        var spring = new Spring(stiffness: 4.0);
        DerivativeAssert.Scalar(
            x => spring.Scaled(x[0], x[1]),
            (x, v) => spring.ScaledJvp(x[0], x[1], v[0], v[1]),
            (x, u) => (spring.ScaledVjp(x[0], x[1], u, out double dx, out double ds), [dx, ds]),
            [1.7, 0.3], [0.2, 2.5]);
    }

    [Fact]
    public void RegisteredDerivative_OfFunctionInAnotherAssembly_IsUsedInBothModes()
    {
        // NormalCdf calls SpecialFunctions.Erf, whose derivative is registered in this project.
        DerivativeAssert.Scalar(
            x => CustomDerivatives.NormalCdf(x[0], x[1], x[2]),
            (x, v) => CustomDerivatives.NormalCdfJvp(x[0], x[1], x[2], v[0], v[1], v[2]),
            (x, u) => (CustomDerivatives.NormalCdfVjp(x[0], x[1], x[2], u, out double dx, out double dm, out double ds), [dx, dm, ds]),
            [0.3, 0.1, 1.2], [-1.5, 0.5, 0.7], [4.0, 0.0, 1.0]);

        // and against the analytic density: dΦ/dx = φ(x) for the standard normal.
        CustomDerivatives.NormalCdfGradient(0.8, 0, 1, out double density, out _, out _);
        DerivativeAssert.AssertClose(Math.Exp(-0.32) / Math.Sqrt(2 * Math.PI), density, "standard normal density", 1e-14);
    }

    [Fact]
    public void ErfImplementation_IsAccurate()
    {
        // The registered rule is exact, so the tests above need Erf itself to be accurate: erf(1), erf(3.5).
        DerivativeAssert.AssertClose(0.8427007929497149, SpecialFunctions.Erf(1.0), "erf(1)", 1e-15);
        DerivativeAssert.AssertClose(0.9999992569016276, SpecialFunctions.Erf(3.5), "erf(3.5)", 1e-15);
    }

    [Fact]
    public void InlinedChainFromAnotherType_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Inlining.ThroughAnotherType(x[0], x[1]),
        (x, v) => Inlining.ThroughAnotherTypeJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Inlining.ThroughAnotherTypeVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [0.7, 1.3], [-1.2, 0.4], [2.5, -0.8]);
}
