using Differentiable.Benchmarks.Gmm;

namespace Differentiable.Benchmarks.Jacobians;

/// <summary>
/// <c>--jacobian-ratio</c>: the generated <c>{M}Jacobian</c> of the discretized 1-D Bratu residual, R^64 → R^64 (columns
/// by the widened Jvp, four unit directions per sweep), against the same matrix assembled from 64 single <c>{M}Jvp</c>
/// calls; and the generated <c>{M}Hessian</c> of the n-D Rosenbrock function at n = 100 (by the widened Hvp) against 100
/// single <c>{M}Hvp</c> calls and against its gradient. All timed in one run (medians of repeated batches).
/// <code>dotnet run -c Release --project tests/Differentiable.Benchmarks -- --jacobian-ratio</code>
/// </summary>
public static partial class JacobianRatio
{
    /// <summary>The residual of −u″ = λ·e^u with u = 0 at both ends, on n interior points (finite differences).</summary>
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

    public static void Run(bool quick)
    {
        int samples = quick ? 9 : 21;
        TimeSpan batch = TimeSpan.FromMilliseconds(quick ? 25 : 100);
        Console.WriteLine($"Jacobians and Hessians, median of {samples} batches of >= {batch.TotalMilliseconds} ms each");

        const int n = 64;
        double[] u = Enumerable.Range(0, n).Select(i => 0.5 * Math.Sin(Math.PI * (i + 1) / (n + 1))).ToArray();
        var jacobian = new double[n * n];
        var direction = new double[n];
        var widened = GmmRatio.Measure(() => BratuJacobian(u, 1.0, jacobian)[0], samples, batch);
        var single = GmmRatio.Measure(
            () =>
            {
                for (int j = 0; j < n; j++)
                {
                    direction[j] = 1;
                    double[] column = BratuJvp(u, 1.0, direction).Tangent;
                    direction[j] = 0;
                    for (int i = 0; i < n; i++)
                    {
                        jacobian[i * n + j] = column[i];
                    }
                }

                return jacobian[0];
            },
            samples,
            batch);
        var primal = GmmRatio.Measure(() => Bratu(u, 1.0)[0], samples, batch);
        Console.WriteLine($"  Bratu R^{n} -> R^{n}: BratuJacobian {widened.Seconds * 1e6:F1} us, {n} single BratuJvp calls {single.Seconds * 1e6:F1} us, "
            + $"single/Jacobian {single.Seconds / widened.Seconds:F2}; Jacobian/primal {widened.Seconds / primal.Seconds:F1}");

        const int m = 100;
        var random = new Random(20261207);
        double[] x = Enumerable.Range(0, m).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] gradientBuffer = new double[m];
        var hessian = new double[m * m];
        var gradient = GmmRatio.Measure(() => { Array.Clear(gradientBuffer); return SecondOrder.HvpRatio.RosenbrockGradient(x, gradientBuffer); }, samples, batch);
        var full = GmmRatio.Measure(() => SecondOrder.HvpRatio.RosenbrockHessian(x, hessian), samples, batch);
        double[] unit = new double[m], dx = new double[m], row = new double[m];
        var byRows = GmmRatio.Measure(
            () =>
            {
                for (int j = 0; j < m; j++)
                {
                    unit[j] = 1;
                    Array.Clear(row);
                    SecondOrder.HvpRatio.RosenbrockHvp(x, unit, dx, row);
                    unit[j] = 0;
                    row.CopyTo(hessian.AsSpan(j * m, m));
                }

                return hessian[0];
            },
            samples,
            batch);
        Console.WriteLine($"  Rosenbrock n = {m}: RosenbrockHessian {full.Seconds * 1e6:F1} us (widened Hvp, {m / 4} sweeps), {m} single RosenbrockHvp calls {byRows.Seconds * 1e6:F1} us, "
            + $"single/Hessian {byRows.Seconds / full.Seconds:F2}; Gradient {gradient.Seconds * 1e6:F2} us, Hessian/Gradient {full.Seconds / gradient.Seconds:F1}");
    }
}
