using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Differentiable.CodeFixes;

/// <summary>
/// What every Differentiable code fix shares: the document's syntax root and semantic model are read once,
/// then each diagnostic gets its fixes; fix-all batches them unless a provider says otherwise.
/// </summary>
public abstract class DifferentiableCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            RegisterCodeFixes(context, root, model, diagnostic);
        }
    }

    /// <summary>Registers the fixes this provider offers for one diagnostic.</summary>
    protected abstract void RegisterCodeFixes(CodeFixContext context, SyntaxNode root, SemanticModel model, Diagnostic diagnostic);
}
