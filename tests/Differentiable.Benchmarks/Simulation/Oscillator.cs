namespace Differentiable.Benchmarks.Simulation;

/// <summary>
/// The damped oscillator of <c>samples/Sensitivities</c>, for <c>--tape-bytes</c>: a time-stepping loop that overwrites
/// its state every step, so its reverse sweep needs the tape.
/// </summary>
public static partial class Oscillator
{
    /// <summary>The number of Euler steps <c>--tape-bytes</c> runs.</summary>
    public const int Steps = 1000;

    /// <summary>The step <c>--tape-bytes</c> runs.</summary>
    public const double Dt = 0.01;

    /// <summary>
    /// x'' = −k·x − c·x', integrated with explicit Euler for <paramref name="steps"/> steps of <paramref name="dt"/>
    /// from x(0) = x0, x'(0) = v0: the final position.
    /// </summary>
    [Differentiable]
    public static double FinalPosition(double k, double c, double x0, double v0, int steps, [NoDerivative] double dt)
    {
        double x = x0;
        double v = v0;
        for (int i = 0; i < steps; i++)
        {
            double a = -k * x - c * v;
            x += dt * v;
            v += dt * a;
        }

        return x;
    }
}
