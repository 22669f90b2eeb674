using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Benchmarks.Compiler;

/// <summary>
/// The source generator on <see cref="LargeInput"/> (200 [Differentiable] methods). Goal: under 100 ms warm,
/// the IDE's case: a driver that has run once, then a compilation with one method body edited.
/// Each iteration gets a new compilation, so no bound method bodies are reused from the previous iteration.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation compilation = null!;
    private GeneratorDriver warmDriver = null!;
    private GeneratorDriver warmFloorDriver = null!;
    private SyntaxTree editedOld = null!;
    private SyntaxTree editedNew = null!;

    [GlobalSetup]
    public void Setup()
    {
        LargeInput.Validate();
        compilation = LargeInput.Create();
        warmDriver = LargeInput.CreateDriver().RunGenerators(compilation);
        warmFloorDriver = CSharpGeneratorDriver.Create([new BindingOnlyGenerator().AsSourceGenerator()], parseOptions: LargeInput.ParseOptions)
            .RunGenerators(compilation);
        (editedOld, editedNew) = LargeInput.Keystroke(compilation);
    }

    /// <summary>A keystroke in one method body: the generator reruns on the edited compilation.</summary>
    [Benchmark]
    public GeneratorDriver Warm_OneMethodEdited() =>
        warmDriver.RunGenerators(compilation.ReplaceSyntaxTree(editedOld, editedNew));

    /// <summary>
    /// The same keystroke for a generator that only binds the [Differentiable] bodies: the floor. Roslyn reruns
    /// every ForAttributeWithMetadataName transform when the compilation changes, so every body is bound again.
    /// </summary>
    [Benchmark]
    public GeneratorDriver Floor_BindingOnly_OneMethodEdited() =>
        warmFloorDriver.RunGenerators(compilation.ReplaceSyntaxTree(editedOld, editedNew));

    /// <summary>No edit at all (a new compilation of the same trees): what any rerun of the generator pays.</summary>
    [Benchmark]
    public GeneratorDriver Warm_NoEdit() => warmDriver.RunGenerators(compilation.Clone());

    /// <summary>A fresh driver on a fresh compilation: what a command-line build pays.</summary>
    [Benchmark]
    public GeneratorDriver Cold_FullRun() => LargeInput.CreateDriver().RunGenerators(compilation.Clone());
}
