namespace Differentiable.Benchmarks.Gmm;

/// <summary>
/// One input of the ADBench GMM objective: <see cref="K"/> components in <see cref="D"/> dimensions,
/// <see cref="N"/> data points, and the Wishart prior (<see cref="WishartGamma"/>, <see cref="WishartM"/>).
/// </summary>
/// <remarks>
/// Layouts (all row-major, flat):
/// <list type="bullet">
/// <item><see cref="Alphas"/>[K]: the mixture weights' logits.</item>
/// <item><see cref="Means"/>[K·D]: mean k is <c>Means[k·D .. k·D + D)</c>.</item>
/// <item><see cref="Icf"/>[K·(D + D(D−1)/2)]: per component k, D log-diagonal entries q_k of the lower-triangular
/// inverse covariance factor Q_k, then its strict lower triangle l_k column by column
/// (column 0 rows 1..D−1, column 1 rows 2..D−1, …).</item>
/// <item><see cref="X"/>[N·D]: point i is <c>X[i·D .. i·D + D)</c>.</item>
/// </list>
/// </remarks>
public sealed class GmmData
{
    /// <summary>
    /// The seed of every benchmark and test input: <c>new System.Random(20250101)</c>. Change it only together
    /// with every figure recorded against it.
    /// </summary>
    public const int DefaultSeed = 20250101;

    private GmmData(int d, int k, int n, double[] alphas, double[] means, double[] icf, double[] x, double wishartGamma, int wishartM)
    {
        D = d;
        K = k;
        N = n;
        Alphas = alphas;
        Means = means;
        Icf = icf;
        X = x;
        WishartGamma = wishartGamma;
        WishartM = wishartM;
    }

    /// <summary>The dimension of the data.</summary>
    public int D { get; }

    /// <summary>The number of mixture components.</summary>
    public int K { get; }

    /// <summary>The number of data points.</summary>
    public int N { get; }

    /// <summary>alphas[K], ~ N(0, 1).</summary>
    public double[] Alphas { get; }

    /// <summary>means[K·D], ~ U(0, 1).</summary>
    public double[] Means { get; }

    /// <summary>icf[K·(D + D(D−1)/2)] (q and l), ~ N(0, 1).</summary>
    public double[] Icf { get; }

    /// <summary>x[N·D], ~ N(0, 1).</summary>
    public double[] X { get; }

    /// <summary>The Wishart prior's γ (ADBench: 1).</summary>
    public double WishartGamma { get; }

    /// <summary>The Wishart prior's m (ADBench: 0).</summary>
    public int WishartM { get; }

    /// <summary>The length of one component's block of <see cref="Icf"/>: D + D(D−1)/2 = D(D+1)/2.</summary>
    public static int IcfSize(int d) => d * (d + 1) / 2;

    /// <summary>The number of differentiated parameters: K + K·D + K·IcfSize(D).</summary>
    public int ParameterCount => K + K * D + K * IcfSize(D);

    /// <summary>
    /// The input for (<paramref name="d"/>, <paramref name="k"/>, <paramref name="n"/>) from <c>new Random(seed)</c>,
    /// drawn in this order: alphas (normal), means (uniform), icf (normal), x (normal).
    /// </summary>
    /// <remarks>
    /// A uniform is <see cref="Random.NextDouble"/>. Normals come in Box–Muller pairs: u1 = 1 − NextDouble() (in (0, 1]),
    /// u2 = NextDouble(), r = √(−2 ln u1), then r·cos(2πu2) and r·sin(2πu2) fill the next two entries of the array;
    /// for an odd length the last pair's second value is dropped (no pair spans two arrays).
    /// </remarks>
    public static GmmData Create(int d, int k, int n, int seed = DefaultSeed, double wishartGamma = 1.0, int wishartM = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(d, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var random = new Random(seed);
        var alphas = new double[k];
        var means = new double[k * d];
        var icf = new double[k * IcfSize(d)];
        var x = new double[n * d];
        FillNormal(random, alphas);
        for (int i = 0; i < means.Length; i++)
        {
            means[i] = random.NextDouble();
        }

        FillNormal(random, icf);
        FillNormal(random, x);
        return new GmmData(d, k, n, alphas, means, icf, x, wishartGamma, wishartM);
    }

    /// <summary>The four ADBench sizes the benchmarks run: (D, K, N).</summary>
    public static IReadOnlyList<(int D, int K, int N)> BenchmarkSizes { get; } =
        [(2, 5, 1000), (10, 25, 1000), (20, 50, 1000), (64, 100, 1000)];

    /// <summary>Fills <paramref name="values"/> with standard normals by Box–Muller (see <see cref="Create"/>).</summary>
    public static void FillNormal(Random random, Span<double> values)
    {
        for (int i = 0; i < values.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = r * Math.Cos(2.0 * Math.PI * u2);
            if (i + 1 < values.Length)
            {
                values[i + 1] = r * Math.Sin(2.0 * Math.PI * u2);
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"D={D} K={K} N={N}";
}
