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
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.CodeFixes;

/// <summary>
/// "Wrap in NoDerivative.Of(...)": says that no derivative is meant to flow.
/// For DIFF0003 (a call with no derivative) it wraps each floating argument of the call; for DIFF0014 (an integer
/// conversion or a rounding function) it wraps the cast's operand or the rounding function's argument.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WrapInNoDerivativeOfCodeFixProvider)), Shared]
public sealed class WrapInNoDerivativeOfCodeFixProvider : DifferentiableCodeFixProvider
{
    /// <summary>The fix's title.</summary>
    public const string Title = "Wrap in NoDerivative.Of(...)";

    /// <summary>The equivalence key of the fix for DIFF0003.</summary>
    public const string CallEquivalenceKey = "DIFF0003.WrapInNoDerivativeOf";

    /// <summary>The equivalence key of the fix for DIFF0014.</summary>
    public const string RoundingEquivalenceKey = "DIFF0014.WrapInNoDerivativeOf";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NoDerivative.Id,
        DiagnosticDescriptors.DerivativeThroughRounding.Id);

    /// <inheritdoc/>
    protected override void RegisterCodeFixes(CodeFixContext context, SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        bool isCall = diagnostic.Id == DiagnosticDescriptors.NoDerivative.Id;
        SyntaxNode? site = isCall
            ? FixSyntax.NodeAt<InvocationExpressionSyntax>(root, diagnostic.Location.SourceSpan)
            : FixSyntax.NodeAt<ExpressionSyntax>(root, diagnostic.Location.SourceSpan);
        List<ExpressionSyntax> operands = site switch
        {
            InvocationExpressionSyntax call when isCall => FloatingArguments(model, call, context.CancellationToken),
            InvocationExpressionSyntax { ArgumentList.Arguments.Count: 1 } rounding => Wrappable(model, rounding.ArgumentList.Arguments[0].Expression, context.CancellationToken),
            CastExpressionSyntax cast => Wrappable(model, cast.Expression, context.CancellationToken),
            _ => [],
        };
        if (site is null || operands.Count == 0)
        {
            return;
        }

        Document document = context.Document;
        SyntaxNode target = site;
        context.RegisterCodeFix(
            CodeAction.Create(
                Title,
                cancellationToken => FixSyntax.ReplaceAsync(
                    document,
                    target,
                    target.ReplaceNodes(operands, (_, rewritten) => FixSyntax.WrapInNoDerivativeOf(rewritten)),
                    cancellationToken),
                isCall ? CallEquivalenceKey : RoundingEquivalenceKey),
            diagnostic);
    }

    /// <summary>The call's by-value floating arguments that are not constants and not wrapped yet.</summary>
    private static List<ExpressionSyntax> FloatingArguments(SemanticModel model, InvocationExpressionSyntax call, CancellationToken cancellationToken) =>
        call.ArgumentList.Arguments
            .Where(a => a.RefKindKeyword.RawKind == 0)
            .SelectMany(a => Wrappable(model, a.Expression, cancellationToken))
            .ToList();

    private static List<ExpressionSyntax> Wrappable(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken) =>
        FixSyntax.IsFloating(model.GetTypeInfo(expression, cancellationToken).Type)
        && !model.GetConstantValue(expression, cancellationToken).HasValue
        && !FixSyntax.IsNoDerivativeOf(model, expression, cancellationToken)
            ? [expression]
            : [];
}
