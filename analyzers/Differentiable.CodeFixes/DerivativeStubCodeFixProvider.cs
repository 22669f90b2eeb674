using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Differentiable.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.CodeFixes;

/// <summary>
/// DIFF0003 (a call with no derivative): "Add a [DerivativeOf] registration stub for 'M'". Adds, at the end of the
/// namespace (or file), a static class with a forward-mode (<c>MJvp</c>) and a reverse-mode (<c>MVjp</c>)
/// registration of the callee, with the shapes the generator expects. Their bodies compute the value and
/// throw <see cref="System.NotImplementedException"/> where the derivative is to be written.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DerivativeStubCodeFixProvider)), Shared]
public sealed class DerivativeStubCodeFixProvider : DifferentiableCodeFixProvider
{
    /// <summary>The equivalence key of the fix.</summary>
    public const string EquivalenceKey = "DIFF0003.AddDerivativeStub";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NoDerivative.Id);

    /// <summary>No fix-all: two calls of one function would get two registrations of it.</summary>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    protected override void RegisterCodeFixes(CodeFixContext context, SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        if (FixSyntax.NodeAt<InvocationExpressionSyntax>(root, diagnostic.Location.SourceSpan) is not { } call
            || model.GetSymbolInfo(call, context.CancellationToken).Symbol is not IMethodSymbol callee
            || !CanRegister(callee, model.Compilation))
        {
            return;
        }

        // "'M (reverse mode)' has no derivative": M has a forward-mode registration already.
        bool reverseOnly = diagnostic.GetMessage(CultureInfo.InvariantCulture).Contains(" (reverse mode)'");
        Document document = context.Document;
        context.RegisterCodeFix(
            CodeAction.Create(
                $"Add a [DerivativeOf] registration stub for '{callee.Name}'",
                cancellationToken => AddStubAsync(document, call, callee, reverseOnly, cancellationToken),
                EquivalenceKey),
            diagnostic);
    }

    /// <summary>
    /// Whether a registration can be written for <paramref name="callee"/> from outside its type: static,
    /// non-generic, visible in this assembly, over the types the generator differentiates.
    /// </summary>
    private static bool CanRegister(IMethodSymbol callee, Compilation compilation)
    {
        for (INamedTypeSymbol? type = callee.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType)
            {
                return false;
            }
        }

        return callee is { IsStatic: true, IsGenericMethod: false, ReturnsVoid: false, ReturnsByRef: false, ReturnsByRefReadonly: false, MethodKind: MethodKind.Ordinary }
            && compilation.IsSymbolAccessibleWithin(callee, compilation.Assembly)
            && IsSupported(callee.ReturnType, allowTuple: true) && HasFloating(callee.ReturnType)
            && callee.Parameters.All(p => p.RefKind is RefKind.None or RefKind.In && !p.IsParams && IsSupported(p.Type, allowTuple: false))
            && callee.Parameters.Any(IsDifferentiable);
    }

    private static bool IsSupported(ITypeSymbol type, bool allowTuple) =>
        type.SpecialType is SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Boolean
            or SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
            or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
        || (allowTuple && type is INamedTypeSymbol { IsTupleType: true } tuple && tuple.TupleElements.All(e => IsSupported(e.Type, allowTuple: false)));

    private static bool HasFloating(ITypeSymbol type) =>
        FixSyntax.IsFloating(type) || (type is INamedTypeSymbol { IsTupleType: true } tuple && tuple.TupleElements.Any(e => FixSyntax.IsFloating(e.Type)));

    /// <summary>As the generator decides: a floating parameter not marked [NoDerivative].</summary>
    private static bool IsDifferentiable(IParameterSymbol parameter) =>
        FixSyntax.IsFloating(parameter.Type) && !FixSyntax.HasAttribute(parameter, FixSyntax.NoDerivativeAttributeName);

    private static async Task<Document> AddStubAsync(Document document, InvocationExpressionSyntax call, IMethodSymbol callee, bool reverseOnly, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        SemanticModel model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
        SourceText text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        string newLine = FixSyntax.NewLine(text);

        BaseNamespaceDeclarationSyntax? container = call.FirstAncestorOrSelf<BaseNamespaceDeclarationSyntax>();
        INamespaceSymbol? ns = container is null
            ? model.Compilation.GlobalNamespace
            : model.GetDeclaredSymbol(container, cancellationToken) as INamespaceSymbol;
        string className = UniqueTypeName(model.Compilation, ns, callee.Name + "Derivatives", cancellationToken);

        var stub = (ClassDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(StubSource(callee, className, reverseOnly, newLine))!;
        stub = stub
            .ReplaceNodes(
                stub.DescendantNodes().OfType<AttributeSyntax>(),
                (_, attribute) => attribute.WithName(attribute.Name.WithAdditionalAnnotations(Simplifier.AddImportsAnnotation)))
            .WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation);

        SyntaxNode newRoot;
        switch (container)
        {
            case BaseNamespaceDeclarationSyntax declaration:
                newRoot = root.ReplaceNode(declaration, declaration.AddMembers(Separated(stub, declaration.Members.Last(), newLine)));
                break;
            default:
                var unit = (CompilationUnitSyntax)root;
                newRoot = unit.Members.Count == 0
                    ? unit.AddMembers(stub.WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine)))
                    : unit.AddMembers(Separated(stub, unit.Members.Last(), newLine));
                break;
        }

        return await FixSyntax.CleanUpAsync(document.WithSyntaxRoot(newRoot), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stub after a blank line; it ends its line if the member before it did (a file may end without one).</summary>
    private static ClassDeclarationSyntax Separated(ClassDeclarationSyntax stub, MemberDeclarationSyntax previous, string newLine)
    {
        SyntaxTriviaList trailing = previous.GetTrailingTrivia();
        bool previousEndsLine = trailing.Count > 0 && trailing[trailing.Count - 1].IsKind(SyntaxKind.EndOfLineTrivia);
        var leading = new List<SyntaxTrivia>();
        if (!previousEndsLine)
        {
            leading.Add(SyntaxFactory.EndOfLine(newLine));
        }

        leading.Add(SyntaxFactory.EndOfLine(newLine));
        return stub.WithLeadingTrivia(leading).WithTrailingTrivia(previousEndsLine ? SyntaxFactory.EndOfLine(newLine) : default);
    }

    /// <summary><paramref name="name"/>, or with a number after it if a type of that name exists already.</summary>
    private static string UniqueTypeName(Compilation compilation, INamespaceSymbol? ns, string name, CancellationToken cancellationToken)
    {
        for (int suffix = 1; ; suffix++)
        {
            string candidate = suffix == 1 ? name : name + suffix.ToString(CultureInfo.InvariantCulture);
            if (!compilation.GetSymbolsWithName(candidate, SymbolFilter.Type, cancellationToken).Any()
                && (ns is null || !ns.GetMembers(candidate).Any()))
            {
                return candidate;
            }
        }
    }

    /// <summary>
    /// The registration class, with fully qualified names that the clean-up shortens. For
    /// <c>R M(P…)</c> with differentiable parameters <c>D…</c>:
    /// <c>(R Value, R Tangent) MJvp(P…, D…)</c> and <c>R MVjp(P…, R dResult, out D…)</c>.
    /// </summary>
    private static string StubSource(IMethodSymbol callee, string className, bool reverseOnly, string newLine)
    {
        string owner = callee.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        string result = callee.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        string m = callee.Name;

        var taken = new HashSet<string>(callee.Parameters.Select(p => p.Name));
        string Fresh(string name)
        {
            // As the generator names derivatives: a keyword is taken too (a parameter 'o' gets 'do1', never 'do').
            string candidate = name;
            for (int i = 1; SyntaxFacts.GetKeywordKind(candidate) != SyntaxKind.None || !taken.Add(candidate); i++)
            {
                candidate = name + i.ToString(CultureInfo.InvariantCulture);
            }

            return candidate;
        }

        var primal = callee.Parameters.Select(p => (Type: p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Name: Identifier(p.Name))).ToList();
        var differentiable = callee.Parameters.Where(IsDifferentiable)
            .Select(p => (Type: p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Primal: p.Name, Name: Identifier(Fresh("d" + p.Name))))
            .ToList();
        string dResult = Identifier(Fresh("dResult"));
        string value = Identifier(Fresh("value"));

        string attribute = $"[global::Differentiable.DerivativeOf(typeof({owner}), nameof({owner}.{Identifier(m)}))]";
        string valueLine = $"{result} {value} = {owner}.{Identifier(m)}({string.Join(", ", primal.Select(p => p.Name))});";
        string partials = string.Join(", ", differentiable.Select(d => $"∂{m}/∂{d.Primal}"));
        string notImplemented = $"throw new global::System.NotImplementedException(\"Derivative of {m}: write {partials} here.\");";

        var source = new StringBuilder();
        void Line(string line) => source.Append(line).Append(newLine);

        Line($"public static class {className}");
        Line("{");
        if (!reverseOnly)
        {
            string tangent = string.Join(" + ", differentiable.Select(d => $"∂{m}/∂{d.Primal} · {d.Name}"));
            Line(attribute);
            Line($"public static ({result} Value, {result} Tangent) {Identifier(m + "Jvp")}({string.Join(", ", primal.Concat(differentiable.Select(d => (d.Type, d.Name))).Select(p => p.Type + " " + p.Name))})");
            Line("{");
            Line(valueLine);
            Line($"// TODO: forward mode. Return ({value}, tangent) with tangent = {tangent}.");
            Line(notImplemented);
            Line("}");
            Line(string.Empty);
        }

        string adjoints = string.Join(", ", differentiable.Select(d => $"{d.Name} = {dResult} · ∂{m}/∂{d.Primal}"));
        Line(attribute);
        Line($"public static {result} {Identifier(m + "Vjp")}({string.Join(", ", primal.Select(p => p.Type + " " + p.Name).Append($"{result} {dResult}").Concat(differentiable.Select(d => $"out {d.Type} {d.Name}")))})");
        Line("{");
        Line(valueLine);
        Line($"// TODO: reverse mode. Set {adjoints}, then return {value}.");
        Line(notImplemented);
        Line("}");
        source.Append('}');
        return source.ToString();
    }

    /// <summary>A name as an identifier: a keyword gets an '@'.</summary>
    private static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
