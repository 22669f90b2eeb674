using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>if/else, nested branches, early return, the conditional operator, comparisons and logic.</summary>
public static partial class Branches
{
    [Differentiable]
    public static double Piecewise(double x, double y)
    {
        double r;
        if (x > y)
        {
            r = x * x - y;
        }
        else
        {
            r = Math.Sin(y) * x;
        }

        return r * 2;
    }

    [Differentiable]
    public static double Nested(double x, double y)
    {
        double a = x + y;
        if (x > 0)
        {
            if (y > 0)
            {
                a = a * x * y;
            }
            else
            {
                a = a - y * y;
            }
        }
        else if (!(y < 1) && x > -2)
        {
            a = Math.Exp(a);
        }

        return a + x;
    }

    [Differentiable]
    public static double EarlyReturn(double x, double y)
    {
        if (x < 0)
        {
            return -x * y;
        }

        double z = x * y;
        if (z > 1 || y < -3)
        {
            return Math.Log(z + 5);
        }

        z = z * z;
        return z + y;
    }

    [Differentiable]
    public static double Ternary(double x, double y)
    {
        double m = x > y ? x * 2 : y * y;
        return (m > 1 && x != y ? Math.Sqrt(m) : m) + (x >= 0 ? x : -x);
    }

    [Differentiable]
    public static double OnlyThen(double x)
    {
        double y = x;
        if (x <= 2)
        {
            y = x * x * x;
        }

        return y;
    }

    /// <summary>A conditional inside a returning branch whose value the reverse sweep reads (m · m).</summary>
    [Differentiable]
    public static double ConditionalInsideBranch(double x, double y)
    {
        if (x > 0)
        {
            double m = y > 1 ? y * x : x;
            return m * m;
        }

        return x * y;
    }
}
