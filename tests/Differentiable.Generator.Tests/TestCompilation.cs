using System.Collections.Immutable;
using Differentiable.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Differentiable.Generator.Tests;

/// <summary>Compiles test inputs in memory and runs the generator over them.</summary>
internal static class TestCompilation
{
    /// <summary>The language versions every input must work with: the .NET 10 default and the minimum.</summary>
    public static readonly LanguageVersion[] Versions = [LanguageVersion.CSharp14, LanguageVersion.CSharp12];

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>The reference assemblies of the SDK's own targeting pack, plus the Differentiable runtime.</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        string packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        string version = Environment.Version.ToString(3);
        string? refDirectory = Directory.Exists(Path.Combine(packs, version))
            ? Path.Combine(packs, version)
            : Directory.GetDirectories(packs).OrderBy(d => d).LastOrDefault();
        IEnumerable<string> assemblies = refDirectory is null
            ? Directory.GetFiles(runtimeDirectory, "*.dll") // no targeting pack: fall back to the runtime's own
            : Directory.GetFiles(Path.Combine(refDirectory, "ref", $"net{Environment.Version.Major}.0"), "*.dll");
        return assemblies
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location))
            .ToImmutableArray();
    }

    public static CSharpCompilation Create(LanguageVersion version, params string[] sources) =>
        Create(version, [], sources);

    public static CSharpCompilation Create(LanguageVersion version, IEnumerable<MetadataReference> extraReferences, params string[] sources) =>
        CSharpCompilation.Create(
            "Input",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(version), path: $"Input{i}.cs")),
            References.Value.Concat(extraReferences),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    // As the SDK does: assembly-version unification notes between reference packs.
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    /// <summary>The result of one generator run: the compilation with generated sources, and all diagnostics.</summary>
    public sealed record Run(Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, ImmutableArray<(string HintName, string Source)> Sources)
    {
        /// <summary>What the analyzers reported on the input, when they were run.</summary>
        public ImmutableArray<Diagnostic> AnalyzerDiagnostics { get; init; } = [];

        public ImmutableArray<Diagnostic> CompilationDiagnostics =>
            Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
    }

    /// <summary>What the analyzers report on the input (they skip generated code).</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation) =>
        compilation
            .WithAnalyzers([new Differentiable.Analyzers.DifferentiableAnalyzer(), new Differentiable.Analyzers.NoDerivativeAnalyzer()])
            .GetAnalyzerDiagnosticsAsync().Result;

    public static Run RunGenerator(Compilation compilation)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new DifferentiableGenerator().AsSourceGenerator()],
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        var sources = driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources)
            .Select(s => (s.HintName, s.SourceText.ToString()))
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .ToImmutableArray();
        return new Run(output, diagnostics, sources);
    }

    /// <summary>Emits a compilation and loads it into a collectible context of its own.</summary>
    public static System.Reflection.Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException("emit failed:\n" + Format(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        }

        return new System.Runtime.Loader.AssemblyLoadContext(compilation.AssemblyName, isCollectible: true).LoadFromStream(new MemoryStream(stream.ToArray()));
    }

    public static Run Generate(string source, LanguageVersion version = LanguageVersion.CSharp14) =>
        RunGenerator(Create(version, source));

    public static string Format(IEnumerable<Diagnostic> diagnostics) =>
        string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));
}
