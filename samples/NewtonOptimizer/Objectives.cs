using Differentiable;

namespace NewtonOptimizer;

/// <summary>
/// The functions the optimizers minimize, marked <c>[Differentiable(Order = 2)]</c>. Besides <c>{M}Gradient</c>, the
/// generator then emits <c>{M}Hvp</c> (the value, the gradient and one Hessian-vector product H·v in one sweep) and
/// <c>{M}Hessian</c> (the whole Hessian, one Hvp per input).
/// </summary>
public static partial class Objectives
{
    /// <summary>The 2-D Rosenbrock function (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1), on two scalars.</summary>
    [Differentiable(Order = 2)]
    public static double Rosenbrock2(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }

    /// <summary>
    /// The n-D Rosenbrock function Σ (1 − xᵢ)² + 100 (xᵢ₊₁ − xᵢ²)², minimum 0 at (1, …, 1), as a loop over an array.
    /// </summary>
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
    /// The negative log-likelihood of a logistic regression with weights <paramref name="w"/>: Σᵢ log(1 + e^zᵢ) − yᵢ zᵢ
    /// with zᵢ = xᵢ · w. The features (one row of w.Length per sample, row-major) and the labels (0 or 1) are data,
    /// <c>[NoDerivative]</c>: the derivatives are with respect to the weights only.
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

            // log(1 + e^z) − y z, written so that e^z never overflows
            double softplus = z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
            loss += softplus - labels[i] * z;
        }

        return loss;
    }
}
