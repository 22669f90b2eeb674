using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>Writes used as values, in both modes: finite differences of the value and of the arrays written.</summary>
public class SideEffectTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(7)]
    public void Countdown_MatchesFiniteDifferences(int n) => DerivativeAssert.Scalar(
        p => SideEffects.Countdown(p[..^1], p[^1], n),
        (p, v) => SideEffects.CountdownJvp(p[..^1], p[^1], n, v.AsSpan(0, v.Length - 1), v[^1]),
        (p, u) =>
        {
            var da = new double[p.Length - 1];
            double value = SideEffects.CountdownVjp(p[..^1], p[^1], n, u, da, out double dt);
            return (value, [.. da, dt]);
        },
        [0.5, -0.3, 0.8, 1.1], [0.2, 0.9]);

    [Fact]
    public void Countdown_HasThePrimalsValue_WhichSeesEveryWrite()
    {
        double[] a = [0.5, -0.3, 0.8];
        Assert.Equal(SideEffects.Countdown(a, 1.1, 4), SideEffects.CountdownJvp(a, 1.1, 4, new double[3], 0).Value);
    }

    [Fact]
    public void Chained_MatchesFiniteDifferences_OfValueAndFinalContents() => DerivativeAssert.Vector(
        p =>
        {
            double[] a = p[2..];
            double value = SideEffects.Chained(p[0], p[1], a);
            return [value, .. a];
        },
        (p, v) =>
        {
            double[] a = p[2..], da = v[2..];
            (double value, double tangent) = SideEffects.ChainedJvp(p[0], p[1], a, v[0], v[1], da);
            return ([value, .. a], [tangent, .. da]);
        },
        (p, u) =>
        {
            double[] a = p[2..], da = u[1..];
            double value = SideEffects.ChainedVjp(p[0], p[1], a, u[0], out double dx, out double dy, da);
            return ([value, .. a], [dx, dy, .. da]);
        },
        [0.7, -0.4, 0.5, 1.2], [-1.1, 0.3, 0.25]);
}
