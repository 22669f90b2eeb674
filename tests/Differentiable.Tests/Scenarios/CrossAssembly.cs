using System;
using Differentiable;
using Differentiable.Tests.ExternalMath;
using Differentiable.Tests.Library;

namespace Differentiable.Tests.Scenarios;

/// <summary>Derivatives chained through another assembly's generated members and registrations.</summary>
public static partial class CrossAssembly
{
    /// <summary>Three calls deep into the library: LogNormalCdf → NormalCdf → Erfc, whose derivative the library registers.</summary>
    [Differentiable]
    public static double ScaledLogNormalCdf(double x, double sigma) => x * Distributions.LogNormalCdf(x, 0.2, sigma);

    /// <summary>Calls Erfc directly: the library's registration serves this assembly too.</summary>
    [Differentiable]
    public static double UpperTail(double z) => 0.5 * SpecialFunctions.Erfc(z / Math.Sqrt(2.0));
}
