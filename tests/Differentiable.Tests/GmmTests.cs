using Differentiable.Benchmarks.Gmm;

namespace Differentiable.Tests;

/// <summary>
/// The GMM benchmark's code (tests/Differentiable.Benchmarks/Gmm, compiled into this project): the two objective
/// variants agree, the objective matches a naive implementation that builds each Q_k explicitly, and the hand-written
/// gradient matches central finite differences of the objective.
/// </summary>
public class GmmTests
{
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

    private static void CheckGradient(GmmData data, IEnumerable<int> coordinates)
    {
        int k = data.K, kd = data.K * data.D;
        double[] packed = [.. data.Alphas, .. data.Means, .. data.Icf];
        double Objective(double[] p) => GmmObjective.ObjectiveScratch(
            p.AsSpan(0, k), p.AsSpan(k, kd), p.AsSpan(k + kd), data.X, data.WishartGamma, data.WishartM);

        var gradient = new double[packed.Length];
        double value = GmmHandGradient.Gradient(
            data.Alphas, data.Means, data.Icf, data.X, data.WishartGamma, data.WishartM,
            gradient.AsSpan(0, k), gradient.AsSpan(k, kd), gradient.AsSpan(k + kd));
        AssertRelative(Objective(packed), value, 1e-12, "gradient's value");

        int checkedCount = 0;
        foreach (int i in coordinates)
        {
            double expected = FiniteDifferences.Partial(Objective, packed, i);
            double tolerance = 1e-6 * Math.Max(1.0, Math.Abs(gradient[i]));
            string name = i < k ? $"alphas[{i}]" : i < k + kd ? $"means[{i - k}]" : $"icf[{i - k - kd}]";
            Assert.True(
                Math.Abs(expected - gradient[i]) <= tolerance,
                $"∂/∂{name}: hand gradient {gradient[i]:R}, finite differences {expected:R} (D={data.D} K={data.K} N={data.N})");
            checkedCount++;
        }

        Assert.True(checkedCount > 0);
    }

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
