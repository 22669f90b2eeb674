using Differentiable.Generator.Ir;

namespace Differentiable.Generator.Model;

/// <summary>One enclosing type declaration: <c>partial {Keyword} {Name}</c>.</summary>
internal sealed record TypeDeclaration(string Keyword, string Name);

/// <summary>
/// What the generator knows about one [Differentiable] method after lowering: where its derivatives
/// go, the contract it must follow, its registry key, its body as IR (null when lowering rejected it), and the highest
/// derivative order it asks for.
/// </summary>
internal sealed record MethodModel(
    string HintName,
    string? Namespace,
    EquatableArray<TypeDeclaration> ContainingTypes,
    string Name,
    string Key,
    string Modifiers,
    string PrimalSignature,
    IrFunction? Primal,
    SourceSpan Location,
    EquatableArray<DiagnosticInfo> Diagnostics,
    int Order = 1);
