using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Differentiable.Analyzers.Tests;

public class NoDerivativeAnalyzerTests
{
    private const string Source = """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, [NoDerivative] double weight, [NoDerivative] int count, [NoDerivative] bool flag) =>
                x * weight * count;
        }
        """;

    [Fact]
    public void NoDerivativeOnNonFloatingParameter_IsReportedOnTheAttribute()
    {
        ImmutableArray<Diagnostic> diagnostics = Analyze(Source);

        Assert.Equal(2, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal("DIFF0012", d.Id));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.Equal(["NoDerivative", "NoDerivative"], diagnostics.Select(d => Source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)));
        Assert.Contains("'count'", diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("'flag'", diagnostics[1].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void NoDerivativeOnArraysAndSpansOfFloatingValues_IsNotReported() =>
        Assert.Empty(Analyze("""
            using System;
            using Differentiable;

            public static class Data
            {
                public static double F(double x, [NoDerivative] double[] a, [NoDerivative] ReadOnlySpan<double> s, [NoDerivative] Span<float> t, [NoDerivative] double[][] jagged) => x;
            }
            """).Where(d => d.Id == "DIFF0012"));

    [Fact]
    public void NoDerivativeOnFloatingParameter_IsNotReported() =>
        Assert.Empty(Analyze(Source.Replace("[NoDerivative] int count, [NoDerivative] bool flag", "int count, bool flag")));

    private static ImmutableArray<Diagnostic> Analyze(string source)
    {
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = new[] { "System.Runtime.dll", "System.Private.CoreLib.dll" }
            .Select(name => MetadataReference.CreateFromFile(Path.Combine(runtime, name)))
            .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location));
        var compilation = CSharpCompilation.Create(
            "Input",
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        return compilation
            .WithAnalyzers([new NoDerivativeAnalyzer()])
            .GetAnalyzerDiagnosticsAsync().Result
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
    }
}
