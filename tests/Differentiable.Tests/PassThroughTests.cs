using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>enum, char, string and bool parameters are passed through: no tangent, no adjoint, the primal's choices.</summary>
public class PassThroughTests
{
    [Theory]
    [InlineData(Norm.L1, 'm', "none", true)]
    [InlineData(Norm.L2, 'k', "label", true)]
    [InlineData(Norm.Largest, 'k', "label", false)]
    public void Measure_MatchesFiniteDifferences(Norm norm, char unit, string label, bool scaled) => DerivativeAssert.Scalar(
        p => PassThrough.Measure(p[0], p[1], norm, unit, label, scaled),
        (p, v) => PassThrough.MeasureJvp(p[0], p[1], norm, unit, label, scaled, v[0], v[1]),
        (p, u) => (PassThrough.MeasureVjp(p[0], p[1], norm, unit, label, scaled, u, out double dx, out double dy), [dx, dy]),
        [0.3, -1.2], [-2.0, 0.5]);

    [Fact]
    public void Measure_TakesNoDerivativeForItsOtherParameters()
    {
        string[] names = typeof(PassThrough).GetMethod(nameof(PassThrough.MeasureVjp))!.GetParameters().Select(p => p.Name!).ToArray();
        Assert.Equal(["x", "y", "norm", "unit", "label", "scaled", "dResult", "dx", "dy"], names);
    }
}
