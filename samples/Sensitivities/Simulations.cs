using Differentiable;

namespace Sensitivities;

/// <summary>
/// Two small simulations marked <c>[Differentiable]</c>, written as plain time-stepping loops that overwrite their
/// state every step. The generator differentiates through every step: <c>{M}Gradient</c> gives the sensitivities
/// of the final state to all parameters in one reverse pass, <c>{M}Jvp</c> one directional derivative in a
/// forward pass.
/// </summary>
public static partial class Simulations
{
    /// <summary>
    /// A damped harmonic oscillator x'' = −k·x − c·x', integrated with explicit Euler for
    /// <paramref name="steps"/> steps of <paramref name="dt"/> from x(0) = x0, x'(0) = v0: the final position.
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

    /// <summary>The same simulation, returning the final state (position and velocity).</summary>
    [Differentiable]
    public static (double X, double V) FinalState(double k, double c, double x0, double v0, int steps, [NoDerivative] double dt)
    {
        double x = x0;
        double v = v0;
        for (int i = 0; i < steps; i++)
        {
            double a = -k * x - c * v;
            x += dt * v;
            v += dt * a;
        }

        return (x, v);
    }

    /// <summary>
    /// A chain of unit masses joined by springs, spring j between mass j − 1 (the wall, for j = 0) and mass j, with
    /// damping c. The last mass starts pulled out by 1, everything else at rest; explicit Euler as above. The final
    /// position of the last mass, as a function of every spring's stiffness.
    /// </summary>
    [Differentiable]
    public static double ChainEndPosition(double[] stiffness, double c, int steps, [NoDerivative] double dt)
    {
        int n = stiffness.Length;
        double[] x = new double[n];
        double[] v = new double[n];
        double[] force = new double[n];
        x[n - 1] = 1;
        for (int step = 0; step < steps; step++)
        {
            for (int i = 0; i < n; i++)
            {
                force[i] = -c * v[i];
            }

            for (int j = 0; j < n; j++)
            {
                double stretch = j == 0 ? x[0] : x[j] - x[j - 1];
                double tension = stiffness[j] * stretch;
                force[j] -= tension;
                if (j > 0)
                {
                    force[j - 1] += tension;
                }
            }

            for (int i = 0; i < n; i++)
            {
                x[i] += dt * v[i];
                v[i] += dt * force[i];
            }
        }

        return x[n - 1];
    }
}
