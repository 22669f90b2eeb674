using Differentiable.Benchmarks.Gmm;
using Differentiable.Benchmarks.Simulation;

namespace Differentiable.Benchmarks;

/// <summary>
/// <c>--tape-bytes</c>: the bytes a generated gradient saves on the tape per call (<see cref="Tape.LastPeakBytes"/> after
/// one call, on this thread), for the damped oscillator (<see cref="Oscillator"/>) and for the GMM objective at each
/// benchmark size in both variants, with the same per loop iteration: per Euler step; per data point and per
/// (point, component) pair, the body of the GMM's main loop. No timing: the figures are exact and take a few seconds.
/// <code>dotnet run -c Release --project tests/Differentiable.Benchmarks -- --tape-bytes</code>
/// </summary>
internal static class TapeBytes
{
    public static void Run()
    {
        Tape tape = Tape.Current;

        Oscillator.FinalPositionGradient(4.0, 0.3, 1.0, 0.5, Oscillator.Steps, Oscillator.Dt, out _, out _, out _, out _);
        long oscillator = tape.LastPeakBytes;
        Console.WriteLine($"Damped oscillator, explicit Euler, {Oscillator.Steps} steps (FinalPositionGradient)");
        Console.WriteLine($"  tape bytes per call: {oscillator:N0}, per Euler step: {(double)oscillator / Oscillator.Steps:N1}");
        Console.WriteLine();

        Console.WriteLine($"GMM objective, seed {GmmData.DefaultSeed}: tape bytes per gradient call (parameters: their count × 8 bytes, for scale)");
        Console.WriteLine($"{"D",3} {"K",4} {"N",5} | {"variant",-10} | {"tape bytes",14} {"per point",12} {"per point·comp.",15} | {"parameters",11}");
        foreach ((int d, int k, int n) in GmmData.BenchmarkSizes)
        {
            GmmData data = GmmData.Create(d, k, n);
            var dAlphas = new double[data.Alphas.Length];
            var dMeans = new double[data.Means.Length];
            var dIcf = new double[data.Icf.Length];

            GmmObjective.ObjectiveScratchGradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf);
            Print("scratch", tape.LastPeakBytes);
            GmmObjective.ObjectiveStackallocGradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf);
            Print("stackalloc", tape.LastPeakBytes);

            void Print(string variant, long bytes) => Console.WriteLine(
                $"{d,3} {k,4} {n,5} | {variant,-10} | {bytes,14:N0} {(double)bytes / n,12:N1} {(double)bytes / (n * k),15:N1} | {8L * data.ParameterCount,11:N0}");
        }
    }
}
