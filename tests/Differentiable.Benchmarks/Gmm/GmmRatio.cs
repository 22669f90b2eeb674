using System.Diagnostics;

namespace Differentiable.Benchmarks.Gmm;

/// <summary>
/// <c>--gmm-ratio</c>: the GMM benchmarks without BenchmarkDotNet, in one process, for a quick look. Per size and
/// method: a warm-up (at least 1 s and 40 calls), then <c>samples</c> timed batches (25 ms each with <c>--quick</c>, else
/// 100 ms). Prints three tables: the median time per call of each method; the gradient/objective ratios (each generated
/// gradient over its own variant's objective, and the hand gradient's); and the bytes allocated per call by each method,
/// with the bytes each generated gradient saved on the tape (<see cref="Tape.LastPeakBytes"/> after one call).
/// <code>dotnet run -c Release --project tests/Differentiable.Benchmarks -- --gmm-ratio [--quick]</code>
/// </summary>
/// <remarks>
/// The generated gradients accumulate into their shadows, so each timed call clears them first (<c>Array.Clear</c>,
/// O(parameters)), as <see cref="GmmBenchmarks"/> does.
/// </remarks>
internal static class GmmRatio
{
    private static readonly string[] Methods =
        ["Objective_Scratch", "Objective_Stackalloc", "HandObjective", "HandGradient", "Gradient_Scratch", "Gradient_Stackalloc"];

    public static void Run(bool quick)
    {
        int samples = quick ? 9 : 31;
        var batchTime = TimeSpan.FromMilliseconds(quick ? 25 : 100);
        Console.WriteLine($"GMM objective, hand gradient and generated gradients, seed {GmmData.DefaultSeed}, median of {samples} batches of >= {batchTime.TotalMilliseconds} ms");
        var rows = new List<((int D, int K, int N) Size, double[] Seconds, long[] Allocated, long TapeScratch, long TapeStackalloc)>();
        foreach ((int d, int k, int n) in GmmData.BenchmarkSizes)
        {
            Console.Error.WriteLine($"  measuring D={d} K={k} N={n} …");
            GmmData data = GmmData.Create(d, k, n);
            var dAlphas = new double[data.Alphas.Length];
            var dMeans = new double[data.Means.Length];
            var dIcf = new double[data.Icf.Length];
            var scratch = new double[GmmHandGradient.ScratchLength(d, k, n)];
            Func<double> generatedScratch = () =>
            {
                ClearShadows(dAlphas, dMeans, dIcf);
                return GmmObjective.ObjectiveScratchGradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf);
            };
            Func<double> generatedStackalloc = () =>
            {
                ClearShadows(dAlphas, dMeans, dIcf);
                return GmmObjective.ObjectiveStackallocGradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf);
            };
            Func<double>[] calls =
            [
                () => GmmObjective.ObjectiveScratch(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM),
                () => GmmObjective.ObjectiveStackalloc(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM),
                () => GmmHandGradient.Objective(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, scratch),
                () => GmmHandGradient.Gradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf, scratch),
                generatedScratch,
                generatedStackalloc,
            ];
            var seconds = new double[calls.Length];
            var allocated = new long[calls.Length];
            for (int m = 0; m < calls.Length; m++)
            {
                (seconds[m], allocated[m]) = Measure(calls[m], samples, batchTime);
            }

            // The bytes saved per call: one call of each generated gradient on this thread, then the tape's peak.
            generatedScratch();
            long tapeScratch = Tape.Current.LastPeakBytes;
            generatedStackalloc();
            long tapeStackalloc = Tape.Current.LastPeakBytes;
            rows.Add(((d, k, n), seconds, allocated, tapeScratch, tapeStackalloc));
        }

        Console.WriteLine();
        Console.WriteLine("Median time per call");
        Console.WriteLine($"{"D",3} {"K",4} {"N",5} | " + string.Join(" ", Methods.Select(m => m.PadLeft(Width(m)))));
        foreach (var row in rows)
        {
            Console.WriteLine(
                $"{row.Size.D,3} {row.Size.K,4} {row.Size.N,5} | "
                + string.Join(" ", Methods.Select((m, i) => Format(row.Seconds[i]).PadLeft(Width(m)))));
        }

        Console.WriteLine();
        Console.WriteLine("Gradient/objective ratios (generated: each over its own variant's objective; hand: over each objective and over HandObjective)");
        string[] ratioNames = ["gen scratch/obj scratch", "gen stackalloc/obj stackalloc", "hand/obj scratch", "hand/obj stackalloc", "hand/handobj", "gen scratch/hand", "gen stackalloc/hand"];
        (int Numerator, int Denominator)[] ratios = [(4, 0), (5, 1), (3, 0), (3, 1), (3, 2), (4, 3), (5, 3)];
        Console.WriteLine($"{"D",3} {"K",4} {"N",5} | " + string.Join(" ", ratioNames));
        foreach (var row in rows)
        {
            Console.WriteLine(
                $"{row.Size.D,3} {row.Size.K,4} {row.Size.N,5} | "
                + string.Join(" ", ratioNames.Select((name, i) =>
                    (row.Seconds[ratios[i].Numerator] / row.Seconds[ratios[i].Denominator]).ToString("F2").PadLeft(name.Length))));
        }

        Console.WriteLine();
        Console.WriteLine("Bytes allocated per call (GC.GetAllocatedBytesForCurrentThread, one warm call), and bytes saved on the tape per call (Tape.LastPeakBytes after one call)");
        string[] tapeNames = ["tape: Gradient_Scratch", "tape: Gradient_Stackalloc"];
        Console.WriteLine($"{"D",3} {"K",4} {"N",5} | " + string.Join(" ", Methods.Select(m => m.PadLeft(Width(m)))) + " | " + string.Join(" ", tapeNames));
        foreach (var row in rows)
        {
            Console.WriteLine(
                $"{row.Size.D,3} {row.Size.K,4} {row.Size.N,5} | "
                + string.Join(" ", Methods.Select((m, i) => row.Allocated[i].ToString("N0").PadLeft(Width(m))))
                + " | " + row.TapeScratch.ToString("N0").PadLeft(tapeNames[0].Length) + " " + row.TapeStackalloc.ToString("N0").PadLeft(tapeNames[1].Length));
        }
    }

    private static int Width(string method) => Math.Max(method.Length, 11);

    private static void ClearShadows(double[] dAlphas, double[] dMeans, double[] dIcf)
    {
        Array.Clear(dAlphas);
        Array.Clear(dMeans);
        Array.Clear(dIcf);
    }

    private static string Format(double seconds) =>
        seconds >= 1e-3 ? $"{seconds * 1e3:F3} ms" : $"{seconds * 1e6:F1} us";

    /// <summary>Median seconds per call, and bytes allocated by one (warm) call.</summary>
    internal static (double Seconds, long Allocated) Measure(Func<double> call, int samples, TimeSpan batchTime)
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
