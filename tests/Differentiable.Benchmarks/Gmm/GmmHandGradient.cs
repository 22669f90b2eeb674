using System.Runtime.CompilerServices;

namespace Differentiable.Benchmarks.Gmm;

/// <summary>
/// A hand-written reverse-mode gradient of <see cref="GmmObjective"/> with respect to alphas, means and icf: the
/// in-language limit a generated gradient is measured against. Plain scalar C# over spans, like the objective (no SIMD,
/// no unsafe code or Unsafe, no FusedMultiplyAdd: it was slower here), no allocation when the caller passes the scratch.
/// </summary>
/// <remarks>
/// <para>
/// With β_ik = α_k + Σ_j q_kj − ½‖y_ik‖², y_ik = Q_k z_ik, z_ik = x_i − μ_k, and w_ik = softmax_k(β_i·) (the adjoint
/// of β_ik), the adjoints are
/// </para>
/// <list type="bullet">
/// <item>∂/∂α_k = a_k − N·softmax(α)_k, with a_k = Σ_i w_ik;</item>
/// <item>∂/∂μ_k = Σ_i w_ik Q_kᵀ y_ik = Q_kᵀ Q_k Z_k, with Z_k = Σ_i w_ik z_ik;</item>
/// <item>the adjoint of Q_k's lower triangle is −Σ_i w_ik y_ik z_ikᵀ = −Q_k C_k, with C_k = Σ_i w_ik z_ik z_ikᵀ;
/// so ∂/∂q_kj = a_k − (Q_k C_k)_jj·exp(q_kj) + γ²exp(2q_kj) − m and ∂/∂l_k(r, c) = −(Q_k C_k)_rc + γ²·l_k(r, c).</item>
/// </list>
/// <para>
/// Two passes over the data per component: the forward pass computes β_ik (one triangular product per point and
/// component, as the objective does), then w_ik for every point; the reverse pass accumulates a_k, Z_k and the
/// symmetric C_k (one triangular rank-1 update per point and component). The O(D³) products Q_k C_k and Q_kᵀQ_k Z_k
/// are done once per component. Both passes take four points at a time (their centred coordinates interleaved), so
/// that each load of the component's triangle serves four points; the kernels are separate methods, which keeps their
/// pointers in registers. On x64 they run at about the scalar floating-point peak (one multiply and one add per entry
/// and point, two of each per cycle): the next step up is SIMD, which the objective does not use either.
/// </para>
/// <para>
/// <see cref="Objective"/> is the forward pass alone: the objective at the same in-language limit, to separate the
/// reverse pass's cost from the kernels' speed-up over <see cref="GmmObjective"/>.
/// </para>
/// </remarks>
public static class GmmHandGradient
{
    /// <summary>
    /// The doubles of scratch <see cref="Gradient(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, double, int, Span{double}, Span{double}, Span{double}, Span{double})"/>
    /// and <see cref="Objective"/> need.
    /// </summary>
    public static int ScratchLength(int d, int k, int n) =>
        k * n              // β, then w (component-major)
        + k * d            // exp(q_k)
        + n                // per-point max of β, then 1 / Σ exp
        + 4 * d            // z of four points
        + 4                // their squared norms
        + d * (d - 1) / 2  // l_k, row by row
        + d                // Z_k
        + d * (d + 1) / 2  // C_k, lower triangle column by column
        + 2 * d * d        // Q_k and C_k, dense
        + d;               // Q_k Z_k

    /// <summary>The objective and its gradient; allocates its scratch.</summary>
    public static double Gradient(
        ReadOnlySpan<double> alphas,
        ReadOnlySpan<double> means,
        ReadOnlySpan<double> icf,
        ReadOnlySpan<double> x,
        double wishartGamma,
        int wishartM,
        Span<double> dAlphas,
        Span<double> dMeans,
        Span<double> dIcf)
    {
        int k = alphas.Length;
        int d = k == 0 ? 0 : means.Length / k;
        int n = d == 0 ? 0 : x.Length / d;
        return Gradient(alphas, means, icf, x, wishartGamma, wishartM, dAlphas, dMeans, dIcf, new double[ScratchLength(d, k, n)]);
    }

    /// <summary>
    /// The objective (returned) and its gradient (written to <paramref name="dAlphas"/>, <paramref name="dMeans"/>,
    /// <paramref name="dIcf"/>, laid out like the parameters), using <paramref name="scratch"/>
    /// (<see cref="ScratchLength"/> doubles) and allocating nothing.
    /// </summary>
    public static double Gradient(
        ReadOnlySpan<double> alphas,
        ReadOnlySpan<double> means,
        ReadOnlySpan<double> icf,
        ReadOnlySpan<double> x,
        double wishartGamma,
        int wishartM,
        Span<double> dAlphas,
        Span<double> dMeans,
        Span<double> dIcf,
        Span<double> scratch)
    {
        (int d, int k, int n) = CheckSizes(alphas, means, icf, x, scratch);
        int icfSize = d * (d + 1) / 2;
        int lSize = icfSize - d;
        if (dAlphas.Length != k || dMeans.Length != k * d || dIcf.Length != k * icfSize)
        {
            throw new ArgumentException("The gradient's spans must have the parameters' lengths.");
        }

        Span<double> w = Take(ref scratch, k * n);
        Span<double> qDiags = Take(ref scratch, k * d);
        Span<double> zBlock = Take(ref scratch, 4 * d);
        Span<double> zSum = Take(ref scratch, d);
        Span<double> cPacked = Take(ref scratch, icfSize);
        Span<double> qDense = Take(ref scratch, d * d);
        Span<double> cDense = Take(ref scratch, d * d);
        Span<double> y = Take(ref scratch, d);
        double gamma2 = wishartGamma * wishartGamma;
        double value = Forward(alphas, means, icf, x, wishartGamma, wishartM, w, qDiags, zBlock, scratch, weights: true, out double lseAlphas);

        // Reverse pass, component by component.
        for (int c = 0; c < k; c++)
        {
            ReadOnlySpan<double> l = icf.Slice(c * icfSize + d, lSize);
            ReadOnlySpan<double> mu = means.Slice(c * d, d);
            ReadOnlySpan<double> qd = qDiags.Slice(c * d, d);
            ReadOnlySpan<double> wc = w.Slice(c * n, n);
            zSum.Clear();
            cPacked.Clear();
            double a = 0;
            for (int i = 0; i < n; i += 4)
            {
                // A tail of fewer than four points repeats its last point with weight 0.
                double w0 = wc[i];
                double w1 = i + 1 < n ? wc[i + 1] : 0.0;
                double w2 = i + 2 < n ? wc[i + 2] : 0.0;
                double w3 = i + 3 < n ? wc[i + 3] : 0.0;
                a += w0 + w1 + w2 + w3;
                CenterFour(x, i, n, mu, zBlock);
                ScatterAdd(w0, w1, w2, w3, zBlock, zSum, cPacked);
            }

            dAlphas[c] = a - n * Math.Exp(alphas[c] - lseAlphas);

            // Dense Q_k (lower) and C_k (symmetric).
            qDense.Clear();
            int li = 0;
            int ci = 0;
            for (int col = 0; col < d; col++)
            {
                qDense[col * d + col] = qd[col];
                cDense[col * d + col] = cPacked[ci++];
                for (int row = col + 1; row < d; row++)
                {
                    qDense[row * d + col] = l[li++];
                    cDense[row * d + col] = cPacked[ci];
                    cDense[col * d + row] = cPacked[ci];
                    ci++;
                }
            }

            // ∂/∂q and ∂/∂l from G = Q_k C_k (lower part).
            Span<double> dq = dIcf.Slice(c * icfSize, d);
            Span<double> dl = dIcf.Slice(c * icfSize + d, lSize);
            for (int row = 0; row < d; row++)
            {
                ReadOnlySpan<double> qRow = qDense.Slice(row * d, row + 1);
                for (int col = 0; col <= row; col++)
                {
                    double g = 0;
                    for (int m = 0; m < qRow.Length; m++)
                    {
                        g += qRow[m] * cDense[m * d + col];
                    }

                    if (col == row)
                    {
                        dq[row] = a - g * qd[row] + gamma2 * qd[row] * qd[row] - wishartM;
                    }
                    else
                    {
                        int index = col * d - col * (col + 1) / 2 + (row - col - 1);
                        dl[index] = -g + gamma2 * l[index];
                    }
                }
            }

            // ∂/∂μ = Q_kᵀ (Q_k Z_k).
            for (int row = 0; row < d; row++)
            {
                ReadOnlySpan<double> qRow = qDense.Slice(row * d, row + 1);
                double s = 0;
                for (int m = 0; m < qRow.Length; m++)
                {
                    s += qRow[m] * zSum[m];
                }

                y[row] = s;
            }

            Span<double> dmu = dMeans.Slice(c * d, d);
            for (int col = 0; col < d; col++)
            {
                double s = 0;
                for (int row = col; row < d; row++)
                {
                    s += qDense[row * d + col] * y[row];
                }

                dmu[col] = s;
            }
        }

        return value;
    }

    /// <summary>
    /// The forward pass: returns the objective; leaves exp(q_k) in <paramref name="qDiags"/>, and in <paramref name="w"/>
    /// the weights w_ik (component-major) if <paramref name="weights"/>, else unnormalised exponentials.
    /// </summary>
    private static double Forward(
        ReadOnlySpan<double> alphas,
        ReadOnlySpan<double> means,
        ReadOnlySpan<double> icf,
        ReadOnlySpan<double> x,
        double wishartGamma,
        int wishartM,
        Span<double> w,
        Span<double> qDiags,
        Span<double> zBlock,
        Span<double> rest,
        bool weights,
        out double lseAlphas)
    {
        int k = alphas.Length;
        int d = means.Length / k;
        int n = x.Length / d;
        int icfSize = d * (d + 1) / 2;
        int lSize = icfSize - d;
        Span<double> perPoint = Take(ref rest, n);
        Span<double> norms = Take(ref rest, 4);
        Span<double> lRows = Take(ref rest, lSize);
        double gamma2 = wishartGamma * wishartGamma;

        // Forward pass, component by component: β_ik into w.
        double wishart = 0;
        for (int c = 0; c < k; c++)
        {
            ReadOnlySpan<double> q = icf.Slice(c * icfSize, d);
            ReadOnlySpan<double> l = icf.Slice(c * icfSize + d, lSize);
            ReadOnlySpan<double> mu = means.Slice(c * d, d);
            Span<double> qd = qDiags.Slice(c * d, d);
            double sumQ = 0;
            double frobenius = 0;
            for (int j = 0; j < qd.Length; j++)
            {
                sumQ += q[j];
                qd[j] = Math.Exp(q[j]);
                frobenius += qd[j] * qd[j];
            }

            for (int j = 0; j < l.Length; j++)
            {
                frobenius += l[j] * l[j];
            }

            wishart += 0.5 * gamma2 * frobenius - wishartM * sumQ;
            ToRows(l, d, lRows);

            double baseTerm = alphas[c] + sumQ;
            Span<double> beta = w.Slice(c * n, n);
            for (int i = 0; i < n; i += 4)
            {
                CenterFour(x, i, n, mu, zBlock);
                SquaredNorms(qd, lRows, zBlock, norms);
                for (int p = 0; p < 4 && i + p < n; p++)
                {
                    beta[i + p] = baseTerm - 0.5 * norms[p];
                }
            }
        }

        // logsumexp over components for each point; w_ik = exp(β_ik − max_i) / Σ_k exp(β_ik − max_i).
        Span<double> max = perPoint;
        w.Slice(0, n).CopyTo(max);
        for (int c = 1; c < k; c++)
        {
            Span<double> beta = w.Slice(c * n, n);
            for (int i = 0; i < max.Length && i < beta.Length; i++)
            {
                if (beta[i] > max[i])
                {
                    max[i] = beta[i];
                }
            }
        }

        // perPoint becomes Σ_k exp(β_ik − max_i) after the value's term is read from max.
        double sumLse = 0;
        for (int i = 0; i < n; i++)
        {
            sumLse += max[i];
        }

        for (int c = 0; c < k; c++)
        {
            Span<double> beta = w.Slice(c * n, n);
            for (int i = 0; i < beta.Length && i < max.Length; i++)
            {
                beta[i] = Math.Exp(beta[i] - max[i]);
            }
        }

        Span<double> inverseSum = perPoint;
        inverseSum.Clear();
        for (int c = 0; c < k; c++)
        {
            Span<double> e = w.Slice(c * n, n);
            for (int i = 0; i < inverseSum.Length && i < e.Length; i++)
            {
                inverseSum[i] += e[i];
            }
        }

        for (int i = 0; i < inverseSum.Length; i++)
        {
            sumLse += Math.Log(inverseSum[i]);
            inverseSum[i] = 1.0 / inverseSum[i];
        }

        if (weights)
        {
            for (int c = 0; c < k; c++)
            {
                Span<double> e = w.Slice(c * n, n);
                for (int i = 0; i < e.Length && i < inverseSum.Length; i++)
                {
                    e[i] *= inverseSum[i];
                }
            }
        }

        // −N·logsumexp(α); the gradient's reverse pass uses lseAlphas for −N·softmax(α).
        double alphaMax = alphas[0];
        for (int c = 1; c < k; c++)
        {
            alphaMax = Math.Max(alphaMax, alphas[c]);
        }

        double alphaSum = 0;
        for (int c = 0; c < k; c++)
        {
            alphaSum += Math.Exp(alphas[c] - alphaMax);
        }

        lseAlphas = Math.Log(alphaSum) + alphaMax;

        return sumLse - n * lseAlphas + wishart;
    }

    /// <summary>
    /// The objective alone, by the gradient's forward pass (same kernels, same scratch, allocates nothing): the
    /// objective at the in-language limit.
    /// </summary>
    public static double Objective(
        ReadOnlySpan<double> alphas,
        ReadOnlySpan<double> means,
        ReadOnlySpan<double> icf,
        ReadOnlySpan<double> x,
        double wishartGamma,
        int wishartM,
        Span<double> scratch)
    {
        (int d, int k, int n) = CheckSizes(alphas, means, icf, x, scratch);
        Span<double> w = Take(ref scratch, k * n);
        Span<double> qDiags = Take(ref scratch, k * d);
        Span<double> zBlock = Take(ref scratch, 4 * d);
        return Forward(alphas, means, icf, x, wishartGamma, wishartM, w, qDiags, zBlock, scratch, weights: false, out _);
    }

    private static (int D, int K, int N) CheckSizes(
        ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf, ReadOnlySpan<double> x, Span<double> scratch)
    {
        int k = alphas.Length;
        int d = k == 0 ? 0 : means.Length / k;
        int n = d == 0 ? 0 : x.Length / d;
        if (k == 0 || d == 0 || n == 0 || means.Length != k * d || x.Length != n * d || icf.Length != k * d * (d + 1) / 2)
        {
            throw new ArgumentException("The spans' lengths do not agree with K = alphas.Length > 0, D = means.Length / K > 0, N = x.Length / D > 0.");
        }

        if (scratch.Length < ScratchLength(d, k, n))
        {
            throw new ArgumentException($"The scratch needs {ScratchLength(d, k, n)} doubles.", nameof(scratch));
        }

        return (d, k, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Span<double> Take(ref Span<double> scratch, int length)
    {
        Span<double> taken = scratch.Slice(0, length);
        scratch = scratch.Slice(length);
        return taken;
    }

    /// <summary>
    /// z_p = x_(i+p) − μ for the four points from <paramref name="i"/>, interleaved: zBlock[4j + p] = z_p[j]. A tail of
    /// fewer than four points (of <paramref name="n"/>) repeats the last point.
    /// </summary>
    private static void CenterFour(ReadOnlySpan<double> x, int i, int n, ReadOnlySpan<double> mu, Span<double> zBlock)
    {
        int d = mu.Length;
        for (int p = 0; p < 4; p++)
        {
            ReadOnlySpan<double> xi = x.Slice(Math.Min(i + p, n - 1) * d, d);
            for (int j = 0; j < xi.Length && j < mu.Length; j++)
            {
                zBlock[4 * j + p] = xi[j] - mu[j];
            }
        }
    }

    /// <summary>The strict lower triangle, column by column (icf's layout), rewritten row by row.</summary>
    private static void ToRows(ReadOnlySpan<double> l, int d, Span<double> lRows)
    {
        int li = 0;
        for (int col = 0; col < d; col++)
        {
            for (int row = col + 1; row < d; row++)
            {
                // Row r's entries start at r(r−1)/2.
                lRows[row * (row - 1) / 2 + col] = l[li++];
            }
        }
    }

    /// <summary>
    /// ‖Q z_p‖² for the four points of <paramref name="zBlock"/> (interleaved) into <paramref name="norms"/>,
    /// Q = diag(qd) + the strict lower triangle <paramref name="lRows"/> (row by row).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own register allocation: inlined, the pointers spill
    private static void SquaredNorms(ReadOnlySpan<double> qd, ReadOnlySpan<double> lRows, ReadOnlySpan<double> zBlock, Span<double> norms)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int start = 0;
        for (int row = 0; row < qd.Length; row++)
        {
            ReadOnlySpan<double> lr = lRows.Slice(start, row);
            double q = qd[row];
            double y0 = q * zBlock[4 * row];
            double y1 = q * zBlock[4 * row + 1];
            double y2 = q * zBlock[4 * row + 2];
            double y3 = q * zBlock[4 * row + 3];
            for (int m = 0, j = 0; m < lr.Length; m++, j += 4)
            {
                double l = lr[m];
                y0 += l * zBlock[j];
                y1 += l * zBlock[j + 1];
                y2 += l * zBlock[j + 2];
                y3 += l * zBlock[j + 3];
            }

            s0 += y0 * y0;
            s1 += y1 * y1;
            s2 += y2 * y2;
            s3 += y3 * y3;
            start += row;
        }

        norms[0] = s0;
        norms[1] = s1;
        norms[2] = s2;
        norms[3] = s3;
    }

    /// <summary>
    /// zSum += Σ_p w_p z_p and C += Σ_p w_p z_p z_pᵀ over the four points of <paramref name="zBlock"/> (interleaved),
    /// on C's lower triangle (column by column, diagonal included).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own register allocation: inlined, the pointers spill
    private static void ScatterAdd(double w0, double w1, double w2, double w3, ReadOnlySpan<double> zBlock, Span<double> zSum, Span<double> cPacked)
    {
        int d = zSum.Length;
        int start = 0;
        for (int col = 0; col < d; col++)
        {
            double wz0 = w0 * zBlock[4 * col];
            double wz1 = w1 * zBlock[4 * col + 1];
            double wz2 = w2 * zBlock[4 * col + 2];
            double wz3 = w3 * zBlock[4 * col + 3];
            zSum[col] += wz0 + wz1 + wz2 + wz3;
            Span<double> cc = cPacked.Slice(start, d - col);
            for (int r = 0, j = 4 * col; r < cc.Length; r++, j += 4)
            {
                cc[r] += wz0 * zBlock[j] + wz1 * zBlock[j + 1] + wz2 * zBlock[j + 2] + wz3 * zBlock[j + 3];
            }

            start += d - col;
        }
    }
}
