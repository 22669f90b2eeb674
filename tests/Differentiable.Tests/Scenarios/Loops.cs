using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>for, while, do and foreach loops: carried values, break, continue, nesting, data-dependent trip counts.</summary>
public static partial class Loops
{
    /// <summary>An ascending counted loop with two carried values: x + x² + … + xⁿ.</summary>
    [Differentiable]
    public static double SumOfPowers(double x, int n)
    {
        double power = 1;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            power *= x;
            sum += power;
        }

        return sum;
    }

    /// <summary>A descending counted loop (i--) reading the index: Σ i·xⁱ by Horner's scheme.</summary>
    [Differentiable]
    public static double Descending(double x, int n)
    {
        double r = 0;
        for (int i = n; i > 0; i--)
        {
            r = r * x + i;
        }

        return r * x;
    }

    /// <summary>An inclusive bound (&lt;=) and the index converted to double: Σ sin(i·x)/i for i = 1…n.</summary>
    [Differentiable]
    public static double InclusiveBound(double x, double y, int n)
    {
        double s = y;
        for (int i = 1; i <= n; i++)
        {
            s += Math.Sin(i * x) / i * y;
        }

        return s;
    }

    /// <summary>A while loop whose trip count depends on the input: halve x until it is at most 1.</summary>
    [Differentiable]
    public static double WhileHalving(double x, double y)
    {
        double h = x;
        int steps = 0;
        while (h > 1)
        {
            h = h / 2 + y * 0.01;
            steps++;
        }

        return h * h * y + steps;
    }

    /// <summary>A break whose iteration depends on the input: a geometric series stopped once it exceeds 10.</summary>
    [Differentiable]
    public static double Break(double x, int n)
    {
        double s = 1;
        for (int i = 0; i < n; i++)
        {
            if (s > 10)
            {
                break;
            }

            s = s * x + 1;
        }

        return s * x;
    }

    /// <summary>A continue that skips the even iterations, before the carried value is updated.</summary>
    [Differentiable]
    public static double Continue(double x, int n)
    {
        double s = x;
        for (int i = 0; i < n; i++)
        {
            if (i % 2 == 0)
            {
                continue;
            }

            s = s * Math.Cos(x) + i * x;
        }

        return s;
    }

    /// <summary>A continue in a while loop: the counter is stepped before it, the carried value after it.</summary>
    [Differentiable]
    public static double WhileContinue(double x, int n)
    {
        int k = 0;
        double s = x;
        while (k < n)
        {
            k++;
            if (k % 3 == 0)
            {
                continue;
            }

            s = Math.Sin(s) * x + k;
        }

        return s;
    }

    /// <summary>A break out of the inner of two nested loops; the outer loop goes on.</summary>
    [Differentiable]
    public static double NestedBreak(double x, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double p = x;
            for (int j = 0; j < n; j++)
            {
                if (p > 4 + i)
                {
                    break;
                }

                p = p * x + 1;
            }

            s += p;
        }

        return s;
    }

    /// <summary>Nested loops; the inner bound reads the outer index, the carried value crosses both.</summary>
    [Differentiable]
    public static double Nested(double x, double y, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double row = x;
            for (int j = 0; j <= i; j++)
            {
                row = row * y + Math.Sin(s + j);
            }

            s += row / (i + 1);
        }

        return s;
    }

    /// <summary>
    /// Three nested loops, each nest in a helper of its own: c crosses the runs of the middle loop but is read only inside
    /// it, so the middle loop's helper must hand it back for the next run.
    /// </summary>
    [Differentiable]
    public static double CarriedThroughNests(double x, int n)
    {
        double c = x;
        double total = 0;
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b <= a; b++)
            {
                for (int e = 0; e < 2; e++)
                {
                    c = 0.5 * c + Math.Sin(x * (e + 1));
                    total += c * c;
                }
            }
        }

        return total;
    }

    /// <summary>
    /// <c>while (true)</c> left by a break, with a value assigned before the break and read after the loop: no test is
    /// generated for the constant condition (an else branch after it would be unreachable code, warning CS0162).
    /// </summary>
    [Differentiable]
    public static double WhileTrueBreak(double x, int n)
    {
        double s = x;
        double last = 0;
        int k = 0;
        while (true)
        {
            for (int j = 0; j < n; j++)
            {
                s = s * 1.05 + 0.01 * x;
            }

            last = s * x;
            k++;
            if (s > 3 || k > 20)
            {
                break;
            }
        }

        return last + s;
    }

    /// <summary>A general loop around a counted one: how many rounds run depends on the values.</summary>
    [Differentiable]
    public static double WhileAroundFor(double x, int n)
    {
        double s = x;
        int rounds = 0;
        while (s < 10 && rounds < 50)
        {
            for (int j = 0; j < n; j++)
            {
                s = s * 1.1 + 0.01 * j;
            }

            rounds++;
        }

        return s * x;
    }

    /// <summary>A foreach over an array: the loop variable is the current element.</summary>
    [Differentiable]
    public static double ForEachArray(double[] a, double x)
    {
        double s = 0;
        foreach (double v in a)
        {
            s = s * x + v * v;
        }

        return s;
    }

    /// <summary>A foreach over a read-only span with a continue.</summary>
    [Differentiable]
    public static double ForEachSpan(ReadOnlySpan<double> a, double x)
    {
        double s = 0;
        foreach (double v in a)
        {
            if (v < 0)
            {
                continue;
            }

            s += Math.Exp(v * x);
        }

        return s;
    }

    /// <summary>A variable declared in the body and overwritten every iteration; only the sum is carried.</summary>
    [Differentiable]
    public static double Overwritten(double x, int n)
    {
        double sum = 0;
        double t = 0;
        for (int i = 0; i < n; i++)
        {
            t = Math.Exp(x * i * 0.1);
            double u = t * t - x;
            sum += u * t;
        }

        return sum + t;
    }

    /// <summary>A while loop with a compound condition: the trip count depends on both inputs.</summary>
    [Differentiable]
    public static double WhileCompoundCondition(double x, double y)
    {
        double a = x;
        double b = y;
        int k = 0;
        while (a < 100 && k < 50)
        {
            double next = a + b * 0.5 + 1;
            b = a * 0.25;
            a = next;
            k++;
        }

        return a - b;
    }

    /// <summary>A general for loop (step 2) whose condition reads a carried value.</summary>
    [Differentiable]
    public static double GeneralFor(double x, int n)
    {
        double s = x;
        for (int i = 0; i < n && s < 1e6; i += 2)
        {
            s = s * s + i;
        }

        return Math.Log(s);
    }

    /// <summary>Newton's iteration for √a until converged: the derivative through it is 1/(2√a).</summary>
    [Differentiable]
    public static double NewtonSqrt(double a)
    {
        double x = a > 1 ? a : 1;
        int k = 0;
        while (Math.Abs(x * x - a) > 1e-14 * a && k < 100)
        {
            x = 0.5 * (x + a / x);
            k++;
        }

        return x;
    }

    /// <summary>Explicit Euler for x'' = -k·x - c·x' over a number of steps; the state is overwritten every step.</summary>
    [Differentiable]
    public static double DampedOscillator(double stiffness, double damping, double x0, double v0, int steps, double dt)
    {
        double x = x0;
        double v = v0;
        for (int i = 0; i < steps; i++)
        {
            double a = -stiffness * x - damping * v;
            x = x + dt * v;
            v = v + dt * a;
        }

        return x;
    }

    /// <summary>A float counted loop with a carried product.</summary>
    [Differentiable]
    public static float SumOfPowersF(float x, int n)
    {
        float power = 1f;
        float sum = 0f;
        for (int i = 0; i < n; i++)
        {
            power *= x;
            sum += power;
        }

        return sum;
    }

    /// <summary>A float while loop with a data-dependent trip count.</summary>
    [Differentiable]
    public static float WhileHalvingF(float x, float y)
    {
        float h = x;
        while (h > 1f)
        {
            h = h / 2f + MathF.Sin(y) * 0.01f;
        }

        return h * y;
    }

    /// <summary>A do-while loop: the body runs before the first test.</summary>
    [Differentiable]
    public static double DoWhile(double x, double y)
    {
        double a = x;
        int k = 0;
        do
        {
            a = a * y + Math.Cos(a);
            k++;
        }
        while (k < 3);

        return a;
    }

    /// <summary>A sum whose value before the loop is also squared: its iterations cannot be reversed one by one.</summary>
    [Differentiable]
    public static double SumAfterSquare(double x, double y, int n)
    {
        double s = y;
        double z = s * s;
        for (int i = 1; i <= n; i++)
        {
            s += Math.Sin(i * x) * y;
        }

        return s + z;
    }

    /// <summary>A sum over every other element, walked by a counter the loop carries from one iteration to the next.</summary>
    [Differentiable]
    public static double StridedSum(double[] x, int n)
    {
        double s = 0;
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            s += x[k] * x[k];
            k += 2;
        }

        return s;
    }

    /// <summary>A running sum whose new value is squared in the same iteration: its cotangent changes from one iteration to the next.</summary>
    [Differentiable]
    public static double PrefixSquares(ReadOnlySpan<double> x)
    {
        double s = 0;
        double f = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i];
            f += s * s;
        }

        return f;
    }

    /// <summary>A scratch array refilled every iteration from a value that a later loop in the iteration changes.</summary>
    [Differentiable]
    public static double RefillFromCarried(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double[] z = new double[n];
        double c = x[0];
        double f = 0;
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < n; j++)
            {
                z[j] = c * x[j];
            }

            for (int j = 0; j < n; j++)
            {
                c += z[j] * 0.1;
            }

            f += z[0] * z[1];
        }

        return f;
    }

    /// <summary>An ascending loop from lo: its reverse must not step below lo (lo may be int.MinValue).</summary>
    [Differentiable]
    public static double FromLow(double x, int lo, int count)
    {
        double s = 0;
        for (int i = lo; i < lo + count; i++)
        {
            s = s * x + 1;
        }

        return s;
    }

    /// <summary>A descending loop from hi with an inclusive bound: its reverse must not step above hi (hi may be int.MaxValue).</summary>
    [Differentiable]
    public static double FromHigh(double x, int hi, int count)
    {
        double s = 0;
        for (int i = hi; i >= hi - count + 1; i--)
        {
            s = s * x + 2;
        }

        return s;
    }

    /// <summary>A loop that does not run when n is int.MinValue: its reverse must not compute n - 1.</summary>
    [Differentiable]
    public static double UpTo(double x, int n)
    {
        double s = x;
        for (int i = 0; i < n; i++)
        {
            s = Math.Sin(s) * x;
        }

        return s;
    }

    /// <summary>A descending loop that does not run when its bound is int.MaxValue: its reverse must not compute bound + 1.</summary>
    [Differentiable]
    public static double DownTo(double x, int bound)
    {
        double s = x;
        for (int i = 3; i > bound; i--)
        {
            s = s * s * 0.5 + x;
        }

        return s;
    }

    /// <summary>Integer arithmetic in a checked context: the derivatives throw OverflowException where the primal does.</summary>
    [Differentiable]
    public static double CheckedCount(double x, int n, int m)
    {
        int count = checked(n * m);
        double s = 0;
        for (int i = 0; i < count; i++)
        {
            s += x * i;
        }

        return s + x;
    }

    /// <summary>Integer arithmetic that wraps on purpose, whatever the project's overflow checking.</summary>
    [Differentiable]
    public static double UncheckedHash(double x, int seed)
    {
        int h = unchecked(seed * 16777619 + 1000);
        return (h & 1) == 0 ? x * x : x * 3;
    }

    /// <summary>A return from inside a counted loop: the first partial sum above a threshold, or the whole sum.</summary>
    [Differentiable]
    public static double FirstAbove(double[] a, double threshold)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * a[i];
            if (s > threshold)
            {
                return s * threshold;
            }
        }

        return s;
    }

    /// <summary>A return from a nested loop: the search leaves both loops at once.</summary>
    [Differentiable]
    public static double NestedSearch(double x, int n)
    {
        double p = 1;
        for (int i = 0; i < n; i++)
        {
            int j = 0;
            while (j < n)
            {
                p = p * x + j;
                if (p > 50)
                {
                    return p - i;
                }

                j++;
            }

            p = Math.Sqrt(p);
        }

        return -p;
    }
}

/// <summary>
/// Two overloads that inline the same callee, whose loop nest keeps the callee's line: each overload's derivatives get
/// helpers of the same name, which must not clash (they are local functions of each derivative).
/// </summary>
public static partial class NestOverloads
{
    [Differentiable]
    public static double Powers(ReadOnlySpan<double> a, double x)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double p = a[i];
            for (int j = 0; j < 2; j++)
            {
                p = p * x + 0.1;
            }

            s += p;
        }

        return s;
    }

    [Differentiable]
    public static double Combine(double[] a, double x) => Powers(a, x) + x;

    [Differentiable]
    public static double Combine(double[] a, double x, double y) => Powers(a, x) * y;
}

/// <summary>A loop nest that reads a readonly field, in a class: its helper is an instance local function.</summary>
public partial class DecayingSum
{
    private readonly double rate;

    public DecayingSum(double rate) => this.rate = rate;

    [Differentiable]
    public double Total(double x, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double term = x;
            for (int j = 0; j <= i; j++)
            {
                term *= rate * x;
            }

            s += term;
        }

        return s;
    }
}

/// <summary>The same in a struct, where a local function cannot use this: the nest that reads the field stays in place.</summary>
public partial struct DecayingSumStruct
{
    private readonly double rate;

    public DecayingSumStruct(double rate) => this.rate = rate;

    [Differentiable]
    public double Total(double x, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double term = x;
            for (int j = 0; j <= i; j++)
            {
                term *= rate * x;
            }

            s += term;
        }

        return s;
    }
}

/// <summary>foreach loops that a break or a return ends early.</summary>
public static partial class Loops
{
    /// <summary>A foreach that returns from inside: the first element above t decides the result.</summary>
    [Differentiable]
    public static double ForEachFirstAbove(double[] a, double t)
    {
        foreach (double v in a)
        {
            if (v > t)
            {
                return v * v * t;
            }
        }

        return t * t;
    }

    /// <summary>A foreach over a span with a break (on a carried sum) and a continue.</summary>
    [Differentiable]
    public static double ForEachSumUntil(ReadOnlySpan<double> a, double limit)
    {
        double s = 0;
        foreach (double v in a)
        {
            if (s > limit)
            {
                break;
            }

            if (v < 0)
            {
                continue;
            }

            s += v * Math.Sin(v + limit);
        }

        return s * limit;
    }

    /// <summary>Nested foreach loops, the inner one left by a break, the outer by a return.</summary>
    [Differentiable]
    public static double ForEachNested(double[] rows, double[] weights, double x)
    {
        double s = 0;
        foreach (double r in rows)
        {
            foreach (double w in weights)
            {
                if (w * x > 2)
                {
                    break;
                }

                s += r * w * x;
            }

            if (s > 10)
            {
                return s * r;
            }
        }

        return s;
    }

    /// <summary>A foreach by reference that writes the span in place until it meets a negative element.</summary>
    [Differentiable]
    public static void ForEachScaleUntilNegative(Span<double> a, double k)
    {
        foreach (ref double e in a)
        {
            if (e < 0)
            {
                break;
            }

            e *= k * e;
        }
    }
}
