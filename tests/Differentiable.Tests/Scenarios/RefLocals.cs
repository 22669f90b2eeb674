using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>ref locals: other names for a local, a parameter or an element, written through.</summary>
public static partial class RefLocals
{
    /// <summary>A ref local to a local, written twice through it: c = (a·b + a)·b.</summary>
    [Differentiable]
    public static double ToLocal(double a, double b)
    {
        double c = a * b;
        ref double r = ref c;
        r = r + a;
        r *= b;
        return c * 2 + b;
    }

    /// <summary>A chain of ref locals to a parameter: x = x·y + x², read under its own name.</summary>
    [Differentiable]
    public static double ChainToParameter(double x, double y)
    {
        ref double p = ref x;
        ref double q = ref p;
        q = q * y;
        q += x * x;
        return x * y;
    }

    /// <summary>A ref local to an array element, squaring the array in place, and a sum read through it.</summary>
    [Differentiable]
    public static double ToElement(double[] a)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ref double e = ref a[i];
            e = e * e;
            s += e;
        }

        return s + a[0];
    }

    /// <summary>A ref local to an element whose index changes afterwards: it keeps the element it was taken at.</summary>
    [Differentiable]
    public static double IndexChangesAfterward(Span<double> a, double x)
    {
        int k = 1;
        ref double e = ref a[k];
        k = 0;
        e = e * x + a[k];
        return a[1] * a[0];
    }

    /// <summary><c>foreach (ref double e in span)</c> writes each element in place.</summary>
    [Differentiable]
    public static double ForEachRef(Span<double> a)
    {
        foreach (ref double e in a)
        {
            e *= 3 + e;
        }

        double s = 0;
        foreach (double e in a)
        {
            s += e * e;
        }

        return s;
    }

    /// <summary>ref locals carried through a loop: the accumulator and the counter are written through them.</summary>
    [Differentiable]
    public static double CarriedThroughLoop(double x, double y)
    {
        double acc = 1;
        ref double a = ref acc;
        int k = 0;
        ref int counter = ref k;
        while (counter < 4)
        {
            a = a * x + y;
            counter++;
        }

        return acc;
    }

    /// <summary>A ref local written in one branch only.</summary>
    [Differentiable]
    public static double InBranch(double x, double y)
    {
        double z = x * y;
        ref double r = ref z;
        if (x > 0)
        {
            r = Math.Sin(r) + y;
        }

        return z * x;
    }
}
