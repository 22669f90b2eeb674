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
}
