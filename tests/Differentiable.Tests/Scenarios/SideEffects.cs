using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Assignments, compound assignments and increments used as values.</summary>
public static partial class SideEffects
{
    /// <summary>A countdown in the loop's test, a prefix increment in a product, a postfix one in an index.</summary>
    [Differentiable]
    public static double Countdown(double[] a, double t, int n)
    {
        double s = 0;
        int i = 0;
        while (n-- > 0)
        {
            s += (++i) * t * a[i % a.Length];
        }

        int k = 0;
        do
        {
            s += a[k++] * s;
        }
        while (k < a.Length);

        int m = 0;
        while (m++ < 2)
        {
            s *= t;
        }

        return s + n * 10 + m; // n and m as the failing tests left them: -1 and 3
    }

    /// <summary>Chained assignments, an assignment inside an expression, and a compound assignment used as a value.</summary>
    [Differentiable]
    public static double Chained(double x, double y, double[] a)
    {
        double p, q;
        p = q = x * y;
        double r = x * (y = x) + p * q;
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += (a[i] *= y) + (a[i] += r);
        }

        return s + (r += y) * r;
    }
}
