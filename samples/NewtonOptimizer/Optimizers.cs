using System.Diagnostics;

namespace NewtonOptimizer;

/// <summary>The value of a function at x, with its gradient written into <c>gradient</c> (overwritten, not added to).</summary>
public delegate double GradientFunction(double[] x, Span<double> gradient);

/// <summary>
/// The value of a function at x, its gradient written into <c>gradient</c> and the Hessian-vector product H(x)·v into
/// <c>product</c> (both overwritten, not added to).
/// </summary>
public delegate double HvpFunction(double[] x, ReadOnlySpan<double> v, Span<double> gradient, Span<double> product);

/// <summary>A smooth function of <see cref="Dimension"/> variables as the optimizers see it, built from generated derivatives.</summary>
public sealed record Problem(string Name, int Dimension, Func<double[], double> Value, GradientFunction Gradient, HvpFunction Hvp);

/// <summary>What an optimizer did: how often it evaluated what, where it stopped, and whether it got there.</summary>
public sealed record OptimizationResult(
    string Method, int Iterations, int Values, int Gradients, int HvpProducts,
    double[] X, double Value, double GradientNorm, bool Converged, TimeSpan Elapsed);

/// <summary>
/// Two unconstrained minimizers. Both stop when ‖∇f‖ falls below the tolerance or after an iteration cap, and both
/// accept a step only when it decreases f enough: Newton–CG by a trust region, gradient descent by a line search.
/// </summary>
public static class Optimizers
{
    /// <summary>The Armijo condition of the line search: f(x + t·p) ≤ f(x) + c·t·∇f·p with this c.</summary>
    private const double Armijo = 1e-4;

    /// <summary>The trust region's largest radius, and the part of the predicted decrease a step must achieve.</summary>
    private const double MaxRadius = 100;
    private const double AcceptStep = 0.1;

    /// <summary>Steps and trust radii smaller than this are not tried: f cannot decrease any more in rounding.</summary>
    private const double SmallestStep = 1e-20;

    /// <summary>
    /// Truncated Newton (Newton–CG) in a trust region. Each outer iteration minimizes the quadratic model
    /// m(p) = ∇f·p + ½ pᵀHp approximately, by conjugate gradients on H·p = −∇f, within the radius Δ where the model is
    /// trusted. CG needs H only through products H·d, one <c>{M}Hvp</c> sweep each: the Hessian is never formed. CG
    /// stops (Steihaug's rules) when its residual falls below η·‖∇f‖ with η = min(0.5, √‖∇f‖) (loose far from the
    /// minimum, tight near it, which makes the convergence superlinear), when a step would leave the region, or when it
    /// meets a direction of non-positive curvature, where H is not positive definite; in the last two cases it goes to
    /// the region's edge. The step is taken only if f decreases by a fair part of what the model predicts, and Δ
    /// shrinks or grows by how well the model predicted f.
    /// </summary>
    public static OptimizationResult NewtonCg(Problem problem, double[] start, double tolerance, int maxIterations)
    {
        var clock = Stopwatch.StartNew();
        int n = problem.Dimension;
        double[] x = (double[])start.Clone();
        double[] gradient = new double[n];
        double[] step = new double[n];
        double[] residual = new double[n];
        double[] direction = new double[n];
        double[] product = new double[n];
        double[] scratch = new double[n];  // Hvp also returns the gradient, which CG does not need
        double[] trial = new double[n];
        int values = 0, hvps = 0, iterations = 0;
        double radius = 1;

        double f = problem.Gradient(x, gradient);
        int gradients = 1;
        while (Norm(gradient) >= tolerance && iterations < maxIterations)
        {
            iterations++;

            // Conjugate gradients on H·p = −g from p = 0: step p, residual r = H·p + g, search direction d.
            double gradientNorm = Norm(gradient);
            double target = Math.Min(0.5, Math.Sqrt(gradientNorm)) * gradientNorm;
            Array.Clear(step);
            Array.Copy(gradient, residual, n);
            for (int i = 0; i < n; i++)
            {
                direction[i] = -residual[i];
            }

            double residualSquared = Dot(residual, residual);
            bool onEdge = false;
            for (int cg = 0; cg < n; cg++)
            {
                problem.Hvp(x, direction, scratch, product);
                hvps++;
                double curvature = Dot(direction, product);
                double alpha = residualSquared / curvature;
                if (curvature <= 0 || StepLength(step, direction, alpha) >= radius)
                {
                    // Negative curvature, or a step out of the region: follow d to the region's edge.
                    double tau = ToEdge(step, direction, radius);
                    for (int i = 0; i < n; i++)
                    {
                        step[i] += tau * direction[i];
                        residual[i] += tau * product[i];
                    }

                    onEdge = true;
                    break;
                }

                for (int i = 0; i < n; i++)
                {
                    step[i] += alpha * direction[i];
                    residual[i] += alpha * product[i];
                }

                double nextResidualSquared = Dot(residual, residual);
                if (Math.Sqrt(nextResidualSquared) < target)
                {
                    break;
                }

                double beta = nextResidualSquared / residualSquared;
                residualSquared = nextResidualSquared;
                for (int i = 0; i < n; i++)
                {
                    direction[i] = -residual[i] + beta * direction[i];
                }
            }

            // The model's predicted decrease −m(p); since r = H·p + g, pᵀHp = pᵀ(r − g) and m(p) = ½ p·(g + r).
            double predicted = 0;
            for (int i = 0; i < n; i++)
            {
                predicted -= 0.5 * step[i] * (gradient[i] + residual[i]);
                trial[i] = x[i] + step[i];
            }

            double trialValue = problem.Value(trial);
            values++;
            double agreement = (f - trialValue) / predicted;
            if (agreement < 0.25)
            {
                radius = 0.25 * Norm(step);
            }
            else if (agreement > 0.75 && onEdge)
            {
                radius = Math.Min(2 * radius, MaxRadius);
            }

            if (agreement > AcceptStep)
            {
                Array.Copy(trial, x, n);
                f = problem.Gradient(x, gradient);
                gradients++;
            }
            else if (radius < SmallestStep)
            {
                break;  // f cannot decrease any more in rounding
            }
        }

        return new OptimizationResult("Newton-CG", iterations, values, gradients, hvps, x, f, Norm(gradient), Norm(gradient) < tolerance, clock.Elapsed);
    }

    /// <summary>‖p + α·d‖.</summary>
    private static double StepLength(double[] p, double[] d, double alpha)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            sum += (p[i] + alpha * d[i]) * (p[i] + alpha * d[i]);
        }

        return Math.Sqrt(sum);
    }

    /// <summary>The τ ≥ 0 with ‖p + τ·d‖ = radius, for ‖p‖ &lt; radius: the positive root of a quadratic in τ.</summary>
    private static double ToEdge(double[] p, double[] d, double radius)
    {
        double dd = Dot(d, d), pd = Dot(p, d), pp = Dot(p, p);
        return (-pd + Math.Sqrt(pd * pd + dd * (radius * radius - pp))) / dd;
    }

    /// <summary>
    /// Gradient descent: step along −∇f with a backtracking line search. Each search starts from twice the last
    /// accepted step, so the step length adapts to the function instead of starting from 1 every time.
    /// </summary>
    public static OptimizationResult GradientDescent(Problem problem, double[] start, double tolerance, int maxIterations)
    {
        var clock = Stopwatch.StartNew();
        int n = problem.Dimension;
        double[] x = (double[])start.Clone();
        double[] gradient = new double[n];
        double[] step = new double[n];
        double[] trial = new double[n];
        int values = 0, iterations = 0;
        double t = 1;

        double f = problem.Gradient(x, gradient);
        int gradients = 1;
        while (Norm(gradient) >= tolerance && iterations < maxIterations)
        {
            iterations++;
            for (int i = 0; i < n; i++)
            {
                step[i] = -gradient[i];
            }

            if (!LineSearch(problem, x, f, gradient, step, Math.Min(1, 2 * t), trial, ref values, out t, out f))
            {
                break;
            }

            Array.Copy(trial, x, n);
            f = problem.Gradient(x, gradient);
            gradients++;
        }

        return new OptimizationResult("gradient descent", iterations, values, gradients, 0, x, f, Norm(gradient), Norm(gradient) < tolerance, clock.Elapsed);
    }

    /// <summary>
    /// Halves t from <paramref name="firstStep"/> until x + t·step satisfies the Armijo condition; the accepted point is
    /// left in <paramref name="trial"/> and its value in <paramref name="trialValue"/>. False when no step was found.
    /// </summary>
    private static bool LineSearch(Problem problem, double[] x, double f, double[] gradient, double[] step, double firstStep,
        double[] trial, ref int values, out double t, out double trialValue)
    {
        double slope = Dot(gradient, step);  // negative: step is a descent direction
        for (t = firstStep; t >= SmallestStep; t /= 2)
        {
            for (int i = 0; i < x.Length; i++)
            {
                trial[i] = x[i] + t * step[i];
            }

            trialValue = problem.Value(trial);
            values++;
            if (trialValue <= f + Armijo * t * slope)
            {
                return true;
            }
        }

        trialValue = f;
        return false;
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    public static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));
}
