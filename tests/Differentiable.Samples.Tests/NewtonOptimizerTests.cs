using System.Globalization;
using System.Text.RegularExpressions;

namespace Differentiable.Samples.Tests;

/// <summary>
/// What samples/NewtonOptimizer claims, read from its console output (the samples are run, not referenced): Newton-CG
/// reaches the minimum of the 100-D Rosenbrock function, which gradient descent does not within its cap, and Newton's
/// method fits the logistic regression to a vanishing gradient in a few steps.
/// </summary>
public partial class NewtonOptimizerTests
{
    private static readonly Lazy<string> Output = new(() =>
    {
        ProcessResult run = Samples.Run(Samples.Build("NewtonOptimizer"));
        Assert.True(run.ExitCode == 0, $"samples/NewtonOptimizer failed: {run.Describe()}");
        return run.StandardOutput.ReplaceLineEndings("\n");
    });

    [Fact]
    public void NewtonCg_ReachesTheMinimumOf100DRosenbrock_GradientDescentDoesNot()
    {
        Row newton = RowOf("Rosenbrock, n = 100", "Newton-CG");
        Row descent = RowOf("Rosenbrock, n = 100", "gradient descent");

        Assert.True(newton.Converged, "Newton-CG did not converge");
        Assert.True(newton.DistanceToMinimum < 1e-6, $"Newton-CG stopped {newton.DistanceToMinimum} from (1, ..., 1)");
        Assert.True(newton.Iterations < 1000, $"Newton-CG took {newton.Iterations} iterations");

        // Gradient descent runs into its cap far from the minimum, having evaluated more gradients than Newton-CG
        // evaluated gradients and Hvp products together.
        Assert.False(descent.Converged);
        Assert.Equal(20_000, descent.Iterations);
        Assert.True(descent.DistanceToMinimum > 1e-3, $"gradient descent got within {descent.DistanceToMinimum}");
        Assert.True(newton.Gradients + newton.HvpProducts < descent.Gradients);
    }

    [Fact]
    public void NewtonCg_Solves2DRosenbrockInFewIterations()
    {
        Row newton = RowOf("Rosenbrock, n = 2", "Newton-CG");
        Assert.True(newton.Converged && newton.DistanceToMinimum < 1e-8 && newton.Iterations < 50,
            $"Newton-CG: {newton.Iterations} iterations, |x - 1| = {newton.DistanceToMinimum}");
    }

    [Fact]
    public void LogisticFit_ReachesAVanishingGradientInFewNewtonSteps()
    {
        Match summary = LogisticSummary().Match(Output.Value);
        Assert.True(summary.Success, "no logistic regression summary in the output");
        Assert.True(int.Parse(summary.Groups["steps"].Value, CultureInfo.InvariantCulture) <= 10);

        // The last row of the iteration table is the final gradient norm: a number, or "< 1e-k" for a tiny one.
        string[] table = Output.Value[..summary.Index].TrimEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string last = table[^1];
        Match norm = GradientNorm().Match(last);
        Assert.True(norm.Success, $"unexpected last iteration row: {last}");
        double value = double.Parse(norm.Groups["value"].Value, CultureInfo.InvariantCulture);
        Assert.True(value <= 1e-8, $"final |gradient| {norm.Value}");

        Assert.Contains("every fitted weight within 3 standard errors of the true one: yes", Output.Value);
        Assert.Contains("below 1e-10 of the largest entry: yes", Output.Value);
    }

    private sealed record Row(int Iterations, int Gradients, int HvpProducts, double DistanceToMinimum, bool Converged);

    /// <summary>The method's row of the table under the section header.</summary>
    private static Row RowOf(string section, string method)
    {
        string output = Output.Value;
        int start = output.IndexOf(section + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {section}");
        string line = output[start..].Split('\n').First(l => l.TrimStart().StartsWith(method + "  ", StringComparison.Ordinal));

        // method, iterations, f values, gradients, Hvps, f(x), |x - 1|, |gradient|, converged, time
        string[] columns = line[(line.IndexOf(method, StringComparison.Ordinal) + method.Length)..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new Row(
            int.Parse(columns[0], CultureInfo.InvariantCulture),
            int.Parse(columns[2], CultureInfo.InvariantCulture),
            int.Parse(columns[3], CultureInfo.InvariantCulture),
            double.Parse(columns[5], CultureInfo.InvariantCulture),
            columns[7] == "yes");
    }

    [GeneratedRegex(@"converged after (?<steps>\d+) Newton steps")]
    private static partial Regex LogisticSummary();

    [GeneratedRegex(@"(?<![\d.])(<\s*)?(?<value>\d(\.\d+)?E[+-]\d+|1e-?\d+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex GradientNorm();
}
