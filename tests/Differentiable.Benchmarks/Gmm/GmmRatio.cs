using System.Diagnostics;

namespace Differentiable.Benchmarks.Gmm;

/// <summary>
/// <c>--gmm-ratio</c>: the GMM benchmarks without BenchmarkDotNet, in one process, for a quick look. Per size and
/// method: a warm-up (at least 1 s and 40 calls), then <c>samples</c> timed batches (25 ms each with <c>--quick</c>, else
/// 100 ms); prints the median time per call, the hand gradient's ratio to each objective's median, and the bytes
/// allocated per call.
/// <code>dotnet run -c Release --project tests/Differentiable.Benchmarks -- --gmm-ratio [--quick]</code>
/// </summary>
internal static class GmmRatio
{
    public static void Run(bool quick)
    {
        int samples = quick ? 9 : 31;
        var batchTime = TimeSpan.FromMilliseconds(quick ? 25 : 100);
        Console.WriteLine($"GMM objective and hand gradient, seed {GmmData.DefaultSeed}, median of {samples} batches of >= {batchTime.TotalMilliseconds} ms");
        Console.WriteLine(
            $"{"D",3} {"K",4} {"N",5} | {"Objective_Scratch",17} {"Objective_Stackalloc",20} {"HandObjective",13} {"HandGradient",12}"
            + $" | {"grad/obj",8} {"grad/stackalloc",15} {"grad/handobj",12} | bytes/call (scratch, stackalloc, handobj, grad)");
        foreach ((int d, int k, int n) in GmmData.BenchmarkSizes)
        {
            GmmData data = GmmData.Create(d, k, n);
            var dAlphas = new double[data.Alphas.Length];
            var dMeans = new double[data.Means.Length];
            var dIcf = new double[data.Icf.Length];
            var scratch = new double[GmmHandGradient.ScratchLength(d, k, n)];
            Func<double> scratchObjective = () => GmmObjective.ObjectiveScratch(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM);
            Func<double> stackObjective = () => GmmObjective.ObjectiveStackalloc(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM);
            Func<double> handObjective = () => GmmHandGradient.Objective(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, scratch);
            Func<double> gradient = () => GmmHandGradient.Gradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf, scratch);
            (double t0, long a0) = Measure(scratchObjective, samples, batchTime);
            (double t1, long a1) = Measure(stackObjective, samples, batchTime);
            (double t2, long a2) = Measure(handObjective, samples, batchTime);
            (double t3, long a3) = Measure(gradient, samples, batchTime);
            Console.WriteLine(
                $"{d,3} {k,4} {n,5} | {Format(t0),17} {Format(t1),20} {Format(t2),13} {Format(t3),12}"
                + $" | {t3 / t0,8:F2} {t3 / t1,15:F2} {t3 / t2,12:F2} | {a0}, {a1}, {a2}, {a3}");
        }
    }

    private static string Format(double seconds) =>
        seconds >= 1e-3 ? $"{seconds * 1e3:F3} ms" : $"{seconds * 1e6:F1} us";

    /// <summary>Median seconds per call, and bytes allocated by one (warm) call.</summary>
    private static (double Seconds, long Allocated) Measure(Func<double> call, int samples, TimeSpan batchTime)
    {
        double sink = 0;
        // Warm-up: tiered compilation promotes a method to tier 1 after 30 calls (counted once a 100 ms delay has
        // passed), compiling it in the background; until then a method with loops runs its OSR code.
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(1) || calls < 40)
        {
            sink += call();
            calls++;
        }

        Thread.Sleep(200);
        watch.Restart();
        calls = 0;
        while (watch.Elapsed < batchTime || calls < 2)
        {
            sink += call();
            calls++;
        }

        // The batch size: enough calls for batchTime.
        int batch = Math.Max(1, (int)(calls * batchTime.TotalSeconds / watch.Elapsed.TotalSeconds));
        long before = GC.GetAllocatedBytesForCurrentThread();
        sink += call();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var times = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int b = 0; b < batch; b++)
            {
                sink += call();
            }

            times[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / batch;
        }

        if (double.IsNaN(sink))
        {
            Console.WriteLine("(NaN)");
        }

        Array.Sort(times);
        return (times[samples / 2], allocated);
    }
}
