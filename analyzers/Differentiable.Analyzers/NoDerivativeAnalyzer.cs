using System.Collections.Immutable;
using Differentiable.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Differentiable.Analyzers;

/// <summary>
/// DIFF0012: <c>[NoDerivative]</c> on a parameter whose type is never differentiated (an int, a bool)
/// has no effect, which usually means it was meant for another parameter.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NoDerivativeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.NoDerivativeOnNonFloating);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSymbolAction(AnalyzeParameter, SymbolKind.Parameter);
    }

    private static void AnalyzeParameter(SymbolAnalysisContext context)
    {
        var parameter = (IParameterSymbol)context.Symbol;
        if (CarriesFloatingValues(parameter.Type))
        {
            return;
        }

        foreach (AttributeData attribute in parameter.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "Differentiable.NoDerivativeAttribute"
                && attribute.ApplicationSyntaxReference is { } reference)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.NoDerivativeOnNonFloating,
                    Location.Create(reference.SyntaxTree, reference.Span),
                    parameter.Name,
                    parameter.Type.ToDisplayString()));
            }
        }
    }

    /// <summary>
    /// double and float, and arrays and spans of them (data such as a model's inputs, marked [NoDerivative]
    /// to get no shadow): the types where [NoDerivative] has an effect.
    /// </summary>
    private static bool CarriesFloatingValues(ITypeSymbol type) => type switch
    {
        { SpecialType: SpecialType.System_Double or SpecialType.System_Single } => true,
        IArrayTypeSymbol array => CarriesFloatingValues(array.ElementType),
        INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments.Length: 1 } span
            when span.ContainingNamespace.ToDisplayString() == "System" => CarriesFloatingValues(span.TypeArguments[0]),
        _ => false,
    };
}
