using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>
/// Every built-in rule at its special points, in both modes: where the function is differentiable, against central
/// finite differences; where it is not (the end of a domain, ±∞), against the value the docs give ("Non-smooth points").
/// </summary>
public class SpecialPointTests
{
    private static readonly Dictionary<string, (Func<double, double> F, Func<double, double, (double, double)> Jvp, Func<double, double> Gradient)> Unary = new()
    {
        ["Sqrt"] = (SpecialPoints.SqrtOf, SpecialPoints.SqrtOfJvp, x => Gradient(SpecialPoints.SqrtOfGradient, x)),
        ["Cbrt"] = (SpecialPoints.CbrtOf, SpecialPoints.CbrtOfJvp, x => Gradient(SpecialPoints.CbrtOfGradient, x)),
        ["Log"] = (SpecialPoints.LogOf, SpecialPoints.LogOfJvp, x => Gradient(SpecialPoints.LogOfGradient, x)),
        ["Log10"] = (SpecialPoints.Log10Of, SpecialPoints.Log10OfJvp, x => Gradient(SpecialPoints.Log10OfGradient, x)),
        ["Asin"] = (SpecialPoints.AsinOf, SpecialPoints.AsinOfJvp, x => Gradient(SpecialPoints.AsinOfGradient, x)),
        ["Acos"] = (SpecialPoints.AcosOf, SpecialPoints.AcosOfJvp, x => Gradient(SpecialPoints.AcosOfGradient, x)),
        ["Atan"] = (SpecialPoints.AtanOf, SpecialPoints.AtanOfJvp, x => Gradient(SpecialPoints.AtanOfGradient, x)),
        ["Exp"] = (SpecialPoints.ExpOf, SpecialPoints.ExpOfJvp, x => Gradient(SpecialPoints.ExpOfGradient, x)),
        ["Tanh"] = (SpecialPoints.TanhOf, SpecialPoints.TanhOfJvp, x => Gradient(SpecialPoints.TanhOfGradient, x)),
        ["Abs"] = (SpecialPoints.AbsOf, SpecialPoints.AbsOfJvp, x => Gradient(SpecialPoints.AbsOfGradient, x)),
    };

    private delegate double GradientOf(double x, out double dx);

    private static double Gradient(GradientOf gradient, double x)
    {
        gradient(x, out double dx);
        return dx;
    }

    [Theory]
    [InlineData("Sqrt", 4.0)]
    [InlineData("Cbrt", -8.0)]
    [InlineData("Cbrt", 1e-3)]
    [InlineData("Log", 1.0)]
    [InlineData("Log10", 0.1)]
    [InlineData("Asin", -0.5)]
    [InlineData("Acos", 0.999)]
    [InlineData("Atan", -30.0)]
    [InlineData("Exp", -700.0)]
    [InlineData("Tanh", 19.0)]
    [InlineData("Abs", -2.0)]
    public void DifferentiablePoints_MatchFiniteDifferences(string function, double x)
    {
        var (f, jvp, gradient) = Unary[function];
        double h = 1e-6 * Math.Max(1, Math.Abs(x));
        double expected = (f(x + h) - f(x - h)) / (2 * h);
        DerivativeAssert.AssertClose(expected, jvp(x, 1).Item2, $"{function}' at {x} (forward)", 1e-5);
        DerivativeAssert.AssertClose(expected, gradient(x), $"{function}' at {x} (reverse)", 1e-5);
    }

    [Theory]
    [InlineData("Sqrt", 0.0, double.PositiveInfinity)] // the limit from the right, where Sqrt is defined
    [InlineData("Cbrt", 0.0, double.PositiveInfinity)] // a vertical tangent
    [InlineData("Log", 0.0, double.PositiveInfinity)]
    [InlineData("Log10", 0.0, double.PositiveInfinity)]
    [InlineData("Log", double.PositiveInfinity, 0.0)]
    [InlineData("Asin", 1.0, double.PositiveInfinity)] // the ends of the domain: vertical tangents
    [InlineData("Asin", -1.0, double.PositiveInfinity)]
    [InlineData("Acos", 1.0, double.NegativeInfinity)]
    [InlineData("Atan", double.PositiveInfinity, 0.0)]
    [InlineData("Atan", double.NegativeInfinity, 0.0)]
    [InlineData("Exp", double.NegativeInfinity, 0.0)]
    [InlineData("Exp", double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData("Tanh", double.PositiveInfinity, 0.0)]
    [InlineData("Tanh", double.NegativeInfinity, 0.0)]
    [InlineData("Abs", 0.0, 0.0)] // JAX's convention at the kink
    [InlineData("Sqrt", -1.0, double.NaN)] // outside the domain the value is NaN, and so is this derivative
    public void SpecialPoints_GiveTheDocumentedValue(string function, double x, double expected)
    {
        var (_, jvp, gradient) = Unary[function];
        Assert.Equal(expected, jvp(x, 1).Item2);
        Assert.Equal(expected, gradient(x));
    }

    [Fact]
    public void Atan2_AtTheOrigin_IsNaN_AndElsewhere_MatchesFiniteDifferences()
    {
        // atan2 has no derivative at (0, 0): both partials are 0/0.
        SpecialPoints.Atan2OfGradient(0, 0, out double dy, out double dx);
        Assert.True(double.IsNaN(dy) && double.IsNaN(dx));

        // On the negative x axis (the branch cut of the angle) and on the y axis it is smooth along both partials.
        DerivativeAssert.Scalar(
            p => SpecialPoints.Atan2Of(p[0], p[1]),
            (p, v) => SpecialPoints.Atan2OfJvp(p[0], p[1], v[0], v[1]),
            (p, u) => (SpecialPoints.Atan2OfVjp(p[0], p[1], u, out double gy, out double gx), [gy, gx]),
            [0.3, -1.0], [1.0, 0.0], [-2.0, 1e-3]);
    }

    [Fact]
    public void Quotient_ByZero_HasTheLimitsOfItsPartials()
    {
        // x / y at y = 0 is ±∞; ∂/∂x = 1/y = +∞, ∂/∂y = −x/y² = −∞ for x > 0.
        SpecialPoints.QuotientGradient(2.0, 0.0, out double dx, out double dy);
        Assert.Equal(double.PositiveInfinity, dx);
        Assert.Equal(double.NegativeInfinity, dy);
    }

    [Theory]
    [InlineData(0, 0.0, 2.0)] // Sqrt at 0: ∂/∂x = +∞
    [InlineData(1, 0.0, 2.0)] // Cbrt at 0
    [InlineData(2, 1.0, 2.0)] // Asin at 1
    [InlineData(3, -1.0, 2.0)] // Acos at −1
    [InlineData(4, 1.0, 2.0)] // Acosh at 1
    [InlineData(5, 0.0, 0.0)] // Atan2 at the origin: both partials NaN
    [InlineData(6, 0.0, 2.0)] // Pow(x, 0.5) at 0
    [InlineData(7, -2.0, 2.0)] // Pow at a negative base: ∂/∂y = x^y · ln x is NaN
    [InlineData(7, 0.0, 0.5)] // Pow at a zero base: ∂/∂x = +∞
    [InlineData(7, 0.0, 0.0)]
    [InlineData(8, 0.0, 2.0)] // RootN at 0
    public void AnInfiniteOrNaNPartial_DoesNotReachAnotherOutputsRow_OrADirectionThatDoesNotMoveIt(int which, double x, double y)
    {
        // The product's row, by reverse mode with the special output's cotangent 0: exactly (y, x).
        SpecialPoints.SpecialAndProductVjp(which, x, y, out _, out _, 0, 1, out double dx, out double dy);
        Assert.Equal(y, dx);
        Assert.Equal(x, dy);

        // Moving y only: the special output moves as ∂/∂y (0 where it does not use y), never NaN from ∂/∂x · 0.
        SpecialPoints.SpecialAndProductJvp(which, x, y, out _, out _, 0, 1, out double dSpecial, out double dProduct);
        Assert.Equal(x, dProduct);
        if (which is not (5 or 7))
        {
            Assert.Equal(0.0, dSpecial);
        }

        // The whole Jacobian: the product's row is exact; the special output's row holds only its own partials.
        double[,] jacobian = SpecialPoints.SpecialAndProductJacobian(which, x, y, out _, out _);
        Assert.Equal(y, jacobian[1, 0]);
        Assert.Equal(x, jacobian[1, 1]);
    }

    [Fact]
    public void Pow_AtANegativeBase_MovingTheBaseOnly_IsTheFiniteDifference_InBothModes()
    {
        // x^y at (−2, 2): ∂/∂x = y·x^(y−1) = −4, and ∂/∂y (NaN) is not reached by a direction or cotangent that leaves it out.
        double h = 1e-6;
        double expected = (Math.Pow(-2 + h, 2) - Math.Pow(-2 - h, 2)) / (2 * h);
        SpecialPoints.SpecialAndProductJvp(7, -2, 2, out _, out _, 1, 0, out double dSpecial, out _);
        DerivativeAssert.AssertClose(expected, dSpecial, "∂(x^y)/∂x at (−2, 2), forward", 1e-7);
        SpecialPoints.SpecialAndProductVjp(7, -2, 2, out _, out _, 1, 0, out double dx, out double dy);
        DerivativeAssert.AssertClose(expected, dx, "∂(x^y)/∂x at (−2, 2), reverse", 1e-7);
        Assert.True(double.IsNaN(dy), "∂(x^y)/∂y at a negative base has no value");
    }
}
