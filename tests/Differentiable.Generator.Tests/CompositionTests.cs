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

            // A loop that overwrites its state every step: the reverse sweep saves and restores it on the tape,
            // and the tangent of that reverse sweep saves and restores the state's tangents along with it.
            [Differentiable]
            public static double G(double x, double y)
            {
                double p = x;
                double q = y;
                for (int i = 0; i < 25; i++)
                {
                    double a = Math.Sin(p) * q;
                    p = p + 0.1 * q * q;
                    q = q - 0.1 * a;
                }

                return p * q;
            }
        }
        """;

    [Theory]
    [InlineData("F", 1.3, 0.4)]
    [InlineData("F", 0.2, 1.5)]
    [InlineData("F", -0.8, -1.6)]
    [InlineData("G", 0.7, 0.3)]
    [InlineData("G", -0.4, 0.9)]
    [InlineData("G", 1.2, -0.5)]
    public void TangentOfAdjoint_IsAHessianVectorProduct(string method, double x, double y)
    {
        (MethodInfo hvp, MethodInfo gradient) = HessianVectorProducts.Value[method];
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

    private static readonly Lazy<Dictionary<string, (MethodInfo Hvp, MethodInfo Gradient)>> HessianVectorProducts = new(() =>
    {
        CSharpCompilation compilation = TestCompilation.Create(LanguageVersion.CSharp14, Source);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SemanticModel model = compilation.GetSemanticModel(tree);
        var hvpSource = new System.Text.StringBuilder("public static partial class Model\n{\n");
        var names = new List<string>();
        foreach (MethodDeclarationSyntax syntax in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
        {
            var diagnostics = new List<DiagnosticInfo>();
            IrFunction primal = Lowerer.LowerMethod(model, model.GetDeclaredSymbol(syntax)!, syntax, diagnostics, CancellationToken.None)
                ?? throw new InvalidOperationException(string.Join(", ", diagnostics));
            string name = syntax.Identifier.ValueText;
            IrFunction adjoint = Adjoint.Apply(primal, name + "Vjp");
            if (name == "G")
            {
                // The loop's state is overwritten every step: the reverse sweep must bring it back from the tape.
                Assert.Contains(IrWalk.Statements(adjoint.Body), s => s is Save);
            }

            IrFunction tangentOfAdjoint = Tangent.Apply(adjoint, name + "Hvp");
            hvpSource.Append(Emitter.EmitMethod(tangentOfAdjoint, "public static"));
            names.Add(name);
        }

        hvpSource.Append("}\n");

        // The generator supplies {M}Gradient for the finite differences; {M}Hvp comes from the composed transforms.
        TestCompilation.Run run = TestCompilation.RunGenerator(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(hvpSource.ToString(), (CSharpParseOptions)tree.Options)));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationDiagnostics.IsEmpty, TestCompilation.Format(run.CompilationDiagnostics) + "\n" + hvpSource);
        using var stream = new MemoryStream();
        Assert.True(run.Output.Emit(stream).Success);
        Assembly assembly = new AssemblyLoadContext("composition", isCollectible: true).LoadFromStream(new MemoryStream(stream.ToArray()));
        Type type = assembly.GetType("Model")!;
        return names.ToDictionary(n => n, n => (type.GetMethod(n + "Hvp")!, type.GetMethod(n + "Gradient")!));
    });
}
