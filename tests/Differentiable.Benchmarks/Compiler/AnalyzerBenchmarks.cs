using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Differentiable.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Differentiable.Benchmarks.Compiler;

/// <summary>
/// The analyzer on <see cref="LargeInput"/> (200 [Differentiable] methods). Goal: under 100 ms. The analyzer
/// driver binds every method body, so the compiler's own diagnostics on the same input are measured as a baseline.
/// Each iteration works on a new compilation (nothing bound is reused).
/// </summary>
[MemoryDiagnoser]
public class AnalyzerBenchmarks
{
    private CSharpCompilation compilation = null!;

    [GlobalSetup]
    public void Setup()
    {
        LargeInput.Validate();
        compilation = LargeInput.Create();
    }

    [Benchmark]
    public ImmutableArray<Diagnostic> DifferentiableAnalyzer() =>
        compilation.Clone().WithAnalyzers([new DifferentiableAnalyzer()]).GetAnalyzerDiagnosticsAsync().Result;

    /// <summary>An analyzer that only binds each method body: the floor of any analyzer of this shape.</summary>
    [Benchmark]
    public ImmutableArray<Diagnostic> Floor_BindingOnlyAnalyzer() =>
        compilation.Clone().WithAnalyzers([new BindingOnlyAnalyzer()]).GetAnalyzerDiagnosticsAsync().Result;

    /// <summary>Binding the whole input with no analyzer: the part of the analyzer's time the compiler spends anyway.</summary>
    [Benchmark(Baseline = true)]
    public ImmutableArray<Diagnostic> CompilerDiagnostics_Baseline() => compilation.Clone().GetDiagnostics();
}
