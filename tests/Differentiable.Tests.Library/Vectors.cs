using System;
using Differentiable;

namespace Differentiable.Tests.Library;

/// <summary>
/// Differentiable vector kernels with array and span parameters, for use from other assemblies: their callers reach
/// them through the generated {M}Jvp and {M}Vjp (joint mode), never by inlining.
/// </summary>
public static partial class Vectors
{
    /// <summary>Σ a[i] b[i].</summary>
    [Differentiable]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    /// <summary>Σ a[i] b[i] in single precision.</summary>
    [Differentiable]
    public static float DotF(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    /// <summary>Writes y[i] = ln(1 + exp(x[i])): an output span.</summary>
    [Differentiable]
    public static void Softplus(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Math.Log(1 + Math.Exp(x[i]));
        }
    }

    /// <summary>Multiplies every element of <paramref name="a"/> by <paramref name="s"/>, in place.</summary>
    [Differentiable]
    public static void Scale(Span<double> a, double s)
    {
        for (int i = 0; i < a.Length; i++)
        {
            a[i] *= s;
        }
    }

    /// <summary>Σ w[i] x[i]²: two double[] parameters.</summary>
    [Differentiable]
    public static double WeightedSquares(double[] w, double[] x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += w[i] * x[i] * x[i];
        }

        return s;
    }
}
