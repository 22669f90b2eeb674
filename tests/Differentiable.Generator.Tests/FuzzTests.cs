using System.Collections.Concurrent;
using System.Collections.Immutable;
using Differentiable.Generator.Lowering;
using Differentiable.Tests.ExternalMath;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Differentiable.Generator.Tests;

/// <summary>
/// Robustness: 2,000 mutated versions of the scenario inputs (token deletions, swaps and duplications,
/// fixed seed) go through the generator driver and the analyzers. Nothing may escape either of them; an
/// input that compiles must compile with its generated code; and the analyzer must reject exactly the
/// methods the generator skips (they share one checker).
/// </summary>
public class FuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int DefaultInputs = 2000;
    private const int DefaultSeed = 20261124;

    /// <summary>The mutants per seed: 2,000, or DIFFERENTIABLE_FUZZ_COUNT for a longer run.</summary>
    private static int Inputs => int.TryParse(Environment.GetEnvironmentVariable("DIFFERENTIABLE_FUZZ_COUNT"), out int count) ? count : DefaultInputs;

    /// <summary>
    /// The fixed seeds CI runs, or DIFFERENTIABLE_FUZZ_SEED for a long run with any seed:
    /// <c>DIFFERENTIABLE_FUZZ_SEED=777 DIFFERENTIABLE_FUZZ_COUNT=6000 dotnet test tests/Differentiable.Generator.Tests -c Release --filter FuzzTests</c>.
    /// </summary>
    public static TheoryData<int> Seeds() =>
        int.TryParse(Environment.GetEnvironmentVariable("DIFFERENTIABLE_FUZZ_SEED"), out int seed) ? new TheoryData<int> { seed } : new TheoryData<int> { DefaultSeed, 777 };

    private static readonly MetadataReference[] References =
    [
        MetadataReference.CreateFromFile(typeof(SpecialFunctions).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Differentiable.Tests.Library.Distributions).Assembly.Location),
    ];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MutatedInputs_NeverThrow_CompileWhenTheInputCompiles_AndAnalyzerAgreesWithGenerator(int seed)
    {
        int inputs = Inputs;
        string[] scenarios = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Scenarios"), "*.cs").Order().Select(File.ReadAllText).ToArray();
        var failures = new ConcurrentBag<string>();
        int compiled = 0, generated = 0;
        Parallel.For(0, inputs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            string mutated = Mutate(scenarios[i % scenarios.Length], new Random(seed + i));
            try
            {
                (bool inputCompiles, int sources) = Check(mutated, failures, i);
                Interlocked.Add(ref compiled, inputCompiles ? 1 : 0);
                Interlocked.Add(ref generated, sources);
            }
            catch (Exception exception)
            {
                failures.Add($"input {i}: {exception.GetType().Name} escaped: {exception.Message}");
            }
        });

        Assert.True(
            failures.IsEmpty,
            $"{failures.Count} failures:\n" + string.Join("\n", failures.Select(f => f.Split('\n')[0]).Order())
            + "\n\nthe first in full:\n" + failures.FirstOrDefault());
        output.WriteLine($"seed {seed}, {inputs} mutants: {compiled} compile; {generated} generated files; no failure.");
        Assert.True(compiled >= inputs / 20, $"only {compiled} of {inputs} mutants compile: the mutations test too little");
        Assert.True(generated > 0);
    }

    private static (bool InputCompiles, int Sources) Check(string source, ConcurrentBag<string> failures, int index)
    {
        CSharpCompilation input = TestCompilation.Create(LanguageVersion.CSharp14, References, source);
        TestCompilation.Run run = TestCompilation.RunGenerator(input);
        void Fail(string what) => failures.Add($"input {index}: {what}\n--- input ---\n{source}");

        // 1. Nothing escapes: the driver turns a generator exception into CS8785, the analyzer driver reports AD0001.
        if (run.GeneratorDiagnostics.FirstOrDefault(d => d.Id is "CS8785" or "DIFF0009") is { } thrown)
        {
            Fail($"the generator failed: {thrown}");
        }

        var analyzerExceptions = new ConcurrentBag<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), (exception, _, _) => analyzerExceptions.Add(exception), concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        ImmutableArray<Diagnostic> analyzed = input
            .WithAnalyzers([new Differentiable.Analyzers.DifferentiableAnalyzer(), new Differentiable.Analyzers.NoDerivativeAnalyzer()], options)
            .GetAnalyzerDiagnosticsAsync().Result;
        if (!analyzerExceptions.IsEmpty || analyzed.Any(d => d.Id is "AD0001" or "DIFF0009"))
        {
            Fail($"the analyzer failed: {analyzerExceptions.FirstOrDefault()?.ToString() ?? analyzed.First(d => d.Id is "AD0001" or "DIFF0009").ToString()}");
        }

        // 2. An input that compiles compiles with its generated code.
        bool inputCompiles = !input.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        if (inputCompiles && run.Output.GetDiagnostics().FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error) is { } broken)
        {
            Fail($"the generated code does not compile: {broken}");
        }

        // 3. The analyzer reports an error on exactly the [Differentiable] methods the generator skips.
        var hints = run.Sources.Select(s => s.HintName).ToHashSet(StringComparer.Ordinal);
        SyntaxTree tree = input.SyntaxTrees.Single();
        SemanticModel model = input.GetSemanticModel(tree);
        var errors = analyzed.Where(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("DIFF", StringComparison.Ordinal)).ToList();
        foreach (MethodDeclarationSyntax method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
        {
            if (model.GetDeclaredSymbol(method) is not IMethodSymbol symbol
                || !symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Differentiable.DifferentiableAttribute"))
            {
                continue;
            }

            var enclosingTypes = method.Ancestors().OfType<TypeDeclarationSyntax>().Select(t => t.Identifier.Span).ToList();
            bool rejected = errors.Any(d => method.Span.Contains(d.Location.SourceSpan) || enclosingTypes.Contains(d.Location.SourceSpan));
            bool wasGenerated = hints.Contains(Lowerer.HintName(symbol));
            if (rejected == wasGenerated)
            {
                Fail($"'{symbol.Name}': the analyzer {(rejected ? "rejects" : "accepts")} it but the generator {(wasGenerated ? "generated" : "skipped")} it; analyzer: {string.Join("; ", errors)}");
            }
        }

        return (inputCompiles, run.Sources.Length);
    }

    /// <summary>
    /// One to three token deletions, swaps (of neighbours, or of two tokens of the same kind anywhere, such as
    /// two identifiers or two operators, which keeps more mutants compiling) or duplications; trivia stays
    /// with its token.
    /// </summary>
    private static string Mutate(string source, Random random)
    {
        var tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().Select(t => (Kind: t.RawKind, Text: t.ToFullString())).ToList();
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations && tokens.Count > 2; m++)
        {
            int i = random.Next(tokens.Count - 1);
            switch (random.Next(4))
            {
                case 0:
                    tokens.RemoveAt(i);
                    break;
                case 1:
                    (tokens[i], tokens[i + 1]) = (tokens[i + 1], tokens[i]);
                    break;
                case 2:
                    var sameKind = Enumerable.Range(0, tokens.Count).Where(j => j != i && tokens[j].Kind == tokens[i].Kind).ToList();
                    if (sameKind.Count > 0)
                    {
                        int j = sameKind[random.Next(sameKind.Count)];
                        (tokens[i], tokens[j]) = ((tokens[i].Kind, Swap(tokens[i].Text, tokens[j].Text)), (tokens[j].Kind, Swap(tokens[j].Text, tokens[i].Text)));
                    }

                    break;
                default:
                    tokens.Insert(i, tokens[i]);
                    break;
            }
        }

        return string.Concat(tokens.Select(t => t.Text));
    }

    /// <summary>The token text of <paramref name="into"/> replaced by that of <paramref name="from"/>, keeping the trivia of <paramref name="into"/>.</summary>
    private static string Swap(string into, string from)
    {
        string intoToken = into.Trim(), fromToken = from.Trim();
        int at = into.IndexOf(intoToken, StringComparison.Ordinal);
        return at < 0 || intoToken.Length == 0 ? into : into[..at] + fromToken + into[(at + intoToken.Length)..];
    }
}
