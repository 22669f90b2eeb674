using System.Runtime.CompilerServices;
using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>switch statements and expressions in both modes, every section and arm taken, against finite differences.</summary>
public class SwitchTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(-3)]
    [InlineData(4)]
    public void Piecewise_MatchesFiniteDifferences_InEverySection(int n) => DerivativeAssert.Scalar(
        x => Switches.Piecewise(x[0], n),
        (x, v) => Switches.PiecewiseJvp(x[0], n, v[0]),
        (x, u) => (Switches.PiecewiseVjp(x[0], n, u, out double dx), [dx]),
        [0.7], [-1.3]);

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(9)]
    public void Stepper_MatchesFiniteDifferences(int steps) => DerivativeAssert.Scalar(
        x => Switches.Stepper(x[0], steps),
        (x, v) => Switches.StepperJvp(x[0], steps, v[0]),
        (x, u) => (Switches.StepperVjp(x[0], steps, u, out double dx), [dx]),
        [0.7], [1.9]);

    [Theory]
    [InlineData(Norm.L1, -2)]
    [InlineData(Norm.L2, 0)]
    [InlineData(Norm.Largest, 3)]
    public void Norms_MatchesFiniteDifferences(Norm norm, int sign) => DerivativeAssert.Scalar(
        p => Switches.Norms(p[0], p[1], norm, sign),
        (p, v) => Switches.NormsJvp(p[0], p[1], norm, sign, v[0], v[1]),
        (p, u) => (Switches.NormsVjp(p[0], p[1], norm, sign, u, out double dx, out double dy), [dx, dy]),
        [0.3, -1.2], [-2.0, 0.5]);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Strict_MatchesFiniteDifferences(int mode) => DerivativeAssert.Scalar(
        x => Switches.Strict(x[0], mode),
        (x, v) => Switches.StrictJvp(x[0], mode, v[0]),
        (x, u) => (Switches.StrictVjp(x[0], mode, u, out double dx), [dx]),
        [0.7], [-1.3]);

    [Theory]
    [InlineData(3, typeof(ArgumentOutOfRangeException))]
    [InlineData(4, typeof(SwitchExpressionException))]
    public void Strict_ThrowsAsThePrimalDoes(int mode, Type exception)
    {
        Assert.IsType(exception, Assert.ThrowsAny<Exception>(() => Switches.Strict(0.5, mode)));
        Assert.IsType(exception, Assert.ThrowsAny<Exception>(() => Switches.StrictJvp(0.5, mode, 1)));
        Assert.IsType(exception, Assert.ThrowsAny<Exception>(() => Switches.StrictGradient(0.5, mode, out _)));
    }
}
