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
/// DIFF0012 ([NoDerivative] on a parameter that is never differentiated, reported on the attribute) and
/// DIFF0016 ([NoDerivative] parameter never used, reported on the parameter): "Remove [NoDerivative]".
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveNoDerivativeCodeFixProvider)), Shared]
public sealed class RemoveNoDerivativeCodeFixProvider : DifferentiableCodeFixProvider
{
    /// <summary>The equivalence key of the fix.</summary>
    public const string EquivalenceKey = "RemoveNoDerivative";

    /// <summary>The fix's title.</summary>
    public const string Title = "Remove [NoDerivative]";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NoDerivativeOnNonFloating.Id,
        DiagnosticDescriptors.UnusedNoDerivativeParameter.Id);

    /// <inheritdoc/>
    protected override void RegisterCodeFixes(CodeFixContext context, SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        ParameterSyntax? parameter;
        List<AttributeSyntax> attributes;
        if (diagnostic.Id == DiagnosticDescriptors.NoDerivativeOnNonFloating.Id)
        {
            // On the attribute itself.
            AttributeSyntax? attribute = FixSyntax.NodeAt<AttributeSyntax>(root, diagnostic.Location.SourceSpan);
            parameter = attribute?.Parent?.Parent as ParameterSyntax;
            attributes = attribute is null ? [] : [attribute];
        }
        else
        {
            // On the parameter's name: every [NoDerivative] of that parameter.
            SyntaxToken identifier = root.FindToken(diagnostic.Location.SourceSpan.Start);
            parameter = identifier.Parent as ParameterSyntax;
            attributes = parameter is null || parameter.Identifier != identifier
                ? []
                : parameter.AttributeLists.SelectMany(l => l.Attributes).Where(a => IsNoDerivative(model, a, context.CancellationToken)).ToList();
        }

        if (parameter is null || attributes.Count == 0)
        {
            return;
        }

        Document document = context.Document;
        ParameterSyntax target = parameter;
        context.RegisterCodeFix(
            CodeAction.Create(
                Title,
                cancellationToken => FixSyntax.ReplaceAsync(document, target, RemoveAttributes(target, attributes), cancellationToken),
                EquivalenceKey),
            diagnostic);
    }

    private static bool IsNoDerivative(SemanticModel model, AttributeSyntax attribute, CancellationToken cancellationToken) =>
        model.GetSymbolInfo(attribute, cancellationToken).Symbol is IMethodSymbol constructor
        && constructor.ContainingType.ToDisplayString() == FixSyntax.NoDerivativeAttributeName;

    /// <summary>
    /// The parameter without <paramref name="attributes"/>: an attribute list left empty goes, and the
    /// parameter keeps its leading trivia (<c>[NoDerivative] int n</c> becomes <c>int n</c>).
    /// </summary>
    private static ParameterSyntax RemoveAttributes(ParameterSyntax parameter, IReadOnlyCollection<AttributeSyntax> attributes)
    {
        var lists = new List<AttributeListSyntax>();
        foreach (AttributeListSyntax list in parameter.AttributeLists)
        {
            SeparatedSyntaxList<AttributeSyntax> kept = list.Attributes;
            for (int i = list.Attributes.Count - 1; i >= 0; i--)
            {
                if (attributes.Contains(list.Attributes[i]))
                {
                    kept = kept.RemoveAt(i);
                }
            }

            if (kept.Count == list.Attributes.Count)
            {
                lists.Add(list);
            }
            else if (kept.Count > 0)
            {
                lists.Add(list.WithAttributes(kept));
            }
        }

        return parameter
            .WithAttributeLists(SyntaxFactory.List(lists))
            .WithLeadingTrivia(parameter.GetLeadingTrivia());
    }
}
