using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Benchmarks.Compiler;

/// <summary>
/// The least any generator in the shape of Differentiable's pays: find the [Differentiable] methods and bind
/// their bodies to a full IOperation tree (<see cref="SemanticModel.GetOperation"/>, which the lowering walks),
/// producing nothing.
/// </summary>
[Generator]
public sealed class BindingOnlyGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var names = context.SyntaxProvider.ForAttributeWithMetadataName(
            "Differentiable.DifferentiableAttribute",
            static (node, _) => node is MethodDeclarationSyntax,
            static (ctx, token) => OperationCount(ctx.SemanticModel, ctx.TargetNode, token) + ctx.TargetSymbol.Name);
        context.RegisterSourceOutput(names, static (_, _) => { });
    }

    /// <summary>Binds a body and builds its whole IOperation tree (whose children are otherwise made lazily).</summary>
    internal static int OperationCount(SemanticModel model, SyntaxNode node, System.Threading.CancellationToken token) =>
        model.GetOperation(node, token) is { } root ? 1 + root.Descendants().Count() : 0;
}

/// <summary>The least any analyzer in the shape of Differentiable's pays: bind each method body to an IOperation tree, report nothing.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BindingOnlyAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Never = new("BENCH0001", "Never", "Never", "Benchmark", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Never];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCodeBlockAction(static block =>
        {
            if (block.CodeBlock is MethodDeclarationSyntax && BindingOnlyGenerator.OperationCount(block.SemanticModel, block.CodeBlock, block.CancellationToken) == 0)
            {
                block.ReportDiagnostic(Diagnostic.Create(Never, block.CodeBlock.GetLocation()));
            }
        });
    }
}
