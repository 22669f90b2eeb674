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

    [Theory]
    [InlineData(0.7, 0.3)]
    [InlineData(-1.2, 2.0)]
    public void RefParameter_ReadAfterItIsWritten_ReverseModeUsesItsValueOnEntry(double x, double z) => DerivativeAssert.Vector(
        p =>
        {
            double state = p[1];
            double value = OutRefCalls.Bump(p[0], ref state);
            return [value, state];
        },
        (p, v) =>
        {
            double state = p[1], dstate = v[1];
            var (value, dvalue) = OutRefCalls.BumpJvp(p[0], ref state, v[0], ref dstate);
            return ([value, state], [dvalue, dstate]);
        },
        (p, u) =>
        {
            double state = p[1], dstate = u[1];
            double value = OutRefCalls.BumpVjp(p[0], ref state, u[0], out double dx, ref dstate);
            return ([value, state], [dx, dstate]);
        },
        [x, z]);

    [Theory]
    [InlineData(0.7)]
    [InlineData(-1.3)]
    public void CallWithAnOutArgument_MatchesFiniteDifferences(double x) => DerivativeAssert.Scalar(
        p => OutRefCalls.CallsWithOut(p[0]),
        (p, v) => OutRefCalls.CallsWithOutJvp(p[0], v[0]),
        (p, u) => (OutRefCalls.CallsWithOutVjp(p[0], u, out double dx), [dx]),
        [x]);

    [Theory]
    [InlineData(0.7, 0.3)]
    [InlineData(2.0, -1.1)]
    public void VoidCallForOutArguments_WithADiscard_MatchesFiniteDifferences(double r, double t) => DerivativeAssert.Scalar(
        p => OutRefCalls.CallsForOuts(p[0], p[1]),
        (p, v) => OutRefCalls.CallsForOutsJvp(p[0], p[1], v[0], v[1]),
        (p, u) => (OutRefCalls.CallsForOutsVjp(p[0], p[1], u, out double dr, out double dt), [dr, dt]),
        [r, t]);

    [Theory]
    [InlineData(0.7, 0.3)]
    [InlineData(-0.4, 1.5)]
    public void CallWithARefArgument_MatchesFiniteDifferences(double x, double z) => DerivativeAssert.Scalar(
        p => OutRefCalls.CallsWithRef(p[0], p[1]),
        (p, v) => OutRefCalls.CallsWithRefJvp(p[0], p[1], v[0], v[1]),
        (p, u) => (OutRefCalls.CallsWithRefVjp(p[0], p[1], u, out double dx, out double dz), [dx, dz]),
        [x, z]);

    [Theory]
    [InlineData(0.3, 0.9)]
    [InlineData(-0.8, 1.2)]
    public void OwnRefParameterPassedOnByReference_MatchesFiniteDifferences(double state, double rate) => DerivativeAssert.Vector(
        p =>
        {
            double s = p[0];
            OutRefCalls.PassesItsRefParameterOn(ref s, p[1]);
            return [s];
        },
        (p, v) =>
        {
            double s = p[0], ds = v[0];
            OutRefCalls.PassesItsRefParameterOnJvp(ref s, p[1], ref ds, v[1]);
            return ([s], [ds]);
        },
        (p, u) =>
        {
            double s = p[0], ds = u[0];
            OutRefCalls.PassesItsRefParameterOnVjp(ref s, p[1], ref ds, out double drate);
            return ([s], [ds, drate]);
        },
        [state, rate]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void CallsWithOutAndRefArgumentsInALoop_MatchFiniteDifferences(int n) => DerivativeAssert.Scalar(
        p => OutRefCalls.CallsInALoop(p[0], n),
        (p, v) => OutRefCalls.CallsInALoopJvp(p[0], n, v[0]),
        (p, u) => (OutRefCalls.CallsInALoopVjp(p[0], n, u, out double dx), [dx]),
        [0.7], [-0.35]);

    [Theory]
    [InlineData(0.5)]
    [InlineData(-1.25)]
    public void NoDerivativeOutAndRefParameters_CarryNoDerivativeIntoTheCaller_InBothModes(double x)
    {
        // b = x² and z = x·x come back as constants; c = z·x + x with z constant on entry: d/dx = 2·x² + (x + 1)·x².
        double expected = 2 * x * x + (x + 1) * x * x;
        var (value, tangent) = OutRefCalls.CallsWithUntrackedOutputsJvp(x, 1);
        Assert.Equal(OutRefCalls.CallsWithUntrackedOutputs(x), value);
        DerivativeAssert.AssertClose(expected, tangent, "forward", 1e-14);
        Assert.Equal(value, OutRefCalls.CallsWithUntrackedOutputsGradient(x, out double gradient));
        DerivativeAssert.AssertClose(expected, gradient, "reverse", 1e-14);
    }
}

