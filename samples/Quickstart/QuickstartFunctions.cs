using Differentiable;

namespace Quickstart;

/// <summary>
/// Three small functions marked <c>[Differentiable]</c>, their generated Jacobians and gradient, and the same
/// derivatives worked out by hand for comparison.
/// </summary>
/// <remarks>
/// For each <c>[Differentiable]</c> method <c>M</c> the generator adds <c>MJvp</c> (forward mode: the value and
/// the directional derivative along given input tangents), <c>MVjp</c> (reverse mode: the value, and the
/// input cotangents for a given output cotangent) and <c>MJacobian</c> (the whole matrix in one call: forward
/// mode by columns when there are at least as many outputs as inputs, else reverse mode by rows); for a scalar
/// result it also adds <c>MGradient</c>. These three are scalar functions (loops and arrays work too: see
/// samples/Sensitivities). <see cref="JacobianOfFByColumns"/> shows what <c>FJacobian</c> does, one <c>FJvp</c> per column.
/// </remarks>
public static partial class QuickstartFunctions
{
    // ---- The functions -------------------------------------------------------------------------------

    /// <summary>f(x0, x1) = (x0² + x1, x0·x1, sin x0 + cos x1).</summary>
    [Differentiable]
    public static (double Y0, double Y1, double Y2) F(double x0, double x1) =>
        (x0 * x0 + x1, x0 * x1, Math.Sin(x0) + Math.Cos(x1));

    /// <summary>g(x0, x1, x2) = (x0·x1 + x2², x0³ − x1·x2, exp x0 + sin x1 − x2, x0 + x1 + x2).</summary>
    [Differentiable]
    public static (double Y0, double Y1, double Y2, double Y3) G(double x0, double x1, double x2) =>
        (x0 * x1 + x2 * x2, x0 * x0 * x0 - x1 * x2, Math.Exp(x0) + Math.Sin(x1) - x2, x0 + x1 + x2);

    /// <summary>h(x0, x1) = y1² + y2² with y1 = x0² + x1 and y2 = x0·x1.</summary>
    [Differentiable]
    public static double H(double x0, double x1)
    {
        double y1 = x0 * x0 + x1;
        double y2 = x0 * x1;
        return y1 * y1 + y2 * y2;
    }

    // ---- Derivatives from the generated code -----------------------------------------------------------

    /// <summary>The 3×2 Jacobian of f in one call: FJacobian takes its columns by forward mode (3 outputs ≥ 2 inputs).</summary>
    public static double[,] JacobianOfF(double x0, double x1) => FJacobian(x0, x1);

    /// <summary>The 4×3 Jacobian of g in one call (4 outputs ≥ 3 inputs: columns by forward mode, too).</summary>
    public static double[,] JacobianOfG(double x0, double x1, double x2) => GJacobian(x0, x1, x2);

    /// <summary>What FJacobian does, by hand: FJvp with tangent e_j gives column j.</summary>
    public static double[,] JacobianOfFByColumns(double x0, double x1)
    {
        var jacobian = new double[3, 2];
        for (int j = 0; j < 2; j++)
        {
            var (_, column) = FJvp(x0, x1, dx0: j == 0 ? 1 : 0, dx1: j == 1 ? 1 : 0);
            jacobian[0, j] = column.Y0;
            jacobian[1, j] = column.Y1;
            jacobian[2, j] = column.Y2;
        }

        return jacobian;
    }

    /// <summary>The 4×3 Jacobian of g, row by row in reverse mode: GVjp with cotangent e_i gives row i.</summary>
    public static double[,] JacobianOfGByRows(double x0, double x1, double x2)
    {
        var jacobian = new double[4, 3];
        for (int i = 0; i < 4; i++)
        {
            var cotangent = (i == 0 ? 1.0 : 0, i == 1 ? 1.0 : 0, i == 2 ? 1.0 : 0, i == 3 ? 1.0 : 0);
            GVjp(x0, x1, x2, cotangent, out double dx0, out double dx1, out double dx2);
            jacobian[i, 0] = dx0;
            jacobian[i, 1] = dx1;
            jacobian[i, 2] = dx2;
        }

        return jacobian;
    }

    /// <summary>The gradient of h in one reverse pass.</summary>
    public static double[] GradientOfH(double x0, double x1)
    {
        HGradient(x0, x1, out double dx0, out double dx1);
        return [dx0, dx1];
    }

    // ---- The same derivatives by hand ----------------------------------------------------------------

    /// <summary>
    /// ∂(x0² + x1) = (2·x0, 1); ∂(x0·x1) = (x1, x0); ∂(sin x0 + cos x1) = (cos x0, −sin x1).
    /// </summary>
    public static double[,] HandJacobianOfF(double x0, double x1) => new double[,]
    {
        { 2 * x0, 1 },
        { x1, x0 },
        { Math.Cos(x0), -Math.Sin(x1) },
    };

    /// <summary>
    /// ∂(x0·x1 + x2²) = (x1, x0, 2·x2); ∂(x0³ − x1·x2) = (3·x0², −x2, −x1);
    /// ∂(exp x0 + sin x1 − x2) = (exp x0, cos x1, −1); ∂(x0 + x1 + x2) = (1, 1, 1).
    /// </summary>
    public static double[,] HandJacobianOfG(double x0, double x1, double x2) => new double[,]
    {
        { x1, x0, 2 * x2 },
        { 3 * x0 * x0, -x2, -x1 },
        { Math.Exp(x0), Math.Cos(x1), -1 },
        { 1, 1, 1 },
    };

    /// <summary>
    /// h = (x0² + x1)² + (x0·x1)², so by the chain rule
    /// ∂h/∂x0 = 2(x0² + x1)·2x0 + 2(x0·x1)·x1 and ∂h/∂x1 = 2(x0² + x1)·1 + 2(x0·x1)·x0.
    /// </summary>
    public static double[] HandGradientOfH(double x0, double x1)
    {
        double y1 = x0 * x0 + x1;
        double y2 = x0 * x1;
        return [2 * y1 * 2 * x0 + 2 * y2 * x1, 2 * y1 + 2 * y2 * x0];
    }

    // ---- Array adapters, for FiniteDifferences -----------------------------------------------------------

    /// <summary>f on an array: x = [x0, x1] ↦ [y0, y1, y2].</summary>
    public static double[] FOfArray(double[] x)
    {
        var (y0, y1, y2) = F(x[0], x[1]);
        return [y0, y1, y2];
    }

    /// <summary>g on an array: x = [x0, x1, x2] ↦ [y0, y1, y2, y3].</summary>
    public static double[] GOfArray(double[] x)
    {
        var (y0, y1, y2, y3) = G(x[0], x[1], x[2]);
        return [y0, y1, y2, y3];
    }

    /// <summary>h on an array: x = [x0, x1] ↦ h(x0, x1).</summary>
    public static double HOfArray(double[] x) => H(x[0], x[1]);
}
