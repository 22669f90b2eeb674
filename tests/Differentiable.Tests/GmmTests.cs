using Differentiable.Benchmarks.Gmm;

namespace Differentiable.Tests;

/// <summary>
/// The GMM benchmark's code (tests/Differentiable.Benchmarks/Gmm, compiled into this project, where the generator
/// runs on it): the two objective variants agree, the objective matches a naive implementation that builds each Q_k
/// explicitly, and the hand-written gradient matches central finite differences of the objective. The generated
/// gradients of both variants (<c>ObjectiveScratchGradient</c>, <c>ObjectiveStackallocGradient</c>) match the hand
/// gradient in every coordinate and finite differences on a sample, return the objective bit for bit, and allocate
/// what the allocation contract allows: nothing for the stackalloc variant, at most the primal's own arrays and their
/// shadows for the scratch variant.
/// </summary>
public class GmmTests
{
    /// <summary>A gradient of the GMM objective: returns the objective, writes or adds the gradient into the spans (zeroed by the caller).</summary>
    private delegate double GradientFunction(GmmData data, Span<double> dAlphas, Span<double> dMeans, Span<double> dIcf);

    private static readonly GradientFunction HandGradientFunction = (data, dAlphas, dMeans, dIcf) =>
        GmmHandGradient.Gradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf);

    private static GradientFunction Generated(string variant) => variant switch
    {
        "scratch" => (data, dAlphas, dMeans, dIcf) => GmmObjective.ObjectiveScratchGradient(
            data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf),
        "stackalloc" => (data, dAlphas, dMeans, dIcf) => GmmObjective.ObjectiveStackallocGradient(
            data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf),
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, null),
    };

    private static double Objective(string variant, GmmData data) => variant == "scratch"
        ? GmmObjective.ObjectiveScratch(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM)
        : GmmObjective.ObjectiveStackalloc(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM);

    /// <summary>
    /// Both variants at sizes whose generated gradient takes milliseconds: small ones, D = 1 (no strict lower
    /// triangle), K = 1, odd N, a Wishart prior with γ ≠ 1 and m ≠ 0, (10, 25, 50), and (2, 3000, 3), whose scratch is
    /// over the stack bound (the stackalloc variant's heap fallback, shadows included).
    /// </summary>
    public static TheoryData<string, int, int, int, double, int> GeneratedGradientCases()
    {
        var cases = new TheoryData<string, int, int, int, double, int>();
        foreach (string variant in new[] { "scratch", "stackalloc" })
        {
            cases.Add(variant, 1, 1, 1, 1.0, 0);
            cases.Add(variant, 1, 2, 5, 1.0, 0);
            cases.Add(variant, 4, 1, 7, 0.5, 1);
            cases.Add(variant, 3, 4, 21, 1.5, 2);
            cases.Add(variant, 2, 5, 100, 1.0, 0);
            cases.Add(variant, 10, 25, 50, 1.0, 0);
            cases.Add(variant, 2, 3000, 3, 1.0, 0);
        }

        return cases;
    }

    public static TheoryData<int, int, int> AllBenchmarkSizes()
    {
        var sizes = new TheoryData<int, int, int>();
        foreach ((int d, int k, int n) in GmmData.BenchmarkSizes)
        {
            sizes.Add(d, k, n);
        }

        // Small sizes, and one whose scratch is over the stack bound (K·D + 2K + 2D > MaxStackDoubles: the heap fallback).
        sizes.Add(1, 1, 1);
        sizes.Add(3, 4, 21);
        sizes.Add(2, 3000, 3);
        return sizes;
    }

    [Theory]
    [MemberData(nameof(AllBenchmarkSizes))]
    public void ObjectiveVariants_Agree(int d, int k, int n)
    {
        GmmData data = GmmData.Create(d, k, n);
        double scratch = GmmObjective.ObjectiveScratch(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM);
        double stack = GmmObjective.ObjectiveStackalloc(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM);
        Assert.True(double.IsFinite(scratch));
        AssertRelative(scratch, stack, 1e-12, "stackalloc vs scratch");
    }

    [Theory]
    [InlineData(1.0, 0)]
    [InlineData(1.5, 2)]
    public void Objective_MatchesNaiveImplementation(double gamma, int m)
    {
        GmmData data = GmmData.Create(3, 4, 20, wishartGamma: gamma, wishartM: m);
        double expected = Naive(data);
        AssertRelative(expected, GmmObjective.ObjectiveScratch(data.Alphas, data.Means, data.Icf, data.X, gamma, m), 1e-12, "scratch vs naive");
        AssertRelative(expected, GmmObjective.ObjectiveStackalloc(data.Alphas, data.Means, data.Icf, data.X, gamma, m), 1e-12, "stackalloc vs naive");
    }

    [Fact]
    public void Objective_IsStableForWidelySpreadTerms()
    {
        GmmData data = GmmData.Create(3, 4, 20);
        double[] alphas = data.Alphas.Select(a => 800 * a).ToArray();
        double value = GmmObjective.ObjectiveScratch(alphas, data.Means, data.Icf, data.X, 1, 0);
        Assert.True(double.IsFinite(value));
        double gradientValue = GmmHandGradient.Gradient(alphas, data.Means, data.Icf, data.X, 1, 0, new double[4], new double[12], new double[24]);
        AssertRelative(value, gradientValue, 1e-12, "gradient's value");
    }

    /// <summary>Every coordinate of the gradient against central differences of the objective.</summary>
    [Theory]
    [InlineData(3, 4, 20, 1.0, 0)]
    [InlineData(3, 4, 21, 1.5, 2)] // odd N: the gradient's two-point loops have a tail
    [InlineData(1, 2, 5, 1.0, 0)]  // D = 1: no strict lower triangle
    [InlineData(4, 1, 7, 0.5, 1)]  // K = 1
    public void HandGradient_MatchesFiniteDifferences_EveryCoordinate(int d, int k, int n, double gamma, int m)
    {
        GmmData data = GmmData.Create(d, k, n, wishartGamma: gamma, wishartM: m);
        CheckGradient(data, Enumerable.Range(0, data.ParameterCount));
    }

    /// <summary>
    /// The generated Hessian-vector product (ObjectiveScratch has Order = 2) against central differences of the generated
    /// gradient along the same direction, every coordinate; its gradient equals the generated gradient.
    /// </summary>
    [Theory]
    [InlineData(3, 4, 20, 1.0, 0)]
    [InlineData(2, 3, 7, 1.5, 2)]
    public void GeneratedHvp_MatchesFiniteDifferencesOfTheGeneratedGradient(int d, int k, int n, double gamma, int m)
    {
        GmmData data = GmmData.Create(d, k, n, wishartGamma: gamma, wishartM: m);
        var random = new Random(d * 100 + k);
        double[] Direction(int length) => Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] vAlphas = Direction(data.Alphas.Length), vMeans = Direction(data.Means.Length), vIcf = Direction(data.Icf.Length);
        double[] v = [.. vAlphas, .. vMeans, .. vIcf];

        double[] Gradient(double[] alphas, double[] means, double[] icf)
        {
            double[] da = new double[alphas.Length], dm = new double[means.Length], di = new double[icf.Length];
            GmmObjective.ObjectiveScratchGradient(alphas, means, icf, data.X, data.WishartGamma, data.WishartM, da, dm, di);
            return [.. da, .. dm, .. di];
        }

        double[] dAlphas = new double[data.Alphas.Length], dMeans = new double[data.Means.Length], dIcf = new double[data.Icf.Length];
        double[] hAlphas = new double[data.Alphas.Length], hMeans = new double[data.Means.Length], hIcf = new double[data.Icf.Length];
        double value = GmmObjective.ObjectiveScratchHvp(
            data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, vAlphas, vMeans, vIcf, dAlphas, dMeans, dIcf, hAlphas, hMeans, hIcf);
        Assert.Equal(GmmObjective.ObjectiveScratch(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM), value);
        double[] gradient = Gradient(data.Alphas, data.Means, data.Icf);
        double[] hvp = [.. hAlphas, .. hMeans, .. hIcf];
        double[] gradientOfHvp = [.. dAlphas, .. dMeans, .. dIcf];

        const double h = 1e-5;
        double[] Shifted(double[] values, double[] direction, double scale) => values.Select((x, i) => x + scale * direction[i]).ToArray();
        double[] plus = Gradient(Shifted(data.Alphas, vAlphas, h), Shifted(data.Means, vMeans, h), Shifted(data.Icf, vIcf, h));
        double[] minus = Gradient(Shifted(data.Alphas, vAlphas, -h), Shifted(data.Means, vMeans, -h), Shifted(data.Icf, vIcf, -h));
        for (int i = 0; i < v.Length; i++)
        {
            AssertRelative(gradient[i], gradientOfHvp[i], 1e-12, $"gradient[{i}]");
            AssertRelative((plus[i] - minus[i]) / (2 * h), hvp[i], 1e-6, $"(Hv)[{i}]");
        }
    }

    /// <summary>30 random coordinates of each of alphas, means and icf at a larger size.</summary>
    [Fact]
    public void HandGradient_MatchesFiniteDifferences_Sampled()
    {
        GmmData data = GmmData.Create(10, 25, 50);
        int k = data.K, kd = data.K * data.D;
        var random = new Random(7);
        IEnumerable<int> Sample(int start, int count) =>
            Enumerable.Range(0, 30).Select(_ => start + random.Next(count));
        CheckGradient(data, Sample(0, k).Concat(Sample(k, kd)).Concat(Sample(k + kd, data.Icf.Length)).ToArray());
    }

    [Theory]
    [MemberData(nameof(AllBenchmarkSizes))]
    public void HandGradientAndHandObjective_ReturnTheObjective(int d, int k, int n)
    {
        GmmData data = GmmData.Create(d, k, n);
        double objective = GmmObjective.ObjectiveScratch(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM);
        double value = GmmHandGradient.Gradient(
            data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM,
            new double[data.Alphas.Length], new double[data.Means.Length], new double[data.Icf.Length]);
        AssertRelative(objective, value, 1e-12, "gradient's value vs objective");
        double handObjective = GmmHandGradient.Objective(
            data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, new double[GmmHandGradient.ScratchLength(d, k, n)]);
        AssertRelative(objective, handObjective, 1e-12, "hand objective vs objective");
    }

    [Fact]
    public void StackallocObjectiveAndHandCodeWithScratch_AllocateNothing()
    {
        GmmData data = GmmData.Create(10, 25, 100);
        var dAlphas = new double[data.Alphas.Length];
        var dMeans = new double[data.Means.Length];
        var dIcf = new double[data.Icf.Length];
        var scratch = new double[GmmHandGradient.ScratchLength(data.D, data.K, data.N)];
        double sink = 0;
        void CallAll()
        {
            sink += GmmObjective.ObjectiveStackalloc(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM);
            sink += GmmHandGradient.Gradient(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf, scratch);
            sink += GmmHandGradient.Objective(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, scratch);
        }

        CallAll(); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            CallAll();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(double.IsFinite(sink));
        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// Every coordinate of the generated gradient against the hand-written one (itself checked against finite
    /// differences above): two exact derivatives of the same function that differ only by rounding.
    /// </summary>
    [Theory]
    [MemberData(nameof(GeneratedGradientCases))]
    public void GeneratedGradient_MatchesHandGradient_EveryCoordinate(string variant, int d, int k, int n, double gamma, int m)
    {
        GmmData data = GmmData.Create(d, k, n, wishartGamma: gamma, wishartM: m);
        double[] hand = PackedGradient(data, HandGradientFunction, out _);
        double[] generated = PackedGradient(data, Generated(variant), out _);

        // Relative 1e-10 per coordinate. The floor (1e-13 of the largest coordinate) only matters for a coordinate
        // that cancels to almost nothing, where the two summation orders legitimately differ by rounding of the
        // terms that cancelled.
        double floor = 1e-13 * hand.Max(Math.Abs);
        for (int i = 0; i < hand.Length; i++)
        {
            Assert.True(
                Math.Abs(generated[i] - hand[i]) <= 1e-10 * Math.Max(Math.Abs(hand[i]), floor),
                $"∂/∂{CoordinateName(data, i)} ({variant}): generated {generated[i]:R}, hand {hand[i]:R} (D={d} K={k} N={n})");
        }
    }

    /// <summary>Central finite differences on a sample of coordinates (all of a small size's alphas, 15 means, 25 icf).</summary>
    [Theory]
    [InlineData("scratch")]
    [InlineData("stackalloc")]
    public void GeneratedGradient_MatchesFiniteDifferences_Sampled(string variant)
    {
        GmmData data = GmmData.Create(3, 4, 21, wishartGamma: 1.5, wishartM: 2);
        int k = data.K, kd = data.K * data.D;
        var random = new Random(11);
        int[] coordinates = Enumerable.Range(0, k)
            .Concat(Enumerable.Range(0, 15).Select(_ => k + random.Next(kd)))
            .Concat(Enumerable.Range(0, 25).Select(_ => k + kd + random.Next(data.Icf.Length)))
            .ToArray();
        CheckGradient(data, coordinates, Generated(variant), $"generated gradient ({variant})");
    }

    /// <summary>The generated gradient returns exactly what the primal returns: same operations, same rounding.</summary>
    [Theory]
    [MemberData(nameof(GeneratedGradientCases))]
    public void GeneratedGradient_ReturnsTheObjective_BitForBit(string variant, int d, int k, int n, double gamma, int m)
    {
        GmmData data = GmmData.Create(d, k, n, wishartGamma: gamma, wishartM: m);
        double objective = Objective(variant, data);
        PackedGradient(data, Generated(variant), out double value);
        Assert.Equal(BitConverter.DoubleToInt64Bits(objective), BitConverter.DoubleToInt64Bits(value));
    }

    /// <summary>Shadows accumulate: a second call on the same shadows adds the gradient again.</summary>
    [Theory]
    [InlineData("scratch")]
    [InlineData("stackalloc")]
    public void GeneratedGradient_AccumulatesIntoTheShadows(string variant)
    {
        GmmData data = GmmData.Create(3, 4, 21);
        int k = data.K, kd = data.K * data.D;
        double[] once = PackedGradient(data, Generated(variant), out _);
        double[] twice = PackedGradient(data, Generated(variant), out _);
        Generated(variant)(data, twice.AsSpan(0, k), twice.AsSpan(k, kd), twice.AsSpan(k + kd));
        for (int i = 0; i < once.Length; i++)
        {
            Assert.Equal(2 * once[i], twice[i], 1e-12 * Math.Max(1.0, Math.Abs(once[i])));
        }
    }

    /// <summary>
    /// The stackalloc variant's primal allocates nothing, so its gradient may not either: scratch and shadows on the
    /// stack, the tape at its working size after the first call.
    /// </summary>
    [Fact]
    public void GeneratedStackallocGradient_AllocatesNothing()
    {
        GmmData data = GmmData.Create(10, 25, 100);
        var dAlphas = new double[data.Alphas.Length];
        var dMeans = new double[data.Means.Length];
        var dIcf = new double[data.Icf.Length];
        double sink = 0;
        void Call() => sink += GmmObjective.ObjectiveStackallocGradient(
            data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf);

        Call(); // warm up: JIT, and the tape grows (or is trimmed) to this call's peak
        Call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Call();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(double.IsFinite(sink));
        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// The scratch variant's primal allocates its five scratch arrays per call. The allocation contract (DESIGN.md,
    /// "Generated API") lets a gradient allocate the primal's own allocations and their shadows, nothing more: a
    /// shadow of a local double[] is a double[] of the same length, so the bound is twice the objective's bytes per
    /// call (the tape, warm, allocates nothing).
    /// </summary>
    [Theory]
    [InlineData(10, 25, 100)]
    [InlineData(2, 3000, 3)]
    public void GeneratedScratchGradient_AllocatesAtMostThePrimalsArraysAndTheirShadows(int d, int k, int n)
    {
        GmmData data = GmmData.Create(d, k, n);
        var dAlphas = new double[data.Alphas.Length];
        var dMeans = new double[data.Means.Length];
        var dIcf = new double[data.Icf.Length];
        double sink = 0;
        void Objective() => sink += GmmObjective.ObjectiveScratch(data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM);
        void Gradient() => sink += GmmObjective.ObjectiveScratchGradient(
            data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM, dAlphas, dMeans, dIcf);

        Objective(); // warm up
        Gradient();
        Gradient();
        const int calls = 10;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
        {
            Objective();
        }

        long objectiveBytes = (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
        {
            Gradient();
        }

        long gradientBytes = (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
        Assert.True(double.IsFinite(sink));
        Assert.True(objectiveBytes > 8 * ((k * d) + (2 * k) + (2 * d)), $"the objective allocates its scratch: {objectiveBytes} bytes per call");
        Assert.True(
            gradientBytes <= 2 * objectiveBytes,
            $"ObjectiveScratchGradient allocates {gradientBytes} bytes per call; the objective {objectiveBytes}, so at most {2 * objectiveBytes} with shadows");
    }

    [Fact]
    public void Data_IsDeterministicAndShaped()
    {
        GmmData a = GmmData.Create(10, 25, 1000);
        GmmData b = GmmData.Create(10, 25, 1000);
        Assert.Equal(a.X, b.X);
        Assert.Equal(a.Icf, b.Icf);
        Assert.Equal((25, 250, 25 * 55, 10_000), (a.Alphas.Length, a.Means.Length, a.Icf.Length, a.X.Length));
        Assert.All(a.Means, v => Assert.InRange(v, 0.0, 1.0));
        double mean = a.X.Average();
        double variance = a.X.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.05, 0.05);
        Assert.InRange(variance, 0.95, 1.05);
    }

    private static void CheckGradient(GmmData data, IEnumerable<int> coordinates, GradientFunction? gradientFunction = null, string what = "hand gradient")
    {
        int k = data.K, kd = data.K * data.D;
        double[] packed = [.. data.Alphas, .. data.Means, .. data.Icf];
        double Objective(double[] p) => GmmObjective.ObjectiveScratch(
            p.AsSpan(0, k), p.AsSpan(k, kd), p.AsSpan(k + kd), data.X, data.WishartGamma, data.WishartM);

        double[] gradient = PackedGradient(data, gradientFunction ?? HandGradientFunction, out double value);
        AssertRelative(Objective(packed), value, 1e-12, "gradient's value");

        int checkedCount = 0;
        foreach (int i in coordinates)
        {
            double expected = FiniteDifferences.Partial(Objective, packed, i);
            double tolerance = 1e-6 * Math.Max(1.0, Math.Abs(gradient[i]));
            string name = CoordinateName(data, i);
            Assert.True(
                Math.Abs(expected - gradient[i]) <= tolerance,
                $"∂/∂{name}: {what} {gradient[i]:R}, finite differences {expected:R} (D={data.D} K={data.K} N={data.N})");
            checkedCount++;
        }

        Assert.True(checkedCount > 0);
    }

    /// <summary>The gradient <paramref name="gradientFunction"/> computes, packed as (alphas, means, icf), from zeroed shadows.</summary>
    private static double[] PackedGradient(GmmData data, GradientFunction gradientFunction, out double value)
    {
        int k = data.K, kd = data.K * data.D;
        var gradient = new double[data.ParameterCount];
        value = gradientFunction(data, gradient.AsSpan(0, k), gradient.AsSpan(k, kd), gradient.AsSpan(k + kd));
        return gradient;
    }

    private static string CoordinateName(GmmData data, int i) =>
        i < data.K ? $"alphas[{i}]" : i < data.K * (data.D + 1) ? $"means[{i - data.K}]" : $"icf[{i - (data.K * (data.D + 1))}]";

    /// <summary>The definition, term by term, with each Q_k built as a dense matrix.</summary>
    private static double Naive(GmmData data)
    {
        int d = data.D, k = data.K, n = data.N, icfSize = GmmData.IcfSize(d);
        var q = new double[k][,];
        for (int c = 0; c < k; c++)
        {
            q[c] = new double[d, d];
            int li = c * icfSize + d;
            for (int col = 0; col < d; col++)
            {
                q[c][col, col] = Math.Exp(data.Icf[c * icfSize + col]);
                for (int row = col + 1; row < d; row++)
                {
                    q[c][row, col] = data.Icf[li++];
                }
            }
        }

        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var terms = new double[k];
            for (int c = 0; c < k; c++)
            {
                double sumQ = 0;
                for (int j = 0; j < d; j++)
                {
                    sumQ += data.Icf[c * icfSize + j];
                }

                double sq = 0;
                for (int row = 0; row < d; row++)
                {
                    double y = 0;
                    for (int col = 0; col < d; col++)
                    {
                        y += q[c][row, col] * (data.X[i * d + col] - data.Means[c * d + col]);
                    }

                    sq += y * y;
                }

                terms[c] = data.Alphas[c] + sumQ - 0.5 * sq;
            }

            total += StableLogSumExp(terms);
        }

        total -= n * StableLogSumExp(data.Alphas);
        for (int c = 0; c < k; c++)
        {
            double frobenius = 0, sumQ = 0;
            for (int row = 0; row < d; row++)
            {
                sumQ += data.Icf[c * icfSize + row];
                for (int col = 0; col < d; col++)
                {
                    frobenius += q[c][row, col] * q[c][row, col];
                }
            }

            total += 0.5 * data.WishartGamma * data.WishartGamma * frobenius - data.WishartM * sumQ;
        }

        return total;
    }

    private static double StableLogSumExp(double[] v)
    {
        double max = v.Max();
        return max + Math.Log(v.Sum(t => Math.Exp(t - max)));
    }

    private static void AssertRelative(double expected, double actual, double tolerance, string what) =>
        Assert.True(
            Math.Abs(expected - actual) <= tolerance * Math.Max(1.0, Math.Abs(expected)),
            $"{what}: expected {expected:R}, got {actual:R}");
}
