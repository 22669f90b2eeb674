using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Collection expressions, arrays returned by calls, index-from-end and readonly array fields.</summary>
public static partial class Collections
{
    private static readonly double[] Weights = [0.5, -1.5, 2.0];

    /// <summary>A [Differentiable] helper that returns a new array.</summary>
    [Differentiable]
    public static double[] Scaled(double[] a, double c)
    {
        var result = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            result[i] = a[i] * c + Math.Sin(a[i]);
        }

        return result;
    }

    /// <summary>Local arrays and spans from collection expressions, one passed on directly, and ^k indices.</summary>
    [Differentiable]
    public static double Literals(double x, double y)
    {
        double[] v = [x, 2 * x, y];
        Span<double> s = [y * y, x];
        ReadOnlySpan<double> r = [x + y, 3];
        double[] empty = [];
        return v[^1] * s[0] + s[^1] * r[^2] + Arrays.Dot([x, y], [1.0, 2.0]) + empty.Length;
    }

    /// <summary>An array from a call, written afterwards, and a readonly field's weights.</summary>
    [Differentiable]
    public static double FromCall(double[] a, double c)
    {
        double[] b = Scaled(a, c);
        b[0] = b[0] * b[^1];
        double s = 0;
        for (int i = 0; i < b.Length; i++)
        {
            s += b[i] * Weights[i % Weights.Length];
        }

        return s + a[^1];
    }
}

/// <summary>Ranges of arrays and read-only spans: copies, as C# makes of an array's range.</summary>
public static partial class Ranges
{
    /// <summary>A foreach over a range, the range of a read-only span in a local, and ^k ends.</summary>
    [Differentiable]
    public static double TailAndMiddle(double[] a, ReadOnlySpan<double> b, double x)
    {
        double s = 0;
        foreach (double v in a[1..])
        {
            s += v * v * x;
        }

        ReadOnlySpan<double> middle = b[1..^1];
        for (int i = 0; i < middle.Length; i++)
        {
            s += middle[i] * b[0] * x;
        }

        return s;
    }

    /// <summary>A range's copy written (the array itself keeps its elements), and a range passed to a call.</summary>
    [Differentiable]
    public static double Pieces(double[] a, int k)
    {
        double[] head = a[..k];
        head[0] *= 3;
        return Arrays.Dot(head, a[k..(2 * k)]) + head[0] * a[0] + a[^1];
    }
}

