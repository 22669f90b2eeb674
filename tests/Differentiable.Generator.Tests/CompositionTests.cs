using System.Reflection;
using System.Runtime.Loader;
using Differentiable.Generator.Emit;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Lowering;
using Differentiable.Generator.Model;
using Differentiable.Generator.Transforms;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator.Tests;

/// <summary>
/// The transforms compose: Tangent(Adjoint(F)) is forward mode over reverse mode, whose tangent of
/// the gradient is a Hessian-vector product. It is emitted, compiled, run and checked against central
/// finite differences of the generated gradient.
/// </summary>
public class CompositionTests
{
    private const string Source = """
        using System;
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y)
            {
                double r = x * x * y + Math.Sin(x * y);
                if (x > y)
                {
                    r = r * Math.Exp(y / 3);
                }
                else
                {
                    r = r - Math.Log(1 + y * y);
                }

                double s = x > 0 ? Math.Sqrt(x * x + 1) : Math.Atan(x) + 1;
                return r * s / (1 + Math.Pow(y, 2.0));
            }
        }
        """;

    [Theory]
    [InlineData(1.3, 0.4)]
    [InlineData(0.2, 1.5)]
    [InlineData(-0.8, -1.6)]
    public void TangentOfAdjoint_IsAHessianVectorProduct(double x, double y)
    {
        MethodInfo hvp = HessianVectorProduct.Value.Hvp, gradient = HessianVectorProduct.Value.Gradient;
        double[] v = [0.6, -1.1];

        // Tangent(Adjoint(F))(x, y, dResult, out dx, out dy, [tangents:] x', y', dResult', out dx', out dy'):
        // with x' = v and dResult' = 0, dx' and dy' hold H·v.
        object?[] arguments = [x, y, 1.0, null, null, v[0], v[1], 0.0, null, null];
        hvp.Invoke(null, arguments);
        double[] hv = [(double)arguments[8]!, (double)arguments[9]!];
        double[] g = Gradient(gradient, x, y);
        Assert.Equal(g[0], (double)arguments[3]!);
        Assert.Equal(g[1], (double)arguments[4]!);

        const double h = 1e-5;
        double[] plus = Gradient(gradient, x + h * v[0], y + h * v[1]);
        double[] minus = Gradient(gradient, x - h * v[0], y - h * v[1]);
        for (int i = 0; i < 2; i++)
        {
            double expected = (plus[i] - minus[i]) / (2 * h);
            Assert.True(Math.Abs(expected - hv[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"(Hv)[{i}]: finite differences {expected}, Tangent(Adjoint) {hv[i]}");
        }
    }

    private static double[] Gradient(MethodInfo gradient, double x, double y)
    {
        object?[] arguments = [x, y, null, null];
        gradient.Invoke(null, arguments);
        return [(double)arguments[2]!, (double)arguments[3]!];
    }

    private static readonly Lazy<(MethodInfo Hvp, MethodInfo Gradient)> HessianVectorProduct = new(() =>
    {
        CSharpCompilation compilation = TestCompilation.Create(LanguageVersion.CSharp14, Source);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        MethodDeclarationSyntax syntax = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();
        SemanticModel model = compilation.GetSemanticModel(tree);
        var diagnostics = new List<DiagnosticInfo>();
        IrFunction primal = Lowerer.LowerMethod(model, model.GetDeclaredSymbol(syntax)!, syntax, diagnostics, CancellationToken.None)
            ?? throw new InvalidOperationException(string.Join(", ", diagnostics));

        IrFunction adjoint = Adjoint.Apply(primal, "FVjp");
        IrFunction tangentOfAdjoint = Tangent.Apply(adjoint, "FHvp");
        string hvpSource = "public static partial class Model\n{\n" + Emitter.EmitMethod(tangentOfAdjoint, "public static") + "}\n";

        // The generator supplies FGradient for the finite differences; FHvp comes from the composed transforms.
        TestCompilation.Run run = TestCompilation.RunGenerator(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(hvpSource, (CSharpParseOptions)tree.Options)));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationDiagnostics.IsEmpty, TestCompilation.Format(run.CompilationDiagnostics) + "\n" + hvpSource);
        using var stream = new MemoryStream();
        Assert.True(run.Output.Emit(stream).Success);
        Assembly assembly = new AssemblyLoadContext("composition", isCollectible: true).LoadFromStream(new MemoryStream(stream.ToArray()));
        Type type = assembly.GetType("Model")!;
        return (type.GetMethod("FHvp")!, type.GetMethod("FGradient")!);
    });
}
