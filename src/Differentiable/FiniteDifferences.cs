using System;

namespace Differentiable;

/// <summary>
/// Central finite differences, for checking generated derivatives against the function itself.
/// </summary>
/// <remarks>
/// The step for coordinate <c>i</c> is <c>h · max(1, |x[i]|)</c>; the default <c>h = 1e-6</c> suits
/// double-precision functions that are smooth near <c>x</c>; its truncation error is O(h²).
/// </remarks>
public static class FiniteDifferences
{
    /// <summary>The central-difference estimate of ∂f/∂x[i] at <paramref name="x"/>.</summary>
    public static double Partial(Func<double[], double> f, ReadOnlySpan<double> x, int i, double h = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(f);
        if ((uint)i >= (uint)x.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(i), i, $"The coordinate must be in [0, {x.Length}).");
        }

        double step = h * Math.Max(1.0, Math.Abs(x[i]));
        double[] plus = x.ToArray();
        double[] minus = x.ToArray();
        plus[i] += step;
        minus[i] -= step;
        return (f(plus) - f(minus)) / (plus[i] - minus[i]);
    }

    /// <summary>The central-difference gradient of a scalar function at <paramref name="x"/>.</summary>
    public static double[] Gradient(Func<double[], double> f, ReadOnlySpan<double> x, double h = 1e-6)
    {
        var gradient = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            gradient[i] = Partial(f, x, i, h);
        }

        return gradient;
    }

    /// <summary>
    /// The central-difference Jacobian of a vector function at <paramref name="x"/>: rows are outputs,
    /// columns are inputs.
    /// </summary>
    public static double[,] Jacobian(Func<double[], double[]> f, ReadOnlySpan<double> x, double h = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(f);
        int outputs = f(x.ToArray()).Length;
        var jacobian = new double[outputs, x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            double step = h * Math.Max(1.0, Math.Abs(x[j]));
            double[] plus = x.ToArray();
            double[] minus = x.ToArray();
            plus[j] += step;
            minus[j] -= step;
            double[] fPlus = f(plus);
            double[] fMinus = f(minus);
            for (int i = 0; i < outputs; i++)
            {
                jacobian[i, j] = (fPlus[i] - fMinus[i]) / (plus[j] - minus[j]);
            }
        }

        return jacobian;
    }
}
