using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Differentiable.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.CodeFixes;

/// <summary>
/// DIFF0003 (a call with no derivative): "Mark parameter 'p' [NoDerivative]", one fix for each floating parameter
/// of the enclosing [Differentiable] method that the call's arguments name.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MarkParameterNoDerivativeCodeFixProvider)), Shared]
public sealed class MarkParameterNoDerivativeCodeFixProvider : DifferentiableCodeFixProvider
{
    /// <summary>The prefix of the equivalence key; the parameter's name follows.</summary>
    public const string EquivalenceKeyPrefix = "DIFF0003.MarkNoDerivative.";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NoDerivative.Id);

    /// <inheritdoc/>
    protected override void RegisterCodeFixes(CodeFixContext context, SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        if (FixSyntax.NodeAt<InvocationExpressionSyntax>(root, diagnostic.Location.SourceSpan) is not { } call
            || call.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } declaration
            || model.GetDeclaredSymbol(declaration, context.CancellationToken) is not { } method
            || !FixSyntax.HasAttribute(method, FixSyntax.DifferentiableAttributeName))
        {
            return;
        }

        foreach (IParameterSymbol parameter in ReferencedParameters(model, call, method, context.CancellationToken))
        {
            if (declaration.ParameterList.Parameters.FirstOrDefault(p => p.Identifier.ValueText == parameter.Name) is not { } syntax)
            {
                continue;
            }

            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Mark parameter '{parameter.Name}' [NoDerivative]",
                    cancellationToken => FixSyntax.ReplaceAsync(document, syntax, AddNoDerivative(syntax), cancellationToken),
                    EquivalenceKeyPrefix + parameter.Name),
                diagnostic);
        }
    }

    /// <summary>
    /// The differentiated parameters of <paramref name="method"/> that the call's arguments name, in declaration order.
    /// </summary>
    private static IEnumerable<IParameterSymbol> ReferencedParameters(SemanticModel model, InvocationExpressionSyntax call, IMethodSymbol method, CancellationToken cancellationToken)
    {
        var named = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        foreach (IdentifierNameSyntax identifier in call.ArgumentList.Arguments.SelectMany(a => a.Expression.DescendantNodesAndSelf()).OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is IParameterSymbol parameter)
            {
                named.Add(parameter);
            }
        }

        return method.Parameters.Where(p =>
            named.Contains(p)
            && FixSyntax.IsFloating(p.Type)
            && !FixSyntax.HasAttribute(p, FixSyntax.NoDerivativeAttributeName));
    }

    /// <summary><c>double w</c> becomes <c>[NoDerivative] double w</c>, after any attributes it already has.</summary>
    private static ParameterSyntax AddNoDerivative(ParameterSyntax parameter)
    {
        AttributeListSyntax list = SyntaxFactory.AttributeList(
                SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Attribute(FixSyntax.DifferentiableName("NoDerivative"))))
            .WithTrailingTrivia(SyntaxFactory.Space);
        if (parameter.AttributeLists.Count > 0)
        {
            return parameter.WithAttributeLists(parameter.AttributeLists.Add(list));
        }

        return parameter
            .WithoutLeadingTrivia()
            .WithAttributeLists(SyntaxFactory.SingletonList(list.WithLeadingTrivia(parameter.GetLeadingTrivia())));
    }
}
