using Differentiable.Benchmarks.Gmm;

namespace Differentiable.Benchmarks.SecondOrder;

/// <summary>
/// <c>--hvp-ratio</c>: the generated Hessian-vector product ({M}Hvp: value, gradient and H·v in one sweep) over the
/// generated gradient of the same function, both timed in one run (medians of repeated batches): the n-D Rosenbrock
/// function written as a loop over an array (n = 1,000), and the GMM objective at (D, K, N) = (10, 25, 1000).
/// <code>dotnet run -c Release --project tests/Differentiable.Benchmarks -- --hvp-ratio</code>
/// </summary>
public static partial class HvpRatio
{
    /// <summary>The n-D Rosenbrock function, a loop over an array.</summary>
    [Differentiable(Order = 2)]
    public static double Rosenbrock(double[] x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = 1 - x[i];
            double b = x[i + 1] - x[i] * x[i];
            sum += a * a + 100 * b * b;
        }

        return sum;
    }

    public static void Run(bool quick)
    {
        int samples = quick ? 9 : 21;
        TimeSpan batch = TimeSpan.FromMilliseconds(quick ? 25 : 100);
        var random = new Random(20261207);
        Console.WriteLine($"Hvp over Gradient, median of {samples} batches of >= {batch.TotalMilliseconds} ms each");

        const int n = 1000;
        double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] v = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] dx = new double[n], hv = new double[n];
        var gradient = GmmRatio.Measure(() => { Array.Clear(dx); return RosenbrockGradient(x, dx); }, samples, batch);
        var hvp = GmmRatio.Measure(() => { Array.Clear(dx); Array.Clear(hv); return RosenbrockHvp(x, v, dx, hv); }, samples, batch);
        Report($"Rosenbrock, n = {n}, a loop over an array", gradient.Seconds, hvp.Seconds);

        GmmData data = GmmData.Create(10, 25, 1000);
        double[] dAlphas = new double[data.Alphas.Length], dMeans = new double[data.Means.Length], dIcf = new double[data.Icf.Length];
        double[] hAlphas = new double[data.Alphas.Length], hMeans = new double[data.Means.Length], hIcf = new double[data.Icf.Length];
        double[] vAlphas = data.Alphas.Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] vMeans = data.Means.Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] vIcf = data.Icf.Select(_ => random.NextDouble() - 0.5).ToArray();
        var gmmGradient = GmmRatio.Measure(
            () =>
            {
                Array.Clear(dAlphas);
                Array.Clear(dMeans);
                Array.Clear(dIcf);
                return GmmObjective.ObjectiveScratchGradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf);
            },
            samples,
            batch);
        var gmmHvp = GmmRatio.Measure(
            () =>
            {
                Array.Clear(dAlphas);
                Array.Clear(dMeans);
                Array.Clear(dIcf);
                Array.Clear(hAlphas);
                Array.Clear(hMeans);
                Array.Clear(hIcf);
                return GmmObjective.ObjectiveScratchHvp(
                    data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM,
                    vAlphas, vMeans, vIcf, dAlphas, dMeans, dIcf, hAlphas, hMeans, hIcf);
            },
            samples,
            batch);
        Report("GMM (D, K, N) = (10, 25, 1000), heap scratch", gmmGradient.Seconds, gmmHvp.Seconds);
    }

    private static void Report(string what, double gradient, double hvp) =>
        Console.WriteLine($"  {what}: Gradient {gradient * 1e6:F1} us, Hvp {hvp * 1e6:F1} us, Hvp/Gradient {hvp / gradient:F2}");
}
