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
}
