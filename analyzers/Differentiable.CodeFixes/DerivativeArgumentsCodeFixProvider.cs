using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Differentiable.Analyzers;
using Differentiable.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.CodeFixes;

/// <summary>
/// DIFF0019 (an argument to a derivative named like another of its parameters, reported on the argument):
/// "Swap the arguments" when the argument in that other parameter's place is named like this one's, and
/// "Name the arguments", which writes both as named arguments with the call's current meaning.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DerivativeArgumentsCodeFixProvider)), Shared]
public sealed class DerivativeArgumentsCodeFixProvider : DifferentiableCodeFixProvider
{
    /// <summary>The equivalence key of "Swap the arguments".</summary>
    public const string SwapEquivalenceKey = "SwapDerivativeArguments";

    /// <summary>The equivalence key of "Name the arguments".</summary>
    public const string NameEquivalenceKey = "NameDerivativeArguments";

    /// <summary>The title of the swap.</summary>
    public const string SwapTitle = "Swap the arguments";

    /// <summary>The title of the naming.</summary>
    public const string NameTitle = "Name the arguments";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ArgumentNamedLikeOtherParameter.Id);

    /// <inheritdoc/>
    protected override void RegisterCodeFixes(CodeFixContext context, SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        if (FixSyntax.NodeAt<ArgumentSyntax>(root, diagnostic.Location.SourceSpan) is not { Parent: ArgumentListSyntax { Parent: { } call } list } argument
            || model.GetOperation(call, context.CancellationToken) is not IInvocationOperation invocation
            || !diagnostic.Properties.TryGetValue(DerivativeArgumentAnalyzer.ParameterProperty, out string? parameter)
            || !diagnostic.Properties.TryGetValue(DerivativeArgumentAnalyzer.NamedLikeProperty, out string? namedLike))
        {
            return;
        }

        // The argument in the place of the parameter this one is named like, if it is written out positionally.
        ArgumentSyntax? other = invocation.Arguments
            .Where(a => a.ArgumentKind == ArgumentKind.Explicit && a.Parameter?.Name == namedLike)
            .Select(a => a.Syntax as ArgumentSyntax)
            .FirstOrDefault(a => a is { NameColon: null } && a.Parent == list);

        Document document = context.Document;
        if (other is not null
            && NameOf(other) == parameter
            && other.RefKindKeyword.IsKind(argument.RefKindKeyword.Kind()))
        {
            context.RegisterCodeFix(
                CodeAction.Create(
                    SwapTitle,
                    cancellationToken => ReplaceArgumentsAsync(document, list, new Dictionary<ArgumentSyntax, ArgumentSyntax>
                    {
                        [argument] = other.WithTriviaFrom(argument),
                        [other] = argument.WithTriviaFrom(other),
                    }, cancellationToken),
                    SwapEquivalenceKey),
                diagnostic);
        }

        var named = new Dictionary<ArgumentSyntax, ArgumentSyntax> { [argument] = Named(argument, parameter!) };
        if (other is not null)
        {
            named[other] = Named(other, namedLike!);
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                NameTitle,
                cancellationToken => ReplaceArgumentsAsync(document, list, named, cancellationToken),
                NameEquivalenceKey),
            diagnostic);
    }

    /// <summary>The name an argument is written as (<c>dx</c>, <c>out dx</c>, <c>out double dx</c>), without a verbatim <c>@</c>.</summary>
    private static string? NameOf(ArgumentSyntax argument) => argument.Expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        DeclarationExpressionSyntax { Designation: SingleVariableDesignationSyntax variable } => variable.Identifier.ValueText,
        _ => null,
    };

    /// <summary><c>parameter: argument</c>, where the argument was, keeping its trivia.</summary>
    private static ArgumentSyntax Named(ArgumentSyntax argument, string parameter) =>
        argument
            .WithoutLeadingTrivia()
            .WithNameColon(SyntaxFactory.NameColon(SyntaxFactory.IdentifierName(Identifier(parameter))).WithTrailingTrivia(SyntaxFactory.Space))
            .WithLeadingTrivia(argument.GetLeadingTrivia());

    /// <summary>A parameter's name as an identifier, verbatim (<c>@double</c>) when it is a keyword.</summary>
    private static SyntaxToken Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None
            ? SyntaxFactory.Identifier(name)
            : SyntaxFactory.VerbatimIdentifier(SyntaxTriviaList.Empty, "@" + name, name, SyntaxTriviaList.Empty);

    private static async Task<Document> ReplaceArgumentsAsync(
        Document document, ArgumentListSyntax list, IReadOnlyDictionary<ArgumentSyntax, ArgumentSyntax> replacements, CancellationToken cancellationToken)
    {
        ArgumentListSyntax changed = list.ReplaceNodes(replacements.Keys, (original, _) => replacements[original]);
        return await FixSyntax.ReplaceAsync(document, list, changed, cancellationToken).ConfigureAwait(false);
    }
}
