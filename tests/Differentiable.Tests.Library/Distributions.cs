using System;
using Differentiable;
using Differentiable.Tests.ExternalMath;

namespace Differentiable.Tests.Library;

/// <summary>Cumulative distribution functions, differentiable, for use from other assemblies.</summary>
public static partial class Distributions
{
    /// <summary>Φ((x − mean) / σ), through the complementary error function (accurate in the left tail).</summary>
    [Differentiable]
    public static double NormalCdf(double x, double mean, double sigma) =>
        0.5 * SpecialFunctions.Erfc(-(x - mean) / (sigma * Math.Sqrt(2.0)));

    /// <summary>The log-normal CDF: Φ((ln x − μ) / σ).</summary>
    [Differentiable]
    public static double LogNormalCdf(double x, double mu, double sigma) => NormalCdf(Math.Log(x), mu, sigma);

    /// <summary>
    /// The logistic CDF 1 / (1 + e^(−(x − mean)/scale)), with second-order members (Order = 2): second order in an assembly
    /// that calls it, which cannot inline another assembly's method, goes through its generated LogisticCdfHvp.
    /// </summary>
    [Differentiable(Order = 2)]
    public static double LogisticCdf(double x, double mean, double scale) => 1 / (1 + Math.Exp(-(x - mean) / scale));
}

/// <summary>
/// The derivative of erfc, d erfc(x) = −2/√π · exp(−x²) dx, registered here and therefore usable by every
/// assembly that references this one.
/// </summary>
public static class ErfcDerivatives
{
    private static readonly double MinusTwoOverSqrtPi = -2.0 / Math.Sqrt(Math.PI);

    [DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Erfc))]
    public static (double Value, double Tangent) ErfcJvp(double x, double dx) =>
        (SpecialFunctions.Erfc(x), MinusTwoOverSqrtPi * Math.Exp(-x * x) * dx);

    [DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Erfc))]
    public static double ErfcVjp(double x, double dResult, out double dx)
    {
        dx = MinusTwoOverSqrtPi * Math.Exp(-x * x) * dResult;
        return SpecialFunctions.Erfc(x);
    }
}
