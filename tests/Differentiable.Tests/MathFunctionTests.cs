using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

public class MathFunctionTests
{
    [Fact]
    public void Trigonometric_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => MathFunctions.Trigonometric(x[0]),
        (x, v) => MathFunctions.TrigonometricJvp(x[0], v[0]),
        (x, u) => (MathFunctions.TrigonometricVjp(x[0], u, out double dx), [dx]),
        [0.3], [-1.1], [2.0]);

    [Fact]
    public void InverseTrigonometric_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => MathFunctions.InverseTrigonometric(x[0], x[1]),
        (x, v) => MathFunctions.InverseTrigonometricJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (MathFunctions.InverseTrigonometricVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [0.3, 1.5], [-0.6, -2.0]);

    [Fact]
    public void Hyperbolic_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => MathFunctions.Hyperbolic(x[0]),
        (x, v) => MathFunctions.HyperbolicJvp(x[0], v[0]),
        (x, u) => (MathFunctions.HyperbolicVjp(x[0], u, out double dx), [dx]),
        [0.3], [-1.7]);

    [Fact]
    public void ExponentialsAndLogarithms_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => MathFunctions.ExponentialsAndLogarithms(x[0], x[1]),
        (x, v) => MathFunctions.ExponentialsAndLogarithmsJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (MathFunctions.ExponentialsAndLogarithmsVjp(x[0], x[1], u, out double dx, out double db), [dx, db]),
        [0.7, 3.0], [2.5, 0.5]);

    [Fact]
    public void Roots_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => MathFunctions.Roots(x[0]),
        (x, v) => MathFunctions.RootsJvp(x[0], v[0]),
        (x, u) => (MathFunctions.RootsVjp(x[0], u, out double dx), [dx]),
        [0.7], [9.0]);

    [Fact]
    public void Powers_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => MathFunctions.Powers(x[0], x[1]),
        (x, v) => MathFunctions.PowersJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (MathFunctions.PowersVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        [1.3, 2.2], [0.5, -1.5]);

    [Fact]
    public void NonSmooth_MatchesFiniteDifferencesAwayFromKinks() => DerivativeAssert.Scalar(
        x => MathFunctions.NonSmooth(x[0], x[1], x[2]),
        (x, v) => MathFunctions.NonSmoothJvp(x[0], x[1], x[2], v[0], v[1], v[2]),
        (x, u) => (MathFunctions.NonSmoothVjp(x[0], x[1], x[2], u, out double dx, out double dy, out double dlo), [dx, dy, dlo]),
        [1.5, -0.7, -1.2], [-0.3, 2.0, 0.0], [2.0, 0.3, 1.0]);

    [Fact]
    public void PiecewiseConstant_HasZeroDerivativeBesidesIdentity() => DerivativeAssert.Scalar(
        x => MathFunctions.PiecewiseConstant(x[0]),
        (x, v) => MathFunctions.PiecewiseConstantJvp(x[0], v[0]),
        (x, u) => (MathFunctions.PiecewiseConstantVjp(x[0], u, out double dx), [dx]),
        [0.3], [-2.7]);

    [Fact]
    public void PowWithConstantExponent_AtNegativeBase_IsFinite()
    {
        // d(x²)/dx = 2x; the exponent's rule x² ln x would be NaN at x < 0 and must not be evaluated.
        Assert.Equal(9.0, MathFunctions.SquareOfNegativeGradient(-3.0, out double dx));
        Assert.Equal(9.0, MathFunctions.SquareOfNegative(-3.0));
        Assert.Equal(-6.0, dx);
        Assert.Equal(-6.0, MathFunctions.SquareOfNegativeJvp(-3.0, 1.0).Tangent);
    }

    [Fact]
    public void NoDerivativeOf_StopsTheDerivative_InBothModes()
    {
        // x·y + y + (int)x with y and x held constant where wrapped: ∂/∂x = y, ∂/∂y = 1.
        Assert.Equal(MathFunctions.StopGradient(1.5, 2.0), MathFunctions.StopGradientGradient(1.5, 2.0, out double dx, out double dy));
        Assert.Equal(2.0, dx);
        Assert.Equal(1.0, dy);
        Assert.Equal(2.0, MathFunctions.StopGradientJvp(1.5, 2.0, 1, 0).Tangent);
        Assert.Equal(1.0, MathFunctions.StopGradientJvp(1.5, 2.0, 0, 1).Tangent);
    }

    [Fact]
    public void MoreMath_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => MathFunctions.MoreMath(p[0], p[1]),
        (p, v) => MathFunctions.MoreMathJvp(p[0], p[1], v[0], v[1]),
        (p, u) => (MathFunctions.MoreMathVjp(p[0], p[1], u, out double dx, out double dy), [dx, dy]),
        [0.4, 1.3], [-0.7, 0.2], [1.1, -0.6]); // away from IEEERemainder's jumps (7x / (y + 3) half an odd integer)

    [Fact]
    public void GenericMath_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => MathFunctions.GenericMath(p[0], p[1]),
        (p, v) => MathFunctions.GenericMathJvp(p[0], p[1], v[0], v[1]),
        (p, u) => (MathFunctions.GenericMathVjp(p[0], p[1], u, out double dx, out double dy), [dx, dy]),
        [0.4, 1.3], [-0.7, 0.2], [1.1, -0.6]);

    [Fact]
    public void GenericMathF_MatchesFiniteDifferences()
    {
        // float: central differences in double of the float function, at a looser tolerance.
        const float x = 0.6f, y = -0.3f;
        const double h = 1e-2;
        double fx = (MathFunctions.GenericMathF((float)(x + h), y) - MathFunctions.GenericMathF((float)(x - h), y)) / (2 * h);
        double fy = (MathFunctions.GenericMathF(x, (float)(y + h)) - MathFunctions.GenericMathF(x, (float)(y - h))) / (2 * h);
        MathFunctions.GenericMathFGradient(x, y, out float dx, out float dy);
        DerivativeAssert.AssertClose(fx, dx, "∂/∂x (reverse)", 2e-3);
        DerivativeAssert.AssertClose(fy, dy, "∂/∂y (reverse)", 2e-3);
        DerivativeAssert.AssertClose(fx, MathFunctions.GenericMathFJvp(x, y, 1, 0).Tangent, "∂/∂x (forward)", 2e-3);
        DerivativeAssert.AssertClose(fy, MathFunctions.GenericMathFJvp(x, y, 0, 1).Tangent, "∂/∂y (forward)", 2e-3);
    }

    [Fact]
    public void Hypot_AtTheOrigin_HasDerivativeZero_LikeAbs()
    {
        MathFunctions.HypotOfGradient(0, 0, out double dx, out double dy);
        Assert.Equal((0.0, 0.0), (dx, dy));
    }
}
