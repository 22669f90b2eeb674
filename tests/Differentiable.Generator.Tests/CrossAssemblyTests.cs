using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Generator.Tests;

/// <summary>Derivatives found in referenced assemblies' metadata, and what happens when they cannot be used.</summary>
public class CrossAssemblyTests
{
    [Fact]
    public void GeneratorAndRuntime_AgreeOnTheMetadataVersion() =>
        Assert.Equal(GeneratedDerivativeAttribute.CurrentMetadataVersion, Lowering.Lowerer.GeneratedMetadataVersion);

    [Fact]
    public void LibraryBuiltWithAnotherMetadataVersion_IsReportedWithBothVersions()
    {
        // A library as an older generator would have left it: the derivative member carries version 0.
        MetadataReference library = CompileLibrary("""
            using Differentiable;

            namespace Lib
            {
                public static partial class Shapes
                {
                    [Differentiable]
                    public static double Area(double r) => 3.0 * r * r;

                    [GeneratedDerivative("Area", DerivativeMode.Vjp, 0)]
                    public static double AreaVjp(double r, double dResult, out double dr)
                    {
                        dr = 6.0 * r * dResult;
                        return Area(r);
                    }
                }
            }
            """);
        var run = Markup.VerifyDiagnostics("""
            using Differentiable;

            public static partial class Consumer
            {
                [Differentiable]
                public static double F(double r) => {|DIFF0013:Lib.Shapes.Area(r)|} * 2;
            }
            """, LanguageVersion.CSharp14, library);
        Diagnostic diagnostic = Assert.Single(run.AnalyzerDiagnostics);
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("version 0", message);
        Assert.Contains("reads version 1", message);
        Assert.Contains("'Library'", message);
    }

    [Fact]
    public void MethodOfAReferencedAssemblyWithoutDerivative_IsTheUsualDiagnostic()
    {
        MetadataReference library = CompileLibrary("""
            namespace Lib
            {
                public static class Plain
                {
                    public static double Twice(double x) => 2 * x;
                }
            }
            """);
        Markup.VerifyDiagnostics("""
            using Differentiable;

            public static partial class Consumer
            {
                [Differentiable]
                public static double F(double x) => {|DIFF0003:Lib.Plain.Twice(x)|} + x;
            }
            """, LanguageVersion.CSharp14, library);
    }

    [Fact]
    public void LibraryDerivatives_AreFoundThroughTheirGeneratedDerivativeAttributes()
    {
        // The library is compiled with the generator, as a user's class library would be.
        MetadataReference library = CompileLibrary("""
            using System;
            using Differentiable;

            namespace Lib
            {
                public static partial class Curves
                {
                    [Differentiable]
                    public static double Bump(double x) => Math.Exp(-x * x);
                }
            }
            """, runGenerator: true);
        var run = Markup.VerifyDiagnostics("""
            using Differentiable;

            public static partial class Consumer
            {
                [Differentiable]
                public static double F(double x) => Lib.Curves.Bump(x) * x;
            }
            """, LanguageVersion.CSharp14, library);
        string source = Assert.Single(run.Sources).Source;
        Assert.Contains("global::Lib.Curves.BumpJvp(", source);
        Assert.Contains("global::Lib.Curves.BumpVjp(", source);
        Assert.Empty(run.CompilationDiagnostics);
    }

    private static MetadataReference CompileLibrary(string source, bool runGenerator = false)
    {
        Compilation compilation = TestCompilation.Create(LanguageVersion.CSharp14, source).WithAssemblyName("Library");
        if (runGenerator)
        {
            compilation = TestCompilation.RunGenerator(compilation).Output;
        }

        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }
}
