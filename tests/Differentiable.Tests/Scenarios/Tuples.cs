using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Tuple results (multiple outputs), calls returning tuples, deconstruction.</summary>
public static partial class Tuples
{
    [Differentiable]
    public static (double Sum, double Product) SumAndProduct(double x, double y) => (x + y, x * y);

    [Differentiable]
    public static (double A, int Count, double B) Mixed(double x, int n) => (x * n, n + 1, Math.Sin(x));

    [Differentiable]
    public static double UsesTuple(double x, double y)
    {
        var (s, p) = SumAndProduct(x, y);
        var r = SumAndProduct(s, p);
        return r.Sum * r.Product + s + Mixed(y, 2).B;
    }

    [Differentiable]
    public static (double, double) Swap(double x, double y)
    {
        (x, y) = (y, x * 2);
        return (x, y);
    }
}

/// <summary>A tuple-valued call inside a loop whose two targets the reverse sweep reads: saved in order, restored in the opposite.</summary>
public static partial class TuplesInLoops
{
    [Differentiable]
    public static (double Sin, double Cos) SinCos(double v) => (Math.Sin(v), Math.Cos(v));

    [Differentiable]
    public static double Spiral(double x, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            (double a, double b) = SinCos(x * (i + 1) + s);
            s += a * b * 0.5 + a * 0.25;
        }

        return s;
    }
}

