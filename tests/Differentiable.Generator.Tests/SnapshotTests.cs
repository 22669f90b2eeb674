using Differentiable.Tests.ExternalMath;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator.Tests;

/// <summary>
/// The generated source of every scenario under tests/Differentiable.Tests/Scenarios, against its
/// verified snapshot. The same scenarios are executed against finite differences in Differentiable.Tests.
/// Every scenario also compiles as C# 12 and C# 14 with no diagnostic and identical output.
/// </summary>
public class SnapshotTests
{
    private static readonly string ScenarioDirectory = Path.Combine(AppContext.BaseDirectory, "Scenarios");

    public static TheoryData<string> Scenarios() =>
        new(Directory.GetFiles(ScenarioDirectory, "*.cs").Select(Path.GetFileNameWithoutExtension).Order()!);

    private static readonly Lazy<Dictionary<LanguageVersion, TestCompilation.Run>> Runs = new(() =>
    {
        string[] sources = Directory.GetFiles(ScenarioDirectory, "*.cs").Order().Select(File.ReadAllText).ToArray();
        MetadataReference[] references =
        [
            MetadataReference.CreateFromFile(typeof(SpecialFunctions).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(Differentiable.Tests.Library.Distributions).Assembly.Location),
        ];
        return TestCompilation.Versions.ToDictionary(
            v => v,
            v => TestCompilation.RunGenerator(TestCompilation.Create(v, references, sources)));
    });

    [Fact]
    public void Scenarios_CompileWithoutDiagnostics_InEveryLanguageVersion()
    {
        foreach ((LanguageVersion version, TestCompilation.Run run) in Runs.Value)
        {
            Assert.True(run.GeneratorDiagnostics.IsEmpty, $"C# {version.ToDisplayString()}: {TestCompilation.Format(run.GeneratorDiagnostics)}");
            Assert.True(run.CompilationDiagnostics.IsEmpty, $"C# {version.ToDisplayString()}: {TestCompilation.Format(run.CompilationDiagnostics)}");
        }

        var outputs = Runs.Value.Values.Select(r => string.Join("\n", r.Sources.Select(s => s.HintName + "\n" + s.Source))).Distinct().ToList();
        Assert.Single(outputs);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Generates(string scenario)
    {
        string source = File.ReadAllText(Path.Combine(ScenarioDirectory, scenario + ".cs"));
        var typeNames = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>()
            .Where(t => t.Parent is BaseNamespaceDeclarationSyntax)
            .Select(t => t.Identifier.ValueText)
            .ToList();
        var files = Runs.Value[LanguageVersion.CSharp14].Sources
            .Where(s => typeNames.Any(t => s.HintName.StartsWith($"Differentiable.Tests.Scenarios.{t}.", StringComparison.Ordinal)))
            .ToList();
        Assert.NotEmpty(files);
        Snapshot.Verify($"{nameof(SnapshotTests)}.{nameof(Generates)}_scenario={scenario}", files);
    }
}
