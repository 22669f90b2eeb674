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
