using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Differentiable.Benchmarks.Gmm;

/// <summary>
/// The ADBench GMM objective, its generated gradients and its hand-written gradient at the four ADBench sizes
/// (<see cref="GmmData.BenchmarkSizes"/>), on <see cref="GmmData.DefaultSeed"/>'s data. The Ratio column is each method's
/// time over <see cref="Objective_Scratch"/>'s at the same size: for <see cref="Gradient_Scratch"/> (the generated
/// <c>ObjectiveScratchGradient</c>), the generated gradient/objective ratio; for <see cref="HandGradient"/>, the ratio it
/// is measured against. <see cref="Gradient_Stackalloc"/> over <see cref="Objective_Stackalloc"/> is the stackalloc
/// variant's ratio. <see cref="HandObjective"/> is the hand gradient's forward pass alone: HandGradient over
/// HandObjective is the reverse pass's cost at the in-language limit. Allocated is per call. <c>--gmm-ratio</c>
/// (see <see cref="GmmRatio"/>) prints the same figures without BenchmarkDotNet, in one process, with the bytes the
/// generated gradients save on the tape.
/// <code>dotnet run -c Release --project tests/Differentiable.Benchmarks -- --quick --filter '*Gmm*'</code>
/// </summary>
[MemoryDiagnoser]
[Config(typeof(QuickConfig))]
public class GmmBenchmarks
{
    private GmmData data = null!;
    private double[] dAlphas = null!;
    private double[] dMeans = null!;
    private double[] dIcf = null!;
    private double[] scratch = null!;

    /// <summary>The sizes, as "D×K×N".</summary>
    public static IEnumerable<GmmSize> Sizes => GmmData.BenchmarkSizes.Select(s => new GmmSize(s.D, s.K, s.N));

    [ParamsSource(nameof(Sizes))]
    public GmmSize Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        data = GmmData.Create(Size.D, Size.K, Size.N);
        dAlphas = new double[data.Alphas.Length];
        dMeans = new double[data.Means.Length];
        dIcf = new double[data.Icf.Length];
        scratch = new double[GmmHandGradient.ScratchLength(data.D, data.K, data.N)];
    }

    /// <summary>
    /// With <c>--quick</c>, 150 ms iterations instead of 500 ms (a call takes 45 µs to about 350 ms, the generated
    /// gradients at 64×100×1000 being the slowest): the 24 benchmarks in under two minutes (85 s measured, build
    /// included). Without it, the default job is unchanged.
    /// </summary>
    public sealed class QuickConfig : ManualConfig
    {
        public QuickConfig()
        {
            if (Program.Quick)
            {
                AddJob(Job.Default.WithIterationTime(TimeInterval.FromMilliseconds(150)).AsMutator());
            }
        }
    }

    /// <summary>The objective with per-call heap scratch.</summary>
    [Benchmark(Baseline = true)]
    public double Objective_Scratch() =>
        GmmObjective.ObjectiveScratch(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM);

    /// <summary>The objective with stackalloc scratch.</summary>
    [Benchmark]
    public double Objective_Stackalloc() =>
        GmmObjective.ObjectiveStackalloc(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM);

    /// <summary>The objective alone by the hand gradient's forward pass (kernels at the scalar limit), scratch reused.</summary>
    [Benchmark]
    public double HandObjective() =>
        GmmHandGradient.Objective(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, scratch);

    /// <summary>The objective and its gradient, hand-written, scratch reused between calls.</summary>
    [Benchmark]
    public double HandGradient() =>
        GmmHandGradient.Gradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf, scratch);

    /// <summary>The objective and its gradient, generated from <see cref="GmmObjective.ObjectiveScratch"/>.</summary>
    [Benchmark]
    public double Gradient_Scratch()
    {
        // Generated gradients add into their shadows (the hand gradient overwrites): clear them, as a caller
        // computing one gradient would. Part of the time measured; O(parameters), small next to the sweep.
        Array.Clear(dAlphas);
        Array.Clear(dMeans);
        Array.Clear(dIcf);
        return GmmObjective.ObjectiveScratchGradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf);
    }

    /// <summary>The objective and its gradient, generated from <see cref="GmmObjective.ObjectiveStackalloc"/>.</summary>
    [Benchmark]
    public double Gradient_Stackalloc()
    {
        // Shadows accumulate: cleared per call, as in Gradient_Scratch.
        Array.Clear(dAlphas);
        Array.Clear(dMeans);
        Array.Clear(dIcf);
        return GmmObjective.ObjectiveStackallocGradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf);
    }
}

/// <summary>One benchmark size; shown as D×K×N in the results, ordered by D, then K, then N.</summary>
public readonly record struct GmmSize(int D, int K, int N) : IComparable<GmmSize>, IComparable
{
    /// <inheritdoc/>
    public int CompareTo(GmmSize other) => (D, K, N).CompareTo((other.D, other.K, other.N));

    /// <inheritdoc/>
    public int CompareTo(object? obj) => obj is GmmSize other ? CompareTo(other) : 1;

    /// <inheritdoc/>
    public override string ToString() => $"{D}x{K}x{N}";
}
