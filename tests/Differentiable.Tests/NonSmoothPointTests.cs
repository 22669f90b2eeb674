using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>Derivatives at non-smooth points follow JAX's conventions (analytic values, both modes).</summary>
public class NonSmoothPointTests
{
    [Fact]
    public void NonSmooth_AtKinks_FollowsJaxConventions()
    {
        // At x = 0, y = 0, lo = -1: |x|' = 0; Max(x, y) ties → ½ each; Min(x, 2y) ties → ½ each;
        // Clamp(y, lo, lo + 1) = Clamp(0, -1, 0) sits on hi → ½ to y and ½ to hi = lo + 1; Sign(x)·y → Sign(0) = 0.
        MathFunctions.NonSmoothVjp(0, 0, -1, 1.0, out double dx, out double dy, out double dlo);
        Assert.Equal(0 + 0.5 + 0.5, dx);
        Assert.Equal(0.5 + 2 * 0.5 + 0.5, dy);
        Assert.Equal(0.5, dlo);

        var forward = MathFunctions.NonSmoothJvp(0, 0, -1, 1, 0, 0);
        Assert.Equal(dx, forward.Tangent);
        Assert.Equal(dy, MathFunctions.NonSmoothJvp(0, 0, -1, 0, 1, 0).Tangent);
        Assert.Equal(dlo, MathFunctions.NonSmoothJvp(0, 0, -1, 0, 0, 1).Tangent);
    }

    [Fact]
    public void Sqrt_AtZero_IsPositiveInfinity()
    {
        MathFunctions.RootsVjp(0, 1.0, out double dx);
        Assert.Equal(double.PositiveInfinity, dx);
    }

    [Fact]
    public void FloorCeilingRoundTruncateSign_HaveZeroDerivative_EvenAtJumps()
    {
        // PiecewiseConstant(x) = Floor + Ceiling + Round + Truncate + x: only the identity contributes.
        Assert.Equal(1.0, MathFunctions.PiecewiseConstantJvp(2.0, 1.0).Tangent);
        MathFunctions.PiecewiseConstantVjp(2.5, 1.0, out double dx);
        Assert.Equal(1.0, dx);
    }

    [Theory]
    [InlineData(0.0, 0.0, 0.0, 0.0)] // constant along both axes there: 0^y = 0 for y > 0, x^0 = 1
    [InlineData(0.0, 2.0, 0.0, 0.0)]
    [InlineData(0.0, 1.0, 1.0, 0.0)]
    [InlineData(0.0, 0.5, double.PositiveInfinity, 0.0)]
    [InlineData(2.0, 0.0, 0.0, 0.6931471805599453)]
    [InlineData(-2.0, 0.0, 0.0, double.NaN)]
    public void Pow_AtItsSpecialPoints_FollowsTheDesign(double x, double y, double dx, double dy)
    {
        // ∂/∂x = 0 where y = 0 and ∂/∂y = 0 where x = 0 (the function is constant along them); elsewhere y·x^(y−1) and
        // x^y·ln x, which is NaN for a negative base (x^y is not defined off the integers there).
        MathFunctions.PowerOfGradient(x, y, out double gx, out double gy);
        Assert.Equal(dx, gx);
        Assert.Equal(dy, gy);
        Assert.Equal(dx, MathFunctions.PowerOfJvp(x, y, 1, 0).Tangent);
        Assert.Equal(dy, MathFunctions.PowerOfJvp(x, y, 0, 1).Tangent);
    }

    [Fact]
    public void Pow_AtZeroZero_HasAFiniteTangentInEveryDirection()
    {
        // The y-term used to be ln 0 · dy = −∞ · 0 = NaN even with dy = 0.
        Assert.Equal(0.0, MathFunctions.PowerOfJvp(0, 0, 1, 0).Tangent);
        Assert.Equal(0.0, MathFunctions.PowerOfJvp(0, 0, 0.3, -0.7).Tangent);
    }

    [Theory]
    [InlineData(-2.0, 3.0)]
    [InlineData(-1.5, 2.0)]
    [InlineData(0.0, 3.0)]
    [InlineData(0.7, -2.0)]
    public void Pow_WithAnIntegerExponent_HasTheFiniteDifferenceDerivativeInTheBase(double x, double y)
    {
        // A negative base with an integer exponent, and zero: d/dx x^y = y·x^(y−1), as central differences say.
        const double h = 1e-6;
        double expected = (Math.Pow(x + h, y) - Math.Pow(x - h, y)) / (2 * h);
        MathFunctions.PowerOfGradient(x, y, out double dx, out _);
        DerivativeAssert.AssertClose(expected, dx, "∂/∂x (reverse)", 1e-6);
        DerivativeAssert.AssertClose(expected, MathFunctions.PowerOfJvp(x, y, 1, 0).Tangent, "∂/∂x (forward)", 1e-6);
    }

    [Fact]
    public void Pow_AwayFromSpecialPoints_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => MathFunctions.PowerOf(p[0], p[1]),
        (p, v) => MathFunctions.PowerOfJvp(p[0], p[1], v[0], v[1]),
        (p, u) => (MathFunctions.PowerOfVjp(p[0], p[1], u, out double dx, out double dy), [dx, dy]),
        [1.7, 0.4], [0.3, -1.2], [2.5, 3.0]);

    [Theory]
    [InlineData(double.PositiveInfinity, 2.0)]
    [InlineData(0.5, double.PositiveInfinity)]
    public void Pow_AtInfinity_GivesTheLimitsOfItsPartials(double x, double y)
    {
        // x → ∞ with y = 2: ∂/∂x = 2x = ∞; 0.5^y → 0 as y → ∞, so ∂/∂y = 0^+ · ln 0.5 = −0.
        MathFunctions.PowerOfGradient(x, y, out double dx, out double dy);
        Assert.Equal(y * Math.Pow(x, y - 1), dx);
        Assert.Equal(Math.Pow(x, y) * Math.Log(x), dy);
    }
}
