using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>The norms <see cref="PassThrough.Measure"/> chooses between.</summary>
public enum Norm
{
    L1,
    L2,
    Largest,
}

/// <summary>Parameters that carry no derivative: enum, char, string and bool, compared and read, passed through.</summary>
public static partial class PassThrough
{
    /// <summary>An enum chooses the formula, a char the unit, a string's length a scale.</summary>
    [Differentiable]
    public static double Measure(double x, double y, Norm norm, char unit, string label, bool scaled)
    {
        double r = norm == Norm.L1 ? Math.Abs(x) + Math.Abs(y) : norm == Norm.L2 ? Math.Sqrt(x * x + y * y) : Math.Max(Math.Abs(x), Math.Abs(y));
        if (unit == 'k')
        {
            r *= 1000;
        }

        if (scaled && label.Length > 3 && label != "none")
        {
            r /= label.Length;
        }

        return r;
    }
}
