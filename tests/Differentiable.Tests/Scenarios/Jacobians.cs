using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Vector functions for {M}Jacobian: by columns (widened forward mode) and by rows (reverse mode).</summary>
public static partial class Jacobians
{
    /// <summary>The residual of the 1-D Bratu problem −u″ = λ·e^u with u = 0 at both ends, on n interior points: R^n → R^n.</summary>
    [Differentiable]
    public static double[] Bratu(double[] u, [NoDerivative] double lambda)
    {
        int n = u.Length;
        double h = 1.0 / (n + 1);
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            double left = i > 0 ? u[i - 1] : 0.0;
            double right = i < n - 1 ? u[i + 1] : 0.0;
            r[i] = (2 * u[i] - left - right) / (h * h) - lambda * Math.Exp(u[i]);
        }

        return r;
    }

    /// <summary>Polar to Cartesian coordinates through out parameters: R^2 → R^2.</summary>
    [Differentiable]
    public static void ToCartesian(double r, double theta, out double x, out double y)
    {
        x = r * Math.Cos(theta);
        y = r * Math.Sin(theta);
    }

    /// <summary>Products of neighbours: R^n → R^(n−1), fewer outputs than inputs (rows, reverse mode).</summary>
    [Differentiable]
    public static double[] NeighbourProducts(double[] x)
    {
        var p = new double[x.Length - 1];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = x[i] * Math.Sin(x[i + 1]);
        }

        return p;
    }

    /// <summary>Smooths an array in place and returns its new sum: a written array is an input and an output.</summary>
    [Differentiable]
    public static double SmoothInPlace(Span<double> a, double weight)
    {
        double sum = 0;
        for (int i = a.Length - 1; i > 0; i--)
        {
            a[i] = (1 - weight) * a[i] + weight * a[i - 1] * a[i - 1];
            sum += a[i];
        }

        return sum + a[0];
    }

    /// <summary>Pairs of every element with a scale: R^(n+1) → R^(2n) (more outputs than inputs).</summary>
    [Differentiable]
    public static float[] Expand(float[] x, float scale)
    {
        var y = new float[2 * x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[2 * i] = scale * MathF.Exp(x[i]);
            y[2 * i + 1] = x[i] * x[i] / scale;
        }

        return y;
    }

    /// <summary>Pow with both operands varying, and a product: R^2 → R^2 (the widened sweep keeps Pow's terms lane by lane).</summary>
    [Differentiable]
    public static void PowAndProduct(double x, double y, out double power, out double product)
    {
        power = Math.Pow(x, y);
        product = x * y;
    }

    /// <summary>A loop with a tape (the running product is overwritten) and a branch: R^n → R^(n/2), rows by reverse mode.</summary>
    [Differentiable]
    public static float[] PairProducts(float[] x)
    {
        var y = new float[x.Length / 2];
        float running = 1;
        for (int i = 0; i < y.Length; i++)
        {
            running = running * x[2 * i];
            y[i] = running > 0 ? running * x[2 * i + 1] : MathF.Sin(x[2 * i + 1]);
        }

        return y;
    }

    /// <summary>A ref state, two parameters and an out energy: R^3 → R^2, rows by the widened reverse sweep.</summary>
    [Differentiable]
    public static void Step(ref double x, double a, double b, out double energy)
    {
        energy = 0;
        for (int k = 0; k < 3; k++)
        {
            x = x + a * Math.Sin(x) - b * x * x;
            energy += x * x;
        }
    }
}
