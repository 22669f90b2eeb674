using System;
using Differentiable;
using Differentiable.Tests.ExternalMath;

namespace Differentiable.Tests.Scenarios;

/// <summary>
/// The error function lives in another assembly, whose body the generator cannot see; these
/// registrations give it a derivative, d erf(x) = 2/√π · exp(−x²) dx, in both modes.
/// </summary>
public static class ErfDerivatives
{
    private static readonly double TwoOverSqrtPi = 2.0 / Math.Sqrt(Math.PI);

    [DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Erf))]
    public static (double Value, double Tangent) ErfJvp(double x, double dx) =>
        (SpecialFunctions.Erf(x), TwoOverSqrtPi * Math.Exp(-x * x) * dx);

    [DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Erf))]
    public static double ErfVjp(double x, double dResult, out double dx)
    {
        dx = TwoOverSqrtPi * Math.Exp(-x * x) * dResult;
        return SpecialFunctions.Erf(x);
    }
}

/// <summary>Uses the registered derivative of Erf.</summary>
public static partial class CustomDerivatives
{
    /// <summary>The standard normal cumulative distribution function.</summary>
    [Differentiable]
    public static double NormalCdf(double x, double mean, double sigma) =>
        0.5 * (1 + SpecialFunctions.Erf((x - mean) / (sigma * Math.Sqrt(2.0))));
}
