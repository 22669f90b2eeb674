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

/// <summary>Calls of methods with out and ref parameters, and a ref parameter whose value on entry the reverse sweep reads.</summary>
public static partial class OutRefCalls
{
    /// <summary>A ref parameter read (x·z) after it is written: the reverse sweep needs its value on entry.</summary>
    [Differentiable]
    public static double Bump(double x, ref double z)
    {
        z = z * x + 1;
        return z * z;
    }

    /// <summary>A result and an out parameter.</summary>
    [Differentiable]
    public static double SquareAndCube(double x, out double cube)
    {
        cube = x * x * x;
        return x * x;
    }

    /// <summary>A void method of out parameters only.</summary>
    [Differentiable]
    public static void ToCartesian(double r, double t, out double px, out double py)
    {
        px = r * Math.Cos(t);
        py = r * Math.Sin(t);
    }

    /// <summary>A call with an out argument declared in place, its result and the out value both used.</summary>
    [Differentiable]
    public static double CallsWithOut(double x)
    {
        double a = SquareAndCube(x, out double b);
        return a * b + Math.Sin(b);
    }

    /// <summary>A void call for its out arguments, one of them discarded, one assigned to an existing local.</summary>
    [Differentiable]
    public static double CallsForOuts(double r, double t)
    {
        double px = 0;
        ToCartesian(r, t, out px, out _);
        ToCartesian(px, t * r, out double qx, out double qy);
        return px * qy + qx;
    }

    /// <summary>A ref argument: the callee reads and writes the caller's local; the caller reads it afterwards.</summary>
    [Differentiable]
    public static double CallsWithRef(double x, double z)
    {
        double s = Bump(x, ref z);
        return s + z * x;
    }

    /// <summary>The caller's own ref parameter passed on by reference, and its result discarded.</summary>
    [Differentiable]
    public static void PassesItsRefParameterOn(ref double state, double rate)
    {
        Bump(rate, ref state);
        state = state * rate;
    }

    /// <summary>Calls with out and ref arguments inside a loop: their outputs are overwritten every iteration.</summary>
    [Differentiable]
    public static double CallsInALoop(double x, int n)
    {
        double s = 0, z = x;
        for (int i = 0; i < n; i++)
        {
            s += Bump(x, ref z) * 0.1;
            ToCartesian(s, z, out double u, out _);
            s = s * 0.5 + u * 0.01;
        }

        return s;
    }

    /// <summary>[NoDerivative] out and ref parameters: their outputs carry no derivative into the caller, in either mode.</summary>
    [Differentiable]
    public static double HalfTracked(double x, [NoDerivative] out double y)
    {
        y = x * x;
        return 2 * x;
    }

    [Differentiable]
    public static double Scales(double x, [NoDerivative] ref double z)
    {
        z = z * x;
        return z + x;
    }

    [Differentiable]
    public static double CallsWithUntrackedOutputs(double x)
    {
        double a = HalfTracked(x, out double b);
        double z = x;
        double c = Scales(x, ref z);
        return a * b + c * z;
    }
}

