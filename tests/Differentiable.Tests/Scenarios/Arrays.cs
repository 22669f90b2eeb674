using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Arrays and spans: parameters and their shadows, element reads and writes, local buffers, array results, calls.</summary>
public static partial class Arrays
{
    /// <summary>A double[] parameter read up to its Length.</summary>
    [Differentiable]
    public static double SumOfSquares(double[] a)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * a[i];
        }

        return s;
    }

    /// <summary>Integer index arithmetic: each element times its mirror and its cyclic successor.</summary>
    [Differentiable]
    public static double IndexArithmetic(double[] a)
    {
        int n = a.Length;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            s += a[i] * a[n - 1 - i] + Math.Sin(a[(i + 1) % n]) * a[i / 2];
        }

        return s;
    }

    /// <summary>Two read-only spans: the dot product, called by the methods below.</summary>
    [Differentiable]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    /// <summary>The same array passed for both span parameters of a call: Dot(x, x).</summary>
    [Differentiable]
    public static double Norm(ReadOnlySpan<double> x) => Math.Sqrt(Dot(x, x));

    /// <summary>Read-only span parameters passed on to several calls: the cosine of the angle between a and b.</summary>
    [Differentiable]
    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => Dot(a, b) / Math.Sqrt(Dot(a, a) * Dot(b, b));

    /// <summary>A local array written by a loop, then passed to two calls, one of them with the parameter it came from.</summary>
    [Differentiable]
    public static double HelpersOnLocal(double[] x, double c)
    {
        var t = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            t[i] = c * x[i] + 1;
        }

        return Norm(t) * Dot(t, x);
    }

    /// <summary>A call inside a loop, passing each row of a jagged array and the same read-only span.</summary>
    [Differentiable]
    public static double RowsDot(double[][] rows, ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            s += Math.Tanh(Dot(rows[i], w));
        }

        return s;
    }

    /// <summary>A while loop walking an array with its own index until a running sum passes a threshold.</summary>
    [Differentiable]
    public static double UntilThreshold(ReadOnlySpan<double> a, double threshold)
    {
        int i = 0;
        double s = 0;
        while (i < a.Length && s < threshold)
        {
            s += a[i] * a[i];
            i++;
        }

        return s * threshold;
    }

    /// <summary>A for loop over an array that breaks at the first negative element.</summary>
    [Differentiable]
    public static double ProductUntilNegative(double[] a, double x)
    {
        double p = x;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] < 0)
            {
                break;
            }

            p *= a[i] + x;
        }

        return p;
    }

    /// <summary>Elements of a two-slot stack buffer overwritten every iteration and read by the next ones.</summary>
    [Differentiable]
    public static double RollingBuffer(double x, int n)
    {
        Span<double> t = stackalloc double[2];
        t[0] = x;
        t[1] = 1;
        for (int i = 2; i < n; i++)
        {
            t[i % 2] = t[0] * t[1] * 0.5 + Math.Sin(t[i % 2]);
        }

        return t[0] + t[1];
    }

    /// <summary>A descending loop over an array with a &gt;= bound.</summary>
    [Differentiable]
    public static double ReverseWeighted(double[] a)
    {
        double s = 0;
        for (int i = a.Length - 1; i >= 0; i--)
        {
            s = s * 0.5 + a[i] * a[i] * (i + 1);
        }

        return s;
    }

    /// <summary>Writes to a span parameter inside a loop that breaks: elements after the break keep their values.</summary>
    [Differentiable]
    public static double SquashUntilNegative(Span<double> a, double cap)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] < 0)
            {
                break;
            }

            a[i] = cap * Math.Tanh(a[i] / cap);
            s += a[i];
        }

        return s;
    }

    /// <summary>A while loop nested in a for loop: a data-dependent inner trip count per element.</summary>
    [Differentiable]
    public static double RootsUntilSmall(ReadOnlySpan<double> a)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double v = a[i];
            while (v > 2)
            {
                v = Math.Sqrt(v) + 0.1;
            }

            s += v * v;
        }

        return s;
    }

    /// <summary>A scratch span rewritten every iteration and passed to a call each time.</summary>
    [Differentiable]
    public static double ScratchCallsInLoop(ReadOnlySpan<double> x, int iterations)
    {
        Span<double> t = stackalloc double[x.Length];
        double s = 0;
        for (int k = 0; k < iterations; k++)
        {
            for (int i = 0; i < x.Length; i++)
            {
                t[i] = Math.Sin(x[i] * (k + 1)) + s * 0.1;
            }

            s += Dot(t, x);
        }

        return s;
    }

    /// <summary>A helper that writes an output span and returns a value.</summary>
    [Differentiable]
    public static double SoftplusInto(ReadOnlySpan<double> x, Span<double> y)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Math.Log(1 + Math.Exp(x[i]));
            total += y[i];
        }

        return total;
    }

    /// <summary>A call to a helper that fills a stack buffer, then a reduction over the buffer.</summary>
    [Differentiable]
    public static double CallsSoftplusInto(ReadOnlySpan<double> x)
    {
        Span<double> y = stackalloc double[x.Length];
        double total = SoftplusInto(x, y);
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += y[i] * x[i];
        }

        return s + total * total;
    }

    /// <summary>The caller's own output span passed on to a helper that writes it.</summary>
    [Differentiable]
    public static double ForwardsOutput(ReadOnlySpan<double> x, Span<double> y) => 2 * SoftplusInto(x, y);

    /// <summary>A helper updating the caller's array in place, then the caller reading the updated array.</summary>
    [Differentiable]
    public static double ReadsAfterUpdate(double[] a, double x)
    {
        double s = UpdateInPlace(a, x);
        return s * a[0] + a[a.Length - 1];
    }

    /// <summary>A helper writing a stack buffer inside a loop, the buffer read after every call.</summary>
    [Differentiable]
    public static double HelperWritesInLoop(ReadOnlySpan<double> x, int iterations)
    {
        Span<double> t = stackalloc double[x.Length];
        double s = 0;
        for (int k = 0; k < iterations; k++)
        {
            double total = SoftplusInto(x, t);
            s = s * t[k % t.Length] + total;
        }

        return s;
    }

    /// <summary>A Span&lt;double&gt; parameter the method only reads.</summary>
    [Differentiable]
    public static double ReadsSpan(Span<double> a, double x)
    {
        double s = x;
        for (int i = 1; i < a.Length; i++)
        {
            s = s * a[i - 1] + a[i] * x;
        }

        return s;
    }

    /// <summary>A jagged double[][] parameter: rows of different lengths, read row by row.</summary>
    [Differentiable]
    public static double Jagged(double[][] rows, double x)
    {
        double s = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            double[] row = rows[i];
            double p = 1;
            for (int j = 0; j < row.Length; j++)
            {
                p *= row[j] + x;
            }

            s += p;
        }

        return s;
    }

    /// <summary>A foreach over the rows of a jagged array, reading through rows[i][j] as well.</summary>
    [Differentiable]
    public static double JaggedForEach(double[][] rows)
    {
        double s = 0;
        foreach (double[] row in rows)
        {
            s += row[0] * row[row.Length - 1];
        }

        return s + rows[0][0];
    }

    /// <summary>In-place updates of a written array parameter (+=, *=), returning a value as well.</summary>
    [Differentiable]
    public static double UpdateInPlace(double[] a, double x)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            a[i] += x * i;
            a[i] *= a[i];
            s += a[i];
        }

        return s;
    }

    /// <summary>A void method that scales a span in place, reading elements it has written.</summary>
    [Differentiable]
    public static void ScaleInPlace(Span<double> a, double x)
    {
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = a[i] * x + Math.Sin(a[i]);
        }

        for (int i = 1; i < a.Length; i++)
        {
            a[i] -= a[i - 1] * 0.5;
        }
    }

    /// <summary>Element writes through a jagged array: every row scaled in place by a power of x.</summary>
    [Differentiable]
    public static void ScaleRows(double[][] rows, double x)
    {
        double factor = 1;
        for (int i = 0; i < rows.Length; i++)
        {
            factor *= x;
            for (int j = 0; j < rows[i].Length; j++)
            {
                rows[i][j] *= factor + rows[i][j];
            }
        }
    }

    /// <summary>Nonlinear diffusion steps: a stack scratch and a written span, both overwritten every outer iteration.</summary>
    [Differentiable]
    public static void Diffuse(Span<double> u, double rate, int steps)
    {
        Span<double> next = stackalloc double[u.Length];
        for (int s = 0; s < steps; s++)
        {
            for (int i = 1; i < u.Length - 1; i++)
            {
                next[i] = u[i] + rate * (u[i - 1] - 2 * u[i] + u[i + 1]) - 0.1 * u[i] * u[i];
            }

            for (int i = 1; i < u.Length - 1; i++)
            {
                u[i] = next[i];
            }
        }
    }

    /// <summary>An output span: a void method that writes every element of y from x (softplus).</summary>
    [Differentiable]
    public static void Softplus(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Math.Log(1 + Math.Exp(x[i]));
        }
    }

    /// <summary>A local array created with new, written then read.</summary>
    [Differentiable]
    public static double LocalArray(double[] a)
    {
        var t = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            t[i] = a[i] * a[i] + 1;
        }

        double s = 0;
        for (int i = 0; i < t.Length; i++)
        {
            s += t[i] * t[t.Length - 1 - i];
        }

        return s;
    }

    /// <summary>A stackalloc scratch span: running sums, then a weighted reduction; the primal allocates nothing.</summary>
    [Differentiable]
    public static double StackallocScratch(ReadOnlySpan<double> a)
    {
        Span<double> prefix = stackalloc double[a.Length];
        double acc = 0;
        for (int i = 0; i < a.Length; i++)
        {
            acc += a[i];
            prefix[i] = acc;
        }

        double s = 0;
        for (int i = 0; i < prefix.Length; i++)
        {
            s += Math.Exp(-prefix[i] * prefix[i]);
        }

        return s;
    }

    /// <summary>An array result: the running root-sum-of-squares of a.</summary>
    [Differentiable]
    public static double[] RunningNorm(double[] a)
    {
        var result = new double[a.Length];
        double acc = 0;
        for (int i = 0; i < a.Length; i++)
        {
            acc += a[i] * a[i];
            result[i] = Math.Sqrt(acc + 1);
        }

        return result;
    }

    /// <summary>[NoDerivative] data arrays: weights differentiable, data and targets not.</summary>
    [Differentiable]
    public static double SquaredError(double[] weights, [NoDerivative] double[] data, [NoDerivative] ReadOnlySpan<double> targets)
    {
        int n = weights.Length;
        double loss = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            double prediction = 0;
            for (int j = 0; j < n; j++)
            {
                prediction += weights[j] * data[r * n + j];
            }

            double error = prediction - targets[r];
            loss += error * error;
        }

        return loss;
    }

    /// <summary>The n-dimensional Rosenbrock function.</summary>
    [Differentiable]
    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            s += 100 * a * a + b * b;
        }

        return s;
    }

    /// <summary>Horner's scheme with constant coefficients (highest degree first): the derivative with respect to x only.</summary>
    [Differentiable]
    public static double Horner(double x, [NoDerivative] double[] coefficients)
    {
        double r = 0;
        for (int i = 0; i < coefficients.Length; i++)
        {
            r = r * x + coefficients[i];
        }

        return r;
    }

    /// <summary>Horner's scheme differentiated with respect to the coefficients too.</summary>
    [Differentiable]
    public static double HornerWithCoefficients(double x, ReadOnlySpan<double> coefficients)
    {
        double r = 0;
        for (int i = 0; i < coefficients.Length; i++)
        {
            r = r * x + coefficients[i];
        }

        return r;
    }

    /// <summary>A row-major matrix-vector product writing an output span, with index arithmetic m[i * n + j].</summary>
    [Differentiable]
    public static void MatVec(ReadOnlySpan<double> m, ReadOnlySpan<double> v, Span<double> result)
    {
        int n = v.Length;
        for (int i = 0; i < result.Length; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++)
            {
                s += m[i * n + j] * v[j];
            }

            result[i] = s;
        }
    }

    /// <summary>The negative log-likelihood of logistic regression: weights differentiable, data [NoDerivative].</summary>
    [Differentiable]
    public static double LogisticNll(ReadOnlySpan<double> weights, double bias, [NoDerivative] double[] features, [NoDerivative] double[] labels)
    {
        int d = weights.Length;
        double nll = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            double z = bias;
            for (int j = 0; j < d; j++)
            {
                z += weights[j] * features[r * d + j];
            }

            double p = 1 / (1 + Math.Exp(-z));
            nll -= labels[r] * Math.Log(p) + (1 - labels[r]) * Math.Log(1 - p);
        }

        return nll;
    }

    /// <summary>A float dot product of two read-only spans.</summary>
    [Differentiable]
    public static float DotF(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float s = 0f;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    /// <summary>A float output span written from a float array and a scalar.</summary>
    [Differentiable]
    public static void TanhF(float[] x, float gain, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = MathF.Tanh(gain * x[i]);
        }
    }

    /// <summary>A float array updated in place, with a stackalloc float scratch.</summary>
    [Differentiable]
    public static float SmoothF(Span<float> a)
    {
        Span<float> copy = stackalloc float[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            copy[i] = a[i];
        }

        float s = 0f;
        for (int i = 1; i < a.Length - 1; i++)
        {
            a[i] = 0.25f * copy[i - 1] + 0.5f * copy[i] + 0.25f * copy[i + 1];
            s += a[i] * a[i];
        }

        return s;
    }

    /// <summary>A call passing a Span and an array to ReadOnlySpan parameters, plus a scalar.</summary>
    [Differentiable]
    public static double CosineOffset(Span<double> a, double[] b, double c) => Dot(a, b) / (Norm(b) + c * c);

    /// <summary>A call to a helper that writes an output span, then a reduction over it.</summary>
    [Differentiable]
    public static double SoftplusSum(ReadOnlySpan<double> x)
    {
        Span<double> y = stackalloc double[x.Length];
        Softplus(x, y);
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += y[i] * x[i];
        }

        return s;
    }

    /// <summary>Elements read inside a conditional expression: each term pairs an element with its successor, or 0 at the end.</summary>
    [Differentiable]
    public static double NeighbourProducts(double[] u)
    {
        int n = u.Length;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            s += u[i] * (i + 1 < n ? u[i + 1] : 0.0);
        }

        return s;
    }

    /// <summary>A helper with a loop that only reads its double[] parameter (too big to inline: it allocates).</summary>
    [Differentiable]
    public static double SinSum(double y, double[] a)
    {
        var scaled = new double[a.Length];
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            scaled[i] = y * a[i];
            s += Math.Sin(scaled[i]);
        }

        return s;
    }

    /// <summary>The read-only helper called twice in one expression on the same array, which is written afterwards.</summary>
    [Differentiable]
    public static double HelperTwiceThenWrite(double y, double z, double[] a)
    {
        double r = SinSum(y, a) - SinSum(z, a);
        a[0] = a[0] * r;
        return r + SinSum(y, a);
    }

    /// <summary>A helper that writes its span in place (not inlined: it allocates).</summary>
    [Differentiable]
    public static void SquareHalf(Span<double> a)
    {
        var old = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            old[i] = a[i];
            a[i] = old[i] * old[i] * 0.5 + 1;
        }
    }

    /// <summary>The writing helper called on a parameter inside a loop: the array ends as the last call left it.</summary>
    [Differentiable]
    public static double RepeatedInPlace(double[] a, int times)
    {
        double s = 0;
        for (int k = 0; k < times; k++)
        {
            SquareHalf(a);
            s += a[0] * a[a.Length - 1];
        }

        return s;
    }
}
