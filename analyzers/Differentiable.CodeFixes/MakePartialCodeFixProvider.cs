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

/// <summary>DIFF0001: "Make 'T' partial" adds the <c>partial</c> modifier to every declaration of the type.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
public sealed class MakePartialCodeFixProvider : DifferentiableCodeFixProvider
{
    /// <summary>The equivalence key of the fix.</summary>
    public const string EquivalenceKey = "DIFF0001.MakePartial";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.TypeNotPartial.Id);

    /// <inheritdoc/>
    protected override void RegisterCodeFixes(CodeFixContext context, SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        SyntaxToken identifier = root.FindToken(diagnostic.Location.SourceSpan.Start);
        if (identifier.Parent is not TypeDeclarationSyntax declaration
            || declaration.Identifier != identifier
            || model.GetDeclaredSymbol(declaration, context.CancellationToken) is not { } type)
        {
            return;
        }

        Solution solution = context.Document.Project.Solution;
        context.RegisterCodeFix(
            CodeAction.Create(
                $"Make '{type.Name}' partial",
                cancellationToken => MakePartialAsync(solution, type, cancellationToken),
                EquivalenceKey),
            diagnostic);
    }

    private static async Task<Solution> MakePartialAsync(Solution solution, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (IGrouping<SyntaxTree, SyntaxReference> declarations in type.DeclaringSyntaxReferences.GroupBy(r => r.SyntaxTree))
        {
            Document? document = solution.GetDocument(declarations.Key);
            if (document is null)
            {
                continue;
            }

            SyntaxNode root = await declarations.Key.GetRootAsync(cancellationToken).ConfigureAwait(false);
            var nodes = declarations
                .Select(r => r.GetSyntax(cancellationToken))
                .OfType<TypeDeclarationSyntax>()
                .Where(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword));
            solution = solution.WithDocumentSyntaxRoot(document.Id, root.ReplaceNodes(nodes, (_, rewritten) => AddPartial(rewritten)));
        }

        return solution;
    }

    /// <summary><c>partial</c> goes last among the modifiers, right before <c>class</c>, <c>struct</c> or <c>record</c>.</summary>
    private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax declaration)
    {
        SyntaxToken partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count > 0)
        {
            return declaration.WithModifiers(declaration.Modifiers.Add(partial));
        }

        // No modifiers: the keyword's indentation moves to 'partial'.
        SyntaxToken keyword = declaration.Keyword;
        return declaration
            .WithKeyword(keyword.WithLeadingTrivia())
            .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
    }
}
