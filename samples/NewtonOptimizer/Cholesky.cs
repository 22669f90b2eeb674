namespace NewtonOptimizer;

/// <summary>
/// The Cholesky factorization A = L·Lᵀ of a small symmetric positive definite matrix, and solves with it: what
/// Newton's method needs to solve H·Δ = −∇f when H is the (positive definite) Hessian of a convex function.
/// </summary>
public sealed class Cholesky
{
    private readonly double[,] lower;

    /// <summary>Factors <paramref name="a"/> (only its lower triangle is read); throws if it is not positive definite.</summary>
    public Cholesky(double[,] a)
    {
        int n = a.GetLength(0);
        lower = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            // L[j, j]² = A[j, j] − Σₖ L[j, k]², then column j below the diagonal.
            double diagonal = a[j, j];
            for (int k = 0; k < j; k++)
            {
                diagonal -= lower[j, k] * lower[j, k];
            }

            if (!(diagonal > 0))
            {
                throw new InvalidOperationException($"The matrix is not positive definite (pivot {j} is {diagonal}).");
            }

            lower[j, j] = Math.Sqrt(diagonal);
            for (int i = j + 1; i < n; i++)
            {
                double sum = a[i, j];
                for (int k = 0; k < j; k++)
                {
                    sum -= lower[i, k] * lower[j, k];
                }

                lower[i, j] = sum / lower[j, j];
            }
        }
    }

    /// <summary>The solution x of A·x = b: forward substitution L·y = b, then back substitution Lᵀ·x = y.</summary>
    public double[] Solve(ReadOnlySpan<double> b)
    {
        int n = lower.GetLength(0);
        double[] x = b.ToArray();
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < i; k++)
            {
                x[i] -= lower[i, k] * x[k];
            }

            x[i] /= lower[i, i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            for (int k = i + 1; k < n; k++)
            {
                x[i] -= lower[k, i] * x[k];
            }

            x[i] /= lower[i, i];
        }

        return x;
    }
}
