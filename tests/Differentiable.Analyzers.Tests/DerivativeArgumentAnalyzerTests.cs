using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Emit;

namespace Differentiable.Analyzers.Tests;

/// <summary>DIFF0019: an argument to a generated derivative named like another of its parameters.</summary>
public class DerivativeArgumentAnalyzerTests
{
    /// <summary>The functions the calls below differentiate; the generator adds their derivatives.</summary>
    private const string Functions = """
        using System;
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double G(double x, double y) => x * x * y;

            [Differentiable]
            public static double Dot(double[] a, double[] b)
            {
                double s = 0;
                for (int i = 0; i < a.Length; i++)
                {
                    s += a[i] * b[i];
                }

                return s;
            }
        }

        """;

    [Fact]
    public async Task ShadowPassedAsTheCotangent_IsReportedOnTheArgument()
    {
        var diagnostics = await AnalyzeAsync("""
            public static class Use
            {
                public static double Run(double x, double y, double ct, double dx) =>
                    Model.GVjp(x, y, dx, out double dummy, out double dy);
            }
            """);

        (string text, Diagnostic diagnostic) = Assert.Single(diagnostics);
        Assert.Equal("dx", text);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(
            "'dx' is passed as 'dResult' of 'GVjp' but is named like its parameter 'dx'; check the order of the arguments, or name them",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task SwappedOutAdjoints_AreBothReported() =>
        Assert.Equal(
            ["out double dy", "out double dx", "out var dy", "out var dx"],
            Texts(await AnalyzeAsync("""
                public static class Use
                {
                    public static double Run(double x, double y)
                    {
                        double value = Model.GVjp(x, y, 1.0, out double dy, out double dx);
                        return value + Other(x, y);
                    }

                    private static double Other(double x, double y) => Model.GGradient(x, y, out var dy, out var dx);
                }
                """)));

    [Fact]
    public async Task SwappedTangents_AndPrimalPassedAsTangent_AreReported() =>
        Assert.Equal(
            ["dy", "dx", "dx", "x"],
            Texts(await AnalyzeAsync("""
                public static class Use
                {
                    public static double Run(double x, double y, double dx, double dy) =>
                        Model.GJvp(x, y, dy, dx).Tangent + Model.GJvp(dx, y, x, dy).Tangent;
                }
                """)));

    [Fact]
    public async Task SwappedShadows_ArraysAndSpans_AreReported() =>
        Assert.Equal(
            ["db", "da", "db", "da"],
            Texts(await AnalyzeAsync("""
                public static class Use
                {
                    public static double Run(double[] a, double[] b, double[] da, double[] db)
                    {
                        double r = Model.DotVjp(a, b, 1.0, db, da);
                        Span<double> sa = da;
                        Span<double> sb = db;
                        return r + Run(sa, sb, a, b);
                    }

                    private static double Run(Span<double> da, Span<double> db, double[] a, double[] b) =>
                        Model.DotGradient(a, b, db, da);
                }
                """)));

    [Fact]
    public async Task NamedArguments_AreNotReported() =>
        Assert.Empty(await AnalyzeAsync("""
            public static class Use
            {
                public static double InOrder(double x, double y, double ct) =>
                    Model.GVjp(x, y, dResult: ct, dx: out double dx, dy: out double dy);

                public static double OutOfOrder(double x, double y, double ct) =>
                    Model.GVjp(x, y, dy: out double dx, dx: out double dy, dResult: ct);

                public static double NamedOnPurpose(double x, double y) =>
                    Model.GVjp(x, y, dResult: x, out double dx, out double dy);
            }
            """));

    [Fact]
    public async Task ArgumentsNamedForTheirOwnParameter_OrUnrelated_AreNotReported() =>
        Assert.Empty(await AnalyzeAsync("""
            public static class Use
            {
                private static double dy = 1.0;

                public static double Run(double x, double y, double seed, double @dResult) =>
                    Model.GVjp(x, y, @dResult, out double dx, out double dy)
                    + Model.GVjp(x, y, seed, out double gx, out double gy)
                    + Model.GVjp(x + 0, y, 2 * x, out gx, out gy)
                    + Model.GJvp(x, y, Use.dy, 0.0).Tangent;
            }
            """));

    [Fact]
    public async Task SwappedPrimalArguments_AreNotReported() =>
        Assert.Empty(await AnalyzeAsync("""
            public static class Use
            {
                public static double Run(double x, double y) =>
                    Model.GGradient(y, x, out double dx, out double dy) + Model.G(y, x);
            }
            """));

    [Fact]
    public async Task MethodsTheGeneratorDidNotWrite_AreNotReported() =>
        Assert.Empty(await AnalyzeAsync("""
            public static class Hand
            {
                public static double H(double x) => x * x;

                public static double HVjp(double x, double dResult, out double dx)
                {
                    dx = 2 * x * dResult;
                    return x * x;
                }

                public static double Run(double x, double dResult) => HVjp(dResult, x, out double dx);
            }
            """));

    [Fact]
    public async Task DerivativesOfAReferencedAssembly_AreRecognized()
    {
        MetadataReference library = CompileWithDerivatives("""
            using Differentiable;

            namespace Lib;

            public static partial class Physics
            {
                [Differentiable]
                public static double Energy(double x, double k) => 0.5 * k * x * x;
            }
            """);

        Assert.Equal(
            ["out double dk", "out double dx"],
            Texts(await AnalyzeAsync(
                """
                public static class Use
                {
                    public static double Run(double x, double k) => Lib.Physics.EnergyGradient(x, k, out double dk, out double dx);
                }
                """,
                library)));
    }

    private static IEnumerable<string> Texts(IEnumerable<(string Text, Diagnostic Diagnostic)> diagnostics) => diagnostics.Select(d => d.Text);

    /// <summary>The DIFF0019 diagnostics on <paramref name="calls"/> (after <see cref="Functions"/> and their derivatives), with the text each is on.</summary>
    private static async Task<IReadOnlyList<(string Text, Diagnostic Diagnostic)>> AnalyzeAsync(string calls, params MetadataReference[] references)
    {
        string source = Functions + calls;
        Document document = await CodeFixVerifier.CreateDocumentAsync(source, withDerivatives: true);
        Compilation compilation = (await document.Project.AddMetadataReferences(references).GetCompilationAsync())!;
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        ImmutableArray<Diagnostic> diagnostics = await compilation
            .WithAnalyzers([new DerivativeArgumentAnalyzer()])
            .GetAnalyzerDiagnosticsAsync();
        Assert.All(diagnostics, d => Assert.Equal("DIFF0019", d.Id));
        return diagnostics
            .OrderBy(d => d.Location.SourceSpan.Start)
            .Select(d => (source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length), d))
            .ToList();
    }

    /// <summary>A library compiled with the generator, as a referenced assembly holds it.</summary>
    private static MetadataReference CompileWithDerivatives(string source)
    {
        var compilation = CSharpCompilation.Create(
            "Library",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.CSharp14))],
            CodeFixVerifier.ReferenceAssemblies,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        CSharpGeneratorDriver
            .Create(new Differentiable.Generator.DifferentiableGenerator())
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        Assert.Empty(diagnostics);
        using var stream = new MemoryStream();
        EmitResult result = output.Emit(stream);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }
}
