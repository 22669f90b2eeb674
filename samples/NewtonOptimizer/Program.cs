using System.Globalization;
using NewtonOptimizer;

// Second-order optimization with generated derivatives. Objectives.cs marks three functions [Differentiable(Order = 2)];
// the generator adds to each a gradient ({M}Gradient), Hessian-vector products ({M}Hvp) and the full Hessian
// ({M}Hessian). Two uses of them:
//  1. Newton-CG (truncated Newton) on the Rosenbrock function in 2 and 100 dimensions: conjugate gradients solve each
//     Newton system with Hvp products only, so the 100 x 100 Hessian is never formed. Gradient descent with a
//     backtracking line search, given the gradient only, runs alongside for comparison.
//  2. A logistic regression fitted by Newton's method, with the whole (6 x 6) Hessian from LogisticLossHessian.
// Every figure printed is deterministic except the wall times.

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;  // numbers print the same on every machine

const double Tolerance = 1e-8;           // stop when |gradient| < Tolerance
const int NewtonIterations = 1000;
const int DescentIterations = 20_000;
bool allGood = true;

// The generated members add into the caller's gradient and product spans, and take them for every input, so the
// problems clear them first. Rosenbrock2 has two scalar inputs: its derivatives come back as out parameters.
var rosenbrock2 = new Problem("Rosenbrock", 2,
    x => Objectives.Rosenbrock2(x[0], x[1]),
    (x, g) => Objectives.Rosenbrock2Gradient(x[0], x[1], out g[0], out g[1]),
    (x, v, g, hv) => Objectives.Rosenbrock2Hvp(x[0], x[1], v[0], v[1], out g[0], out g[1], out hv[0], out hv[1]));
var rosenbrock100 = ArrayRosenbrock(100);

Console.WriteLine($"Minimizing Rosenbrock's function from (-1.2, 1, -1.2, 1, ...); the minimum is 0 at (1, ..., 1).");
Console.WriteLine($"Both methods stop when |gradient| < {Tolerance:0E+0}; Newton-CG after {NewtonIterations} iterations, gradient descent after {DescentIterations}.");
// In 100 dimensions the terms chain x1 to x2 to ... x100: the valley down to (1, ..., 1) is long and bends in every
// coordinate, so even Newton-CG's trust region stays small along it and the solve takes hundreds of steps.
foreach (Problem problem in new[] { rosenbrock2, rosenbrock100 })
{
    double[] start = Enumerable.Range(0, problem.Dimension).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();
    Console.WriteLine();
    Console.WriteLine($"{problem.Name}, n = {problem.Dimension}");
    Console.WriteLine($"  {"method",-17} {"iterations",10} {"f values",9} {"gradients",9} {"Hvps",6} {"f(x)",9} {"|x - 1|",9} {"|gradient|",10}  converged  time");
    OptimizationResult newton = Optimizers.NewtonCg(problem, start, Tolerance, NewtonIterations);
    OptimizationResult descent = Optimizers.GradientDescent(problem, start, Tolerance, DescentIterations);
    foreach (OptimizationResult result in new[] { newton, descent })
    {
        double distance = Math.Sqrt(result.X.Sum(xi => (xi - 1) * (xi - 1)));
        Console.WriteLine($"  {result.Method,-17} {result.Iterations,10} {result.Values,9} {result.Gradients,9} {result.HvpProducts,6} "
            + $"{E1(result.Value),9} {E1(distance),9} {E1(result.GradientNorm),10}  {(result.Converged ? "yes" : "NO"),-9}  {result.Elapsed.TotalMilliseconds:0.0} ms");
    }

    int rejected = newton.Iterations - (newton.Gradients - 1);  // a gradient is evaluated after each accepted step
    Console.WriteLine($"  Newton-CG: {rejected} of its {newton.Iterations} trust-region steps rejected, {(double)newton.HvpProducts / newton.Iterations:F1} Hvp products per iteration.");
    allGood &= newton.Converged;
    if (!descent.Converged)
    {
        Console.WriteLine($"  Gradient descent stopped at its cap of {descent.Iterations} iterations without reaching |gradient| < {Tolerance:0E+0}:");
        Console.WriteLine("  it zigzags down the curved, narrow valley, whose Hessian is badly conditioned; Newton-CG's steps follow it.");
    }
}

Console.WriteLine();
allGood &= LogisticRegression();
Console.WriteLine();
Console.WriteLine($"Newton-CG converged on both Rosenbrock problems and the logistic fit passed its checks: {(allGood ? "yes" : "NO")}");
if (!allGood)
{
    Environment.ExitCode = 1;
}

// The n-D Rosenbrock function of Objectives.cs, which takes an array: its gradient and Hessian-vector products are
// spans of the array's length.
static Problem ArrayRosenbrock(int n) => new("Rosenbrock", n,
    Objectives.Rosenbrock,
    (x, g) =>
    {
        g.Clear();
        return Objectives.RosenbrockGradient(x, g);
    },
    (x, v, g, hv) =>
    {
        g.Clear();
        hv.Clear();
        return Objectives.RosenbrockHvp(x, v, g, hv);
    });

// Logistic regression on synthetic data, fitted by Newton's method: w ← w + Δ with H·Δ = −∇loss, H and ∇loss generated.
static bool LogisticRegression()
{
    const int Samples = 500;
    const int Seed = 2024;
    string[] names = ["intercept", "x1", "x2", "x3", "x4", "x5"];
    double[] trueWeights = [-0.5, 1.5, -2.0, 0.8, 0.0, -1.0];
    int d = trueWeights.Length;

    // Each sample: a 1 for the intercept and five standard normal features; its label is 1 with probability σ(x·w).
    var random = new Random(Seed);
    double[] features = new double[Samples * d];
    double[] labels = new double[Samples];
    for (int i = 0; i < Samples; i++)
    {
        features[i * d] = 1;
        for (int j = 1; j < d; j++)
        {
            features[i * d + j] = StandardNormal(random);
        }

        double z = Optimizers.Dot(features.AsSpan(i * d, d), trueWeights);
        labels[i] = random.NextDouble() < Sigmoid(z) ? 1 : 0;
    }

    Console.WriteLine($"Logistic regression: {Samples} samples of 5 standard normal features and an intercept, labels drawn from the true weights (seed {Seed})");
    Console.WriteLine("  Newton's method from w = 0; each step solves H·Δ = -gradient with a Cholesky factorization of LogisticLossHessian");
    Console.WriteLine($"  {"iteration",9}  {"loss",12}  {"|gradient|",10}");
    double[] w = new double[d];
    double[] gradient = new double[d];
    int iteration = 0;
    while (true)
    {
        // The gradient is added into the span, so it is cleared first.
        Array.Clear(gradient);
        double loss = Objectives.LogisticLossGradient(w, features, labels, gradient);
        double gradientNorm = Optimizers.Norm(gradient);
        Console.WriteLine($"  {iteration,9}  {loss,12:F6}  {Small(gradientNorm),10}");
        if (gradientNorm < 1e-8 || iteration == 50)
        {
            break;
        }

        double[,] hessian = Objectives.LogisticLossHessian(w, features, labels);
        double[] delta = new Cholesky(hessian).Solve(gradient.Select(g => -g).ToArray());
        for (int j = 0; j < d; j++)
        {
            w[j] += delta[j];
        }

        iteration++;
    }

    double finalNorm = Optimizers.Norm(gradient);
    bool converged = finalNorm < 1e-8;
    Console.WriteLine($"  {(converged ? "converged" : "NOT converged")} after {iteration} Newton steps: |gradient| < 1e-8: {(converged ? "yes" : "NO")}");

    // The fitted weights estimate the true ones from 500 noisy labels, so they differ by sampling error. The inverse
    // Hessian at the fit estimates that error's covariance: its diagonal gives each weight's standard error.
    double[,] fittedHessian = Objectives.LogisticLossHessian(w, features, labels);
    var factor = new Cholesky(fittedHessian);
    Console.WriteLine($"  {"weight",-9}  {"true",6}  {"fitted",8}  {"std. error",10}  {"(fitted - true) / std. error",28}");
    bool withinThree = true;
    for (int j = 0; j < d; j++)
    {
        double[] unit = new double[d];
        unit[j] = 1;
        double standardError = Math.Sqrt(factor.Solve(unit)[j]);
        double score = (w[j] - trueWeights[j]) / standardError;
        withinThree &= Math.Abs(score) < 3;
        Console.WriteLine($"  {names[j],-9}  {trueWeights[j],6:F2}  {w[j],8:F4}  {standardError,10:F4}  {score,28:F2}");
    }

    Console.WriteLine($"  every fitted weight within 3 standard errors of the true one: {(withinThree ? "yes" : "NO")}");

    // The Hessian of this loss is known in closed form, Xᵀ·diag(p(1 - p))·X with p = σ(X·w): compare at the fit.
    double largestDifference = 0, largestEntry = 0;
    for (int j = 0; j < d; j++)
    {
        for (int k = 0; k < d; k++)
        {
            double analytic = 0;
            for (int i = 0; i < Samples; i++)
            {
                double p = Sigmoid(Optimizers.Dot(features.AsSpan(i * d, d), w));
                analytic += features[i * d + j] * p * (1 - p) * features[i * d + k];
            }

            largestDifference = Math.Max(largestDifference, Math.Abs(fittedHessian[j, k] - analytic));
            largestEntry = Math.Max(largestEntry, Math.Abs(analytic));
        }
    }

    // Exp and Log round differently on different platforms, so the bound is printed, not the last digits.
    bool hessianAgrees = largestDifference < 1e-10 * largestEntry;
    Console.WriteLine($"  LogisticLossHessian against X^T diag(p(1 - p)) X at the fit (largest entry {largestEntry:F3}):");
    Console.WriteLine($"    max |difference| {Small(largestDifference)}, below 1e-10 of the largest entry: {(hessianAgrees ? "yes" : "NO")}");
    return converged && withinThree && hessianAgrees;
}

// A standard normal deviate by the Box–Muller transform.
static double StandardNormal(Random random)
{
    double u = 1 - random.NextDouble();  // in (0, 1]: its logarithm is finite
    double v = random.NextDouble();
    return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
}

static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

static string E1(double value) => value.ToString("0.0E+00");

// Values that only rounding decides are shown by the power of ten they are below, not by their digits.
static string Small(double value) => value < 1e-9 ? $"< 1e{Math.Ceiling(Math.Log10(Math.Max(value, 1e-300))):0}" : E1(value);
