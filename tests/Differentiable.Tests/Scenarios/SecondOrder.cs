using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Second order: [Differentiable(Order = 2)] adds {M}Hvp and {M}Hessian.</summary>
public static partial class SecondOrder
{
    /// <summary>The 2-D Rosenbrock function, on scalars.</summary>
    [Differentiable(Order = 2)]
    public static double Rosenbrock2(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }

    /// <summary>The n-D Rosenbrock function, a loop over an array.</summary>
    [Differentiable(Order = 2)]
    public static double Rosenbrock(double[] x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = 1 - x[i];
            double b = x[i + 1] - x[i] * x[i];
            sum += a * a + 100 * b * b;
        }

        return sum;
    }

    /// <summary>
    /// The negative log-likelihood of a logistic regression: weights w, features X (rows of length w.Length, row-major)
    /// and labels y in {0, 1}, data the Hessian does not differentiate. Its Hessian is Xᵀ diag(p(1 − p)) X.
    /// </summary>
    [Differentiable(Order = 2)]
    public static double LogisticLoss(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> features, [NoDerivative] ReadOnlySpan<double> labels)
    {
        int d = w.Length;
        double loss = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double z = 0;
            for (int j = 0; j < d; j++)
            {
                z += features[i * d + j] * w[j];
            }

            // log(1 + e^z) - y z, written to stay finite for large |z|
            double softplus = z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
            loss += softplus - labels[i] * z;
        }

        return loss;
    }

    /// <summary>A state overwritten every step of a loop (the reverse sweep restores it from the tape), and a scalar weight.</summary>
    [Differentiable(Order = 2)]
    public static double Orbit(double x, double y, double[] weights)
    {
        double p = x;
        double q = y;
        for (int i = 0; i < weights.Length; i++)
        {
            double a = Math.Sin(p) * q * weights[i];
            p = p + 0.1 * q * q;
            q = q - 0.1 * a;
        }

        return p * q + Math.Exp(p / 4);
    }

    /// <summary>The Black–Scholes price of a call; its second derivative in the spot is the gamma.</summary>
    [Differentiable(Order = 2)]
    public static double BlackScholesCall(double spot, double strike, double rate, double volatility, double years)
    {
        double deviation = volatility * Math.Sqrt(years);
        double d1 = (Math.Log(spot / strike) + (rate + 0.5 * volatility * volatility) * years) / deviation;
        double d2 = d1 - deviation;
        return spot * NormalCdf(d1) - strike * Math.Exp(-rate * years) * NormalCdf(d2);
    }

    /// <summary>The standard normal CDF by its Taylor series (exact to rounding for |x| ≤ 3): a callee with a loop.</summary>
    [Differentiable]
    public static double NormalCdf(double x)
    {
        double term = x; // (-1)^n x^(2n+1) / (2^n n!)
        double sum = x;
        for (int n = 1; n < 90; n++)
        {
            term = -term * x * x / (2 * n);
            sum += term / (2 * n + 1);
        }

        return 0.5 + sum / Math.Sqrt(2 * Math.PI);
    }

    /// <summary>Second order through calls: an Order = 2 method (Rosenbrock) and a helper with a loop, both inlined.</summary>
    [Differentiable(Order = 2)]
    public static double Regularized(double[] x) => Rosenbrock(x) + 0.1 * SumOfSquares(x);

    [Differentiable]
    public static double SumOfSquares(double[] x)
    {
        double sum = 0;
        foreach (double value in x)
        {
            sum += value * value;
        }

        return sum;
    }

    /// <summary>
    /// A local array updated in place, pass after pass: the reverse sweep brings its overwritten elements back from the
    /// tape, and the second-order sweep their tangents with them.
    /// </summary>
    [Differentiable(Order = 2)]
    public static double Smooth(double[] x, int passes)
    {
        double[] y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i];
        }

        for (int p = 0; p < passes; p++)
        {
            for (int i = 1; i < y.Length - 1; i++)
            {
                y[i] = 0.3 * y[i - 1] * y[i - 1] + 0.5 * Math.Sin(y[i]) + 0.25 * y[i + 1] * y[i + 1];
            }
        }

        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            sum += y[i] * y[i] * y[i];
        }

        return sum;
    }

    /// <summary>Single precision: the Hessian is a float[,].</summary>
    [Differentiable(Order = 2)]
    public static float Bowl(float x, float y) => MathF.Cos(x) * y * y + x * x * x;

    /// <summary>(√x − 2)²: at x = 4 the cotangent of √x is exactly 0 but its tangent is not (the Hessian is 1/8 there).</summary>
    [Differentiable(Order = 2)]
    public static double RootMiss(double x)
    {
        double miss = Math.Sqrt(x) - 2;
        return miss * miss;
    }

    /// <summary>(x^y − 4)²: at its minimum (2, 2) the cotangent of x^y is exactly 0.</summary>
    [Differentiable(Order = 2)]
    public static double PowerMiss(double x, double y)
    {
        double miss = Math.Pow(x, y) - 4;
        return miss * miss;
    }
}
