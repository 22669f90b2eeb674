using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>
/// out and ref parameters in both modes. An out parameter is an output: Jvp gives its tangent (out, after the inputs'
/// tangents), Vjp takes its cotangent (after dResult). A ref parameter is both: ref dz holds the tangent (cotangent) of
/// its initial value on entry... of its final value on exit, and the reverse.
/// </summary>
public class OutRefTests
{
    [Theory]
    [InlineData(0.6, 0.8)]
    [InlineData(-1.5, 0.4)]
    [InlineData(9.0, 8.0)]
    public void Polar_MatchesFiniteDifferences_OfTheResultAndTheOutParameter(double x, double y) => DerivativeAssert.Vector(
        p => [OutRef.Polar(p[0], p[1], out double angle, out _), angle],
        (p, v) =>
        {
            var (value, tangent) = OutRef.PolarJvp(p[0], p[1], out double angle, out _, v[0], v[1], out double dangle);
            return ([value, angle], [tangent, dangle]);
        },
        (p, u) =>
        {
            double value = OutRef.PolarVjp(p[0], p[1], out double angle, out _, u[0], u[1], out double dx, out double dy);
            return ([value, angle], [dx, dy]);
        },
        [x, y]);

    [Fact]
    public void Polar_EveryEntryPointSetsTheOutParametersAsThePrimalDoes()
    {
        double r = OutRef.Polar(-1.5, 0.4, out double angle, out int quadrant);
        Assert.Equal((r, angle, quadrant), (OutRef.PolarJvp(-1.5, 0.4, out double a1, out int q1, 1, 0, out _).Value, a1, q1));
        Assert.Equal((r, angle, quadrant), (OutRef.PolarGradient(-1.5, 0.4, out double a2, out int q2, out _, out _), a2, q2));
        Assert.Equal(2, quadrant);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Relax_MatchesFiniteDifferences_OfTheFinalStateAndTheChange(int steps) => DerivativeAssert.Vector(
        p =>
        {
            double state = p[0];
            OutRef.Relax(ref state, p[1], steps, out double change);
            return [state, change];
        },
        (p, v) =>
        {
            double state = p[0], dstate = v[0];
            OutRef.RelaxJvp(ref state, p[1], steps, out double change, ref dstate, v[1], out double dchange);
            return ([state, change], [dstate, dchange]);
        },
        (p, u) =>
        {
            double state = p[0], dstate = u[0];
            OutRef.RelaxVjp(ref state, p[1], steps, out double change, u[1], ref dstate, out double drate);
            return ([state, change], [dstate, drate]);
        },
        [1.2, 0.3], [-0.4, 0.9]);

    [Fact]
    public void Signatures_FollowTheContract()
    {
        // The single sweeps; the widened overloads (Vector256 derivatives) have the same names in the same order.
        static bool Widened(System.Reflection.MethodInfo m) => m.GetParameters().Any(p => p.ParameterType.Name.StartsWith("Vector256", StringComparison.Ordinal)
            || p.ParameterType.GetElementType()?.Name.StartsWith("Vector256", StringComparison.Ordinal) == true);
        string Describe(string name, bool widened = false) => string.Join(", ", typeof(OutRef).GetMethods().Single(m => m.Name == name && Widened(m) == widened).GetParameters()
            .Select(p => (p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : string.Empty) + p.Name));
        Assert.Equal("x, y, out angle, out quadrant, dx, dy, out dangle", Describe("PolarJvp"));
        Assert.Equal("x, y, out angle, out quadrant, dResult, dangle, out dx, out dy", Describe("PolarVjp"));
        Assert.Equal("x, y, out angle, out quadrant, out dx, out dy", Describe("PolarGradient"));
        Assert.Equal("ref state, rate, steps, out change, ref dstate, drate, out dchange", Describe("RelaxJvp"));
        Assert.Equal("ref state, rate, steps, out change, dchange, ref dstate, out drate", Describe("RelaxVjp"));
        Assert.Equal("x, y, out angle, out quadrant, dx, dy, out dangle", Describe("PolarJvp", widened: true));
        Assert.Equal("x, y, out angle, out quadrant, dResult, dangle, out dx, out dy", Describe("PolarVjp", widened: true));
        Assert.Equal("ref state, rate, steps, out change, ref dstate, drate, out dchange", Describe("RelaxJvp", widened: true));
    }
}
