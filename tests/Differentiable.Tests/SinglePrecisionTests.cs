using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>float derivatives are float; checked against finite differences in double of the same formulas.</summary>
public class SinglePrecisionTests
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(0.7f, 0.4f)]
    [InlineData(2.1f, -1.3f)]
    public void Wave_MatchesDoublePrecisionFiniteDifferences(float x, float y)
    {
        static double Reference(double x, double y) => Math.Sin(x) * Math.Exp(-y) + Math.Sqrt(x * x + 1) + Math.Abs(y);
        (float value, float tangentX) = SinglePrecision.WaveJvp(x, y, 1f, 0f);
        float tangentY = SinglePrecision.WaveJvp(x, y, 0f, 1f).Tangent;
        float reverseValue = SinglePrecision.WaveVjp(x, y, 1f, out float dx, out float dy);

        Assert.Equal(SinglePrecision.Wave(x, y), value);
        Assert.Equal(value, reverseValue);
        double[] expected = FiniteDifferences.Gradient(p => Reference(p[0], p[1]), [x, y]);
        DerivativeAssert.AssertClose(expected[0], tangentX, "∂Wave/∂x forward", Tolerance);
        DerivativeAssert.AssertClose(expected[1], tangentY, "∂Wave/∂y forward", Tolerance);
        DerivativeAssert.AssertClose(expected[0], dx, "∂Wave/∂x reverse", Tolerance);
        DerivativeAssert.AssertClose(expected[1], dy, "∂Wave/∂y reverse", Tolerance);
    }

    [Fact]
    public void MixedPrecision_ConvertsDerivativesAcrossFloatAndDouble()
    {
        float x = 1.3f;
        double y = 0.6;
        static double Reference(double x, double y) => Math.Log(x * y * x * y + 1) * x + x * x * x;
        double[] expected = FiniteDifferences.Gradient(p => Reference(p[0], p[1]), [x, y]);

        float reverseValue = SinglePrecision.MixedPrecisionVjp(x, y, 1f, out float dx, out double dy);
        Assert.Equal(SinglePrecision.MixedPrecision(x, y), reverseValue);
        DerivativeAssert.AssertClose(expected[0], dx, "∂/∂x reverse", Tolerance);
        DerivativeAssert.AssertClose(expected[1], dy, "∂/∂y reverse", Tolerance);
        DerivativeAssert.AssertClose(expected[0], SinglePrecision.MixedPrecisionJvp(x, y, 1f, 0).Tangent, "∂/∂x forward", Tolerance);
        DerivativeAssert.AssertClose(expected[1], SinglePrecision.MixedPrecisionJvp(x, y, 0f, 1).Tangent, "∂/∂y forward", Tolerance);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(-4.0)]
    public void FromIntegers_GivesAnalyticDerivative(double x)
    {
        // x·n + k/(n+1) + (float)x: integers are constants, the float round trip has derivative 1,
        // so the derivative is n + 1 exactly (finite differences would see the float rounding).
        Assert.Equal(SinglePrecision.FromIntegers(x, 3, 7L), SinglePrecision.FromIntegersJvp(x, 3, 7L, 1.0).Value);
        Assert.Equal(4.0, SinglePrecision.FromIntegersJvp(x, 3, 7L, 1.0).Tangent);
        Assert.Equal(SinglePrecision.FromIntegers(x, 3, 7L), SinglePrecision.FromIntegersVjp(x, 3, 7L, 1.0, out double dx));
        Assert.Equal(4.0, dx);
    }

    [Fact]
    public void Clamped_HasExpectedFloatDerivatives()
    {
        // inside the clamp and positive: 1 + 1; below lo and negative: 0 + 0; above hi and positive: 0 + 1.
        Assert.Equal(2f, SinglePrecision.ClampedJvp(0.5f, 0f, 1f, 0f).Tangent);
        SinglePrecision.ClampedVjp(-3f, -2f, 1f, out float dx, out float dlo);
        Assert.Equal(0f, dx);
        Assert.Equal(1f, dlo);
        SinglePrecision.ClampedGradient(5f, 0f, out dx, out dlo);
        Assert.Equal(1f, dx);
        Assert.Equal(1f, dlo);
    }
}
