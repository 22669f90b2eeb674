using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>switch statements and expressions over integers, enums and patterns of values that carry no derivative.</summary>
public static partial class Switches
{
    /// <summary>A switch statement whose sections merge: case labels sharing a section, a relational pattern, default.</summary>
    [Differentiable]
    public static double Piecewise(double x, int n)
    {
        double y = x;
        switch (n)
        {
            case 0:
            case 1:
                y = x * x;
                break;
            case > 5 and < 9:
                y = Math.Sin(x) * n;
                break;
            case var k when k < 0:
                y = -x * k;
                break;
            default:
                y += 1;
                break;
        }

        return y * x;
    }

    /// <summary>A switch in a loop whose sections continue, return and break.</summary>
    [Differentiable]
    public static double Stepper(double x, int steps)
    {
        double s = 0;
        for (int i = 0; i < steps; i++)
        {
            switch (i % 3)
            {
                case 0:
                    s += x * i;
                    continue;
                case 1:
                    if (s > 100)
                    {
                        return s;
                    }

                    s = s * x;
                    break;
                default:
                    s -= Math.Cos(x);
                    break;
            }

            s += 0.5;
        }

        return s;
    }

    /// <summary>Switch expressions: over an enum into a floating value, and over an int in a condition.</summary>
    [Differentiable]
    public static double Norms(double x, double y, Norm norm, int sign)
    {
        double r = norm switch
        {
            Norm.L1 => Math.Abs(x) + Math.Abs(y),
            Norm.L2 => Math.Sqrt(x * x + y * y),
            _ => Math.Max(Math.Abs(x), Math.Abs(y)),
        };
        int s = sign switch { < 0 => -1, 0 => 0, _ => 1 };
        return s == 0 ? r : r * s + x;
    }

#pragma warning disable CS8509 // not exhaustive on purpose: no arm matching throws SwitchExpressionException

    /// <summary>A switch expression with a throwing arm and no default: no match throws, as in the primal.</summary>
    [Differentiable]
    public static double Strict(double x, int mode) => mode switch
    {
        1 => x * x,
        2 => Math.Exp(x),
        3 => throw new ArgumentOutOfRangeException(nameof(mode), "mode 3 is retired"),
    };
#pragma warning restore CS8509
}
