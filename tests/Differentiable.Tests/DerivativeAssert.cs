namespace Differentiable.Tests;

/// <summary>
/// Checks generated derivatives of a function R^n → R^m at given points, in both modes:
/// forward mode against central finite differences column by column, reverse mode row by row,
/// the primal value returned by every entry point against the function itself (bit for bit),
/// and the dot-product test ⟨u, J v⟩ = ⟨Jᵀ u, v⟩ tying the two modes together.
/// </summary>
internal static class DerivativeAssert
{
    /// <param name="f">The primal.</param>
    /// <param name="jvp">Forward mode: (x, v) → (f(x), J v).</param>
    /// <param name="vjp">Reverse mode: (x, u) → (f(x), Jᵀ u).</param>
    public static void Vector(
        Func<double[], double[]> f,
        Func<double[], double[], (double[] Value, double[] Tangent)> jvp,
        Func<double[], double[], (double[] Value, double[] Gradient)> vjp,
        params double[][] points)
    {
        Assert.NotEmpty(points);
        var random = new Random(12345);
        foreach (double[] x in points)
        {
            double[] value = f(x);
            int m = value.Length, n = x.Length;
            double[,] expected = FiniteDifferences.Jacobian(f, x);
            for (int j = 0; j < n; j++)
            {
                var (forwardValue, column) = jvp(x, Unit(n, j));
                Assert.Equal(value, forwardValue);
                for (int i = 0; i < m; i++)
                {
                    AssertClose(expected[i, j], column[i], $"J[{i},{j}] by forward mode at ({string.Join(", ", x)})");
                }
            }

            for (int i = 0; i < m; i++)
            {
                var (reverseValue, row) = vjp(x, Unit(m, i));
                Assert.Equal(value, reverseValue);
                for (int j = 0; j < n; j++)
                {
                    AssertClose(expected[i, j], row[j], $"J[{i},{j}] by reverse mode at ({string.Join(", ", x)})");
                }
            }

            double[] v = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            double[] u = Enumerable.Range(0, m).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            double left = Dot(u, jvp(x, v).Tangent);
            double right = Dot(vjp(x, u).Gradient, v);
            Assert.True(Math.Abs(left - right) <= 1e-12 * Math.Max(1, Math.Abs(left)), $"dot-product test: <u, Jv> = {left}, <J^T u, v> = {right}");
        }
    }

    /// <summary>The scalar-result case of <see cref="Vector"/>.</summary>
    public static void Scalar(
        Func<double[], double> f,
        Func<double[], double[], (double Value, double Tangent)> jvp,
        Func<double[], double, (double Value, double[] Gradient)> vjp,
        params double[][] points) =>
        Vector(
            x => [f(x)],
            (x, v) => jvp(x, v) is var r ? ([r.Value], [r.Tangent]) : default,
            (x, u) => vjp(x, u[0]) is var r ? ([r.Value], r.Gradient) : default,
            points);

    public static void AssertClose(double expected, double actual, string what, double tolerance = 1e-6)
    {
        Assert.False(double.IsNaN(actual), $"{what} is NaN");
        Assert.True(
            Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)),
            $"{what}: finite differences give {expected}, the generated derivative {actual}");
    }

    private static double[] Unit(int n, int i)
    {
        var e = new double[n];
        e[i] = 1;
        return e;
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();
}
