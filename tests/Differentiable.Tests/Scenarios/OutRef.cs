using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>out parameters (results) and ref parameters (inputs and results).</summary>
public static partial class OutRef
{
    /// <summary>Polar coordinates: the radius returned, the angle through an out parameter, a count through another.</summary>
    [Differentiable]
    public static double Polar(double x, double y, out double angle, out int quadrant)
    {
        angle = Math.Atan2(y, x);
        quadrant = x >= 0 ? (y >= 0 ? 1 : 4) : (y >= 0 ? 2 : 3);
        double r = Math.Sqrt(x * x + y * y);
        if (r > 10)
        {
            angle = 0; // far away, the angle is reported as 0: written again on the early path
            return 10;
        }

        return r;
    }

    /// <summary>A ref parameter updated in a loop (an in-place step), and an out parameter written in the loop.</summary>
    [Differentiable]
    public static void Relax(ref double state, double rate, int steps, out double change)
    {
        double start = state;
        change = 0;
        for (int i = 0; i < steps; i++)
        {
            state = state - rate * Math.Sin(state);
            change = state - start;
        }
    }
}
