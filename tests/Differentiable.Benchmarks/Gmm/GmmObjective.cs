namespace Differentiable.Benchmarks.Gmm;

/// <summary>
/// The ADBench GMM objective, written the way a user would write it: plain loops over spans, in two variants that
/// differ only in where their scratch lives (<see cref="ObjectiveScratch"/>: heap arrays allocated per call;
/// <see cref="ObjectiveStackalloc"/>: <c>stackalloc</c> spans). Same arithmetic in the same order: equal results.
/// </summary>
/// <remarks>
/// <para>
/// objective = Σ_i logsumexp_k(α_k + Σ_j q_kj − ½‖Q_k (x_i − μ_k)‖²) − N·logsumexp(α)
///           + Σ_k ½γ²(‖exp(q_k)‖² + ‖l_k‖²) − m·Σ_k Σ_j q_kj,
/// where Q_k = diag(exp(q_k)) + the strict lower triangle l_k (column by column). The constants of the ADBench
/// definition (−N·D/2·log 2π and the Wishart normaliser) are dropped: they do not depend on the parameters.
/// Every logsumexp is the max-shifted stable form. Layouts: see <see cref="GmmData"/>.
/// </para>
/// <para>
/// The sizes come from the spans: K = alphas.Length, D = means.Length / K, N = x.Length / D.
/// </para>
/// <para>
/// <see cref="ObjectiveScratch"/>, <see cref="ObjectiveStackalloc"/> and <see cref="LogSumExp"/> are
/// <c>[Differentiable]</c>. The data parameters are <c>[NoDerivative]</c> and <c>wishartM</c> is an integer, so the
/// differentiated parameters are <c>alphas</c>, <c>means</c> and <c>icf</c>. For each method the generator adds
/// <c>{M}Jvp</c> (forward mode: the value and the directional derivative along read-only tangent spans
/// <c>dalphas</c>, <c>dmeans</c>, <c>dicf</c>), <c>{M}Vjp</c> (reverse mode, for a given cotangent <c>dResult</c>) and
/// <c>{M}Gradient</c>, e.g.
/// <c>double ObjectiveScratchGradient(alphas, means, icf, x, wishartGamma, wishartM, Span&lt;double&gt; dalphas,
/// Span&lt;double&gt; dmeans, Span&lt;double&gt; dicf)</c>: it returns the objective (bit for bit) and <em>adds</em> the
/// gradient into the three shadows, laid out like the parameters, so callers clear them between gradients. Each
/// scratch array or span gets a shadow of the same kind (heap arrays per call in the scratch variant, <c>stackalloc</c>
/// in the other); what the reverse sweep needs of the overwritten scratch is saved on the thread's <see cref="Tape"/>
/// (<see cref="Tape.LastPeakBytes"/> tells how much; <c>--tape-bytes</c> prints it). The calls to
/// <see cref="LogSumExp"/> are differentiated through its generated derivative or inlined, as the generator decides.
/// The hand-written gradient they are compared with (GmmTests) and timed against (<c>GmmBenchmarks</c>,
/// <c>GmmRatio</c>) is <see cref="GmmHandGradient"/>.
/// </para>
/// </remarks>
public static partial class GmmObjective
{
    /// <summary>
    /// The most doubles of scratch <see cref="ObjectiveStackalloc"/> puts on the stack (64 KB); above it, it uses the
    /// heap like <see cref="ObjectiveScratch"/>. Its scratch is K·D + 2K + 2D doubles: 6,728 at (D, K) = (64, 100).
    /// </summary>
    public const int MaxStackDoubles = 8192;

    /// <summary>The objective, with per-call scratch arrays on the heap. Order = 2 adds its Hvp (timed by <c>--hvp-ratio</c>).</summary>
    [Differentiable(Order = 2)]
    public static double ObjectiveScratch(
        ReadOnlySpan<double> alphas,
        ReadOnlySpan<double> means,
        ReadOnlySpan<double> icf,
        [NoDerivative] ReadOnlySpan<double> x,
        [NoDerivative] double wishartGamma,
        int wishartM)
    {
        int k = alphas.Length;
        int d = means.Length / k;
        int n = x.Length / d;
        int icfSize = d * (d + 1) / 2;

        double[] qDiags = new double[k * d];
        double[] sumQs = new double[k];
        double[] xCentered = new double[d];
        double[] qxCentered = new double[d];
        double[] mainTerm = new double[k];

        for (int c = 0; c < k; c++)
        {
            double sum = 0;
            for (int j = 0; j < d; j++)
            {
                double q = icf[c * icfSize + j];
                sum += q;
                qDiags[c * d + j] = Math.Exp(q);
            }

            sumQs[c] = sum;
        }

        double sumLse = 0;
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                for (int j = 0; j < d; j++)
                {
                    xCentered[j] = x[i * d + j] - means[c * d + j];
                }

                // Q_k · xCentered: the diagonal, then the strict lower triangle column by column.
                for (int j = 0; j < d; j++)
                {
                    qxCentered[j] = qDiags[c * d + j] * xCentered[j];
                }

                int li = c * icfSize + d;
                for (int col = 0; col < d; col++)
                {
                    for (int row = col + 1; row < d; row++)
                    {
                        qxCentered[row] += icf[li] * xCentered[col];
                        li++;
                    }
                }

                double sqNorm = 0;
                for (int j = 0; j < d; j++)
                {
                    sqNorm += qxCentered[j] * qxCentered[j];
                }

                mainTerm[c] = alphas[c] + sumQs[c] - 0.5 * sqNorm;
            }

            sumLse += LogSumExp(mainTerm);
        }

        double wishart = 0;
        for (int c = 0; c < k; c++)
        {
            double frobenius = 0;
            for (int j = 0; j < d; j++)
            {
                frobenius += qDiags[c * d + j] * qDiags[c * d + j];
            }

            for (int j = d; j < icfSize; j++)
            {
                frobenius += icf[c * icfSize + j] * icf[c * icfSize + j];
            }

            wishart += 0.5 * wishartGamma * wishartGamma * frobenius - wishartM * sumQs[c];
        }

        return sumLse - n * LogSumExp(alphas) + wishart;
    }

    /// <summary>
    /// The objective, with its scratch on the stack when it fits in <see cref="MaxStackDoubles"/> (all four ADBench
    /// sizes), else on the heap. Otherwise identical to <see cref="ObjectiveScratch"/>.
    /// </summary>
    [Differentiable]
    public static double ObjectiveStackalloc(
        ReadOnlySpan<double> alphas,
        ReadOnlySpan<double> means,
        ReadOnlySpan<double> icf,
        [NoDerivative] ReadOnlySpan<double> x,
        [NoDerivative] double wishartGamma,
        int wishartM)
    {
        int k = alphas.Length;
        int d = means.Length / k;
        int n = x.Length / d;
        int icfSize = d * (d + 1) / 2;

        bool onStack = k * d + 2 * k + 2 * d <= MaxStackDoubles;
        Span<double> qDiags = onStack ? stackalloc double[k * d] : new double[k * d];
        Span<double> sumQs = onStack ? stackalloc double[k] : new double[k];
        Span<double> xCentered = onStack ? stackalloc double[d] : new double[d];
        Span<double> qxCentered = onStack ? stackalloc double[d] : new double[d];
        Span<double> mainTerm = onStack ? stackalloc double[k] : new double[k];

        for (int c = 0; c < k; c++)
        {
            double sum = 0;
            for (int j = 0; j < d; j++)
            {
                double q = icf[c * icfSize + j];
                sum += q;
                qDiags[c * d + j] = Math.Exp(q);
            }

            sumQs[c] = sum;
        }

        double sumLse = 0;
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                for (int j = 0; j < d; j++)
                {
                    xCentered[j] = x[i * d + j] - means[c * d + j];
                }

                // Q_k · xCentered: the diagonal, then the strict lower triangle column by column.
                for (int j = 0; j < d; j++)
                {
                    qxCentered[j] = qDiags[c * d + j] * xCentered[j];
                }

                int li = c * icfSize + d;
                for (int col = 0; col < d; col++)
                {
                    for (int row = col + 1; row < d; row++)
                    {
                        qxCentered[row] += icf[li] * xCentered[col];
                        li++;
                    }
                }

                double sqNorm = 0;
                for (int j = 0; j < d; j++)
                {
                    sqNorm += qxCentered[j] * qxCentered[j];
                }

                mainTerm[c] = alphas[c] + sumQs[c] - 0.5 * sqNorm;
            }

            sumLse += LogSumExp(mainTerm);
        }

        double wishart = 0;
        for (int c = 0; c < k; c++)
        {
            double frobenius = 0;
            for (int j = 0; j < d; j++)
            {
                frobenius += qDiags[c * d + j] * qDiags[c * d + j];
            }

            for (int j = d; j < icfSize; j++)
            {
                frobenius += icf[c * icfSize + j] * icf[c * icfSize + j];
            }

            wishart += 0.5 * wishartGamma * wishartGamma * frobenius - wishartM * sumQs[c];
        }

        return sumLse - n * LogSumExp(alphas) + wishart;
    }

    /// <summary>log Σ exp(v), shifted by the maximum so that no exp overflows.</summary>
    [Differentiable]
    public static double LogSumExp(ReadOnlySpan<double> v)
    {
        double max = v[0];
        for (int j = 1; j < v.Length; j++)
        {
            if (v[j] > max)
            {
                max = v[j];
            }
        }

        double sum = 0;
        for (int j = 0; j < v.Length; j++)
        {
            sum += Math.Exp(v[j] - max);
        }

        return Math.Log(sum) + max;
    }
}
