using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Generator.Tests;

/// <summary>
/// Random programs (<see cref="RandomPrograms"/>): loops, branches, the conditional operator, in-place arrays, ref locals
/// and helper calls. The generator must accept every one of them, the analyzer must agree, the generated code must
/// compile, and each derivative must be exact: every entry point returns the primal's value bit for bit and leaves the
/// arrays as the primal does; forward mode (by columns) and reverse mode (by rows) agree with each other and with central
/// finite differences wherever the function is smooth at the point; {M}Jacobian (widened sweeps where the function has
/// them) gives the same matrix in one call; and the dot-product test holds.
/// </summary>
/// <remarks>
/// A longer run with any seed: <c>DIFFERENTIABLE_RANDOM_SEED=777 DIFFERENTIABLE_RANDOM_COUNT=2000 dotnet test
/// tests/Differentiable.Generator.Tests -c Release --filter RandomProgramTests</c>.
/// </remarks>
public class RandomProgramTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Count = 3; // the value of a function's int n

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        if (int.TryParse(Environment.GetEnvironmentVariable("DIFFERENTIABLE_RANDOM_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed))
        {
            seeds.Add(seed);
        }
        else
        {
            seeds.Add(1);
            seeds.Add(2);
            seeds.Add(3);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomPrograms_AreAcceptedAndExact(int seed)
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("DIFFERENTIABLE_RANDOM_COUNT"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 60;
        List<RandomPrograms.Function> functions = RandomPrograms.Write(seed, count);
        string className = "Random" + seed.ToString(CultureInfo.InvariantCulture);
        string source = RandomPrograms.Class(className, functions);
        if (count >= 60)
        {
            // The constructs the writer is meant to exercise all occur: a change that dropped one would otherwise go unnoticed.
            string bodies = string.Concat(functions.Select(f => f.Source));
            Assert.Contains("out double o", bodies, StringComparison.Ordinal);
            Assert.Contains(", ref ", bodies, StringComparison.Ordinal);
            Assert.Matches(@"foreach \(double e\d+ in \w+\)\s*\{\s*if \([^\n]*\)\s*\{\s*break;", bodies);
        }

        // 1. The generator accepts every function, the analyzer agrees, and the generated code compiles.
        CSharpCompilation input = TestCompilation.Create(LanguageVersion.CSharp14, source);
        Assert.Empty(input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        TestCompilation.Run run = TestCompilation.RunGenerator(input);
        var analyzer = TestCompilation.Analyze(input).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(run.GeneratorDiagnostics.IsEmpty && analyzer.Count == 0,
            "rejected:\n" + TestCompilation.Format(run.GeneratorDiagnostics.Concat(analyzer)) + "\n" + Excerpt(source, run.GeneratorDiagnostics.Concat(analyzer)));
        var errors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the generated code does not compile:\n" + TestCompilation.Format(errors.Take(10)));

        // 2. Every function, at two points: values, effects, derivatives.
        CSharpCompilation withWrappers = (CSharpCompilation)run.Output.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText(RandomPrograms.Wrappers(className, functions, Count), (CSharpParseOptions)input.SyntaxTrees.First().Options));
        Assembly assembly = TestCompilation.Load(withWrappers);
        Type wrappers = assembly.GetType(className + "Wrappers")!;
        var failures = new ConcurrentBag<string>();
        int checkedEntries = 0, nonSmooth = 0;
        var random = new Random(seed);
        foreach (RandomPrograms.Function function in functions)
        {
            var points = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, function.Inputs).Select(_ => Math.Round(random.NextDouble() * 2 - 1, 3)).ToArray()).ToList();
            foreach (double[] x in points)
            {
                try
                {
                    (int entries, int skipped) = Check(wrappers, function, x, failures);
                    checkedEntries += entries;
                    nonSmooth += skipped;
                }
                catch (TargetInvocationException exception)
                {
                    failures.Add($"{function.Name} at ({string.Join(", ", x)}): {exception.InnerException}");
                }
            }
        }

        output.WriteLine($"seed {seed}: {functions.Count} functions, {checkedEntries} Jacobian entries checked against finite differences, {nonSmooth} skipped as non-smooth at the point.");
        Assert.True(failures.IsEmpty, $"{failures.Count} failures:\n" + string.Join("\n", failures.Take(8)) + "\n\n" + SourceOf(functions, failures));
    }

    /// <summary>Checks one function at one point; returns how many Jacobian entries were compared with finite differences, and how many were not.</summary>
    private static (int Checked, int Skipped) Check(Type wrappers, RandomPrograms.Function f, double[] x, ConcurrentBag<string> failures)
    {
        MethodInfo primal = wrappers.GetMethod(f.Name + "_Primal")!, jvp = wrappers.GetMethod(f.Name + "_Jvp")!, vjp = wrappers.GetMethod(f.Name + "_Vjp")!;
        double[] Primal(double[] at) => (double[])primal.Invoke(null, [at.Clone()])!;
        double[] value = Primal(x);
        if (value.Any(v => !double.IsFinite(v) || Math.Abs(v) > 1e6))
        {
            return (0, 0); // far from where finite differences mean anything
        }

        string at = $"{f.Name} at ({string.Join(", ", x)})";
        int n = f.Inputs, m = f.Outputs;
        var forward = new double[m, n];
        var reverse = new double[m, n];
        for (int j = 0; j < n; j++)
        {
            object?[] arguments = [x.Clone(), Unit(n, j), null];
            var forwardValue = (double[])jvp.Invoke(null, arguments)!;
            if (!forwardValue.SequenceEqual(value))
            {
                failures.Add($"{at}: Jvp returns or leaves ({string.Join(", ", forwardValue)}), the primal ({string.Join(", ", value)})");
                return (0, 0);
            }

            var column = (double[])arguments[2]!;
            for (int i = 0; i < m; i++)
            {
                forward[i, j] = column[i];
            }
        }

        for (int i = 0; i < m; i++)
        {
            object?[] arguments = [x.Clone(), Unit(m, i), null];
            var reverseValue = (double[])vjp.Invoke(null, arguments)!;
            if (!reverseValue.SequenceEqual(value))
            {
                failures.Add($"{at}: Vjp returns or leaves ({string.Join(", ", reverseValue)}), the primal ({string.Join(", ", value)})");
                return (0, 0);
            }

            var row = (double[])arguments[2]!;
            for (int j = 0; j < n; j++)
            {
                reverse[i, j] = row[j];
            }
        }

        // Forward and reverse mode agree; both agree with central differences where two step sizes agree (smooth there).
        int compared = 0, skipped = 0;
        for (int j = 0; j < n; j++)
        {
            double[] Shifted(double h)
            {
                var p = (double[])x.Clone();
                p[j] += h;
                return Primal(p);
            }

            double[] plus = Shifted(1e-6), minus = Shifted(-1e-6), plus2 = Shifted(1e-4), minus2 = Shifted(-1e-4);
            for (int i = 0; i < m; i++)
            {
                if (!Close(forward[i, j], reverse[i, j], 1e-9))
                {
                    failures.Add($"{at}: J[{i},{j}] is {forward[i, j]} by forward mode and {reverse[i, j]} by reverse mode");
                    continue;
                }

                double fd = (plus[i] - minus[i]) / 2e-6, fd2 = (plus2[i] - minus2[i]) / 2e-4;
                if (!Close(fd, fd2, 1e-4) || !double.IsFinite(fd))
                {
                    skipped++;
                    continue;
                }

                compared++;
                if (!Close(fd, forward[i, j], 1e-5))
                {
                    failures.Add($"{at}: J[{i},{j}] is {forward[i, j]} by both modes, finite differences give {fd}");
                }
            }
        }

        // {M}Jacobian: the same matrix in one call (by widened sweeps where it has them), the same value and effects.
        MethodInfo jacobianMethod = wrappers.GetMethod(f.Name + "_Jacobian")!;
        object?[] jacobianArguments = [x.Clone(), null];
        var jacobianValue = (double[])jacobianMethod.Invoke(null, jacobianArguments)!;
        if (!jacobianValue.SequenceEqual(value))
        {
            failures.Add($"{at}: Jacobian returns or leaves ({string.Join(", ", jacobianValue)}), the primal ({string.Join(", ", value)})");
        }

        var jacobian = (double[])jacobianArguments[1]!;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (!Close(forward[i, j], jacobian[i * n + j], 1e-9))
                {
                    failures.Add($"{at}: J[{i},{j}] is {forward[i, j]} by Jvp and {jacobian[i * n + j]} by Jacobian");
                }
            }
        }

        // The dot-product test ties the modes together along random directions.
        var random = new Random(n * 31 + m);
        double[] v = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] u = Enumerable.Range(0, m).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        object?[] jvpArguments = [x.Clone(), v, null];
        jvp.Invoke(null, jvpArguments);
        object?[] vjpArguments = [x.Clone(), u, null];
        vjp.Invoke(null, vjpArguments);
        double left = Dot(u, (double[])jvpArguments[2]!), right = Dot((double[])vjpArguments[2]!, v);
        if (!Close(left, right, 1e-9))
        {
            failures.Add($"{at}: dot-product test: <u, Jv> = {left}, <J^T u, v> = {right}");
        }

        return (compared, skipped);
    }

    private static bool Close(double a, double b, double tolerance) =>
        a == b || Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    private static double[] Unit(int n, int i)
    {
        var e = new double[n];
        e[i] = 1;
        return e;
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();

    /// <summary>The source of the functions named in the first failures, to reproduce them.</summary>
    private static string SourceOf(List<RandomPrograms.Function> functions, IEnumerable<string> failures)
    {
        var names = failures.Select(f => f.Split(' ')[0]).Distinct().Take(3).ToHashSet();
        return string.Concat(functions.Where(f => names.Contains(f.Name)).Select(f => f.Source));
    }

    private static string Excerpt(string source, IEnumerable<Diagnostic> diagnostics)
    {
        string[] lines = source.Split('\n');
        return string.Join("\n", diagnostics.Take(3).Select(d =>
        {
            int line = d.Location.GetLineSpan().StartLinePosition.Line;
            return string.Join("\n", lines.Skip(Math.Max(0, line - 12)).Take(18));
        }));
    }
}
