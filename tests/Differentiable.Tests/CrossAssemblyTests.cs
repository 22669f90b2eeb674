using Differentiable.Tests.ExternalMath;
using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>A [Differentiable] method of this assembly chains through a library's generated derivatives.</summary>
public class CrossAssemblyTests
{
    [Fact]
    public void ThreeCallsDeepIntoAnotherAssembly_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => CrossAssembly.ScaledLogNormalCdf(x[0], x[1]),
        (x, v) => CrossAssembly.ScaledLogNormalCdfJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (CrossAssembly.ScaledLogNormalCdfVjp(x[0], x[1], u, out double dx, out double dsigma), [dx, dsigma]),
        [1.3, 0.5], [0.4, 1.2], [3.0, 0.8]);

    [Fact]
    public void RegistrationFromAReferencedAssembly_IsUsedInBothModes()
    {
        DerivativeAssert.Scalar(
            x => CrossAssembly.UpperTail(x[0]),
            (x, v) => CrossAssembly.UpperTailJvp(x[0], v[0]),
            (x, u) => (CrossAssembly.UpperTailVjp(x[0], u, out double dz), [dz]),
            [0.3], [-1.5], [5.0]);

        // Analytic: d/dz ½ erfc(z/√2) = −φ(z).
        CrossAssembly.UpperTailGradient(1.1, out double dz);
        DerivativeAssert.AssertClose(-Math.Exp(-1.1 * 1.1 / 2) / Math.Sqrt(2 * Math.PI), dz, "−φ(1.1)", 1e-14);
    }

    [Fact]
    public void ErfcImplementation_IsAccurate()
    {
        DerivativeAssert.AssertClose(1 - 0.8427007929497149, SpecialFunctions.Erfc(1.0), "erfc(1)", 1e-15);
        DerivativeAssert.AssertClose(2.088487583762545e-45, SpecialFunctions.Erfc(10.0), "erfc(10)", 1e-12);
    }
}
