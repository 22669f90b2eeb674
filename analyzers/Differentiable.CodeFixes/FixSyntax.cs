using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Options;
using Microsoft.CodeAnalysis.Simplification;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.CodeFixes;

/// <summary>Syntax helpers shared by the code fixes.</summary>
internal static class FixSyntax
{
    public const string NoDerivativeAttributeName = "Differentiable.NoDerivativeAttribute";
    public const string DifferentiableAttributeName = "Differentiable.DifferentiableAttribute";
    public const string NoDerivativeClassName = "Differentiable.NoDerivative";

    /// <summary>
    /// <c>global::Differentiable.{name}</c>, marked so the clean-up adds <c>using Differentiable;</c> when it is
    /// missing and then shortens the name to <c>{name}</c>.
    /// </summary>
    public static NameSyntax DifferentiableName(string name) =>
        SyntaxFactory.ParseName("global::Differentiable." + name)
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    /// <summary><c>NoDerivative.Of(expression)</c>, with the trivia of <paramref name="expression"/> around it.</summary>
    public static ExpressionSyntax WrapInNoDerivativeOf(ExpressionSyntax expression)
    {
        // The call's own parentheses group the operand: (int)(x * 2) becomes (int)NoDerivative.Of(x * 2).
        ExpressionSyntax operand = expression;
        while (operand is ParenthesizedExpressionSyntax parenthesized)
        {
            operand = parenthesized.Expression;
        }

        return SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(
                    SyntaxKind.SimpleMemberAccessExpression,
                    DifferentiableName("NoDerivative"),
                    SyntaxFactory.IdentifierName("Of")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(operand.WithoutTrivia()))))
            .WithTriviaFrom(expression);
    }

    /// <summary>Whether <paramref name="expression"/> is already a <c>NoDerivative.Of(...)</c> call.</summary>
    public static bool IsNoDerivativeOf(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression is InvocationExpressionSyntax
            && model.GetSymbolInfo(expression, cancellationToken).Symbol is IMethodSymbol { Name: "Of" } method
            && method.ContainingType?.ToDisplayString() == NoDerivativeClassName;
    }

    public static bool IsFloating(ITypeSymbol? type) =>
        type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single;

    public static bool HasAttribute(ISymbol symbol, string name) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == name);

    /// <summary>The innermost node of type <typeparamref name="T"/> whose span is exactly <paramref name="span"/>.</summary>
    public static T? NodeAt<T>(SyntaxNode root, TextSpan span)
        where T : SyntaxNode
    {
        if (!root.FullSpan.Contains(span))
        {
            return null;
        }

        for (SyntaxNode? node = root.FindNode(span, getInnermostNodeForTie: true); node is not null; node = node.Parent)
        {
            if (node.Span != span)
            {
                return null;
            }

            if (node is T match)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>
    /// Adds the <c>using</c> directives the new code asks for, shortens the names marked for it and formats the
    /// nodes marked for it, leaving the rest of the document as it was.
    /// </summary>
    public static async Task<Document> CleanUpAsync(Document document, CancellationToken cancellationToken)
    {
        document = await ImportAdder.AddImportsAsync(document, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        document = await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);

        // The formatter writes its own line breaks in what it formats: make them the document's.
        SourceText text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        DocumentOptionSet options = await document.GetOptionsAsync(cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(
            document,
            Formatter.Annotation,
            options.WithChangedOption(FormattingOptions.NewLine, NewLine(text)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The document with <paramref name="oldNode"/> replaced, then cleaned up.</summary>
    public static async Task<Document> ReplaceAsync(Document document, SyntaxNode oldNode, SyntaxNode newNode, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        return await CleanUpAsync(document.WithSyntaxRoot(root.ReplaceNode(oldNode, newNode)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The line break the document uses (its first one), so inserted lines match the others.</summary>
    public static string NewLine(SourceText text)
    {
        foreach (TextLine line in text.Lines)
        {
            int length = line.EndIncludingLineBreak - line.End;
            if (length > 0)
            {
                return text.ToString(new TextSpan(line.End, length));
            }
        }

        return "\n";
    }
}
