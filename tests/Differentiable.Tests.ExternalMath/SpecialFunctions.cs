namespace Differentiable.Tests.ExternalMath;

/// <summary>
/// A library that knows nothing of Differentiable: the generator cannot see these bodies, so a
/// caller registers their derivatives with [DerivativeOf].
/// </summary>
public static class SpecialFunctions
{
    /// <summary>The error function to double precision: its Maclaurin series for |x| &lt; 3, the continued fraction of erfc beyond.</summary>
    public static double Erf(double x)
    {
        double ax = Math.Abs(x);
        if (ax < 3.0)
        {
            // erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }

            return 2.0 / Math.Sqrt(Math.PI) * sum;
        }

        return Math.Sign(x) * (1 - ErfcOfLarge(ax));
    }

    /// <summary>The complementary error function 1 − erf(x), accurate in the tail.</summary>
    public static double Erfc(double x) => x >= 3.0 ? ErfcOfLarge(x) : 1 - Erf(x);

    /// <summary>erfc(x) for x ≥ 3 by its continued fraction (modified Lentz), which converges fast there.</summary>
    private static double ErfcOfLarge(double x)
    {
        double f = x, c = x, d = 0;
        for (int k = 1; k < 300; k++)
        {
            double a = k / 2.0;
            d = 1 / (x + a * d);
            c = x + a / c;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        return Math.Exp(-x * x) / (f * Math.Sqrt(Math.PI));
    }
}
