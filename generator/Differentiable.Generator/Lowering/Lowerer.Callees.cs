using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Lowering;

/// <summary>
/// What a callee does to the arrays and spans it is passed. A <c>ReadOnlySpan</c> is never written; an array or a
/// <c>Span</c> is written unless the callee's body shows it only reads it (a method of this compilation), or the
/// signature of its generated <c>Jvp</c> does (a read-only parameter's tangent is a <c>ReadOnlySpan</c>). Knowing this, a
/// caller may pass the same array to a helper twice, or write it after the call, and the helper's re-run in the reverse
/// sweep still sees what it read.
/// </summary>
internal sealed partial class Lowerer
{
    private readonly Dictionary<IMethodSymbol, bool[]> writtenParameters = new(SymbolEqualityComparer.Default);

    /// <summary>For each parameter of <paramref name="callee"/>: may the callee write its elements?</summary>
    private bool[] WrittenParameters(IMethodSymbol callee)
    {
        callee = callee.OriginalDefinition;
        if (writtenParameters.TryGetValue(callee, out bool[]? known))
        {
            return known;
        }

        // While its body is read, a recursive callee is taken to write nothing: a write anywhere is still found.
        bool[] writes = callee.Parameters.Select(_ => false).ToArray();
        writtenParameters[callee] = writes;
        bool[]? fromJvp = FromGeneratedJvp(callee);
        IMethodBodyOperation? body = fromJvp is null ? BodyOf(callee) : null;
        for (int i = 0; i < callee.Parameters.Length; i++)
        {
            IParameterSymbol parameter = callee.Parameters[i];
            writes[i] = parameter.Type is IArrayTypeSymbol || IsSpan(parameter.Type)
                ? fromJvp?[i] ?? body is null || body.Descendants().OfType<IParameterReferenceOperation>()
                    .Any(r => SymbolEqualityComparer.Default.Equals(r.Parameter, parameter) && !IsReadOnlyUse(r))
                : parameter.RefKind is RefKind.Ref or RefKind.Out;
        }

        return writes;
    }

    /// <summary>The body of a method declared in this compilation's source, or null.</summary>
    private IMethodBodyOperation? BodyOf(IMethodSymbol callee)
    {
        if (callee.DeclaringSyntaxReferences.Length != 1
            || callee.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration
            || !compilation.ContainsSyntaxTree(declaration.SyntaxTree))
        {
            return null;
        }

        return compilation.GetSemanticModel(declaration.SyntaxTree).GetOperation(declaration, cancellationToken) as IMethodBodyOperation;
    }

    /// <summary>
    /// For a method of a referenced assembly with generated derivatives: which array and span parameters its Jvp gives a
    /// <c>Span</c> tangent (written) rather than a <c>ReadOnlySpan</c> one. Null when it has no generated Jvp; parameters
    /// without a tangent ([NoDerivative]) count as written.
    /// </summary>
    private static bool[]? FromGeneratedJvp(IMethodSymbol callee)
    {
        if (callee.DeclaringSyntaxReferences.Length > 0)
        {
            return null;
        }

        IMethodSymbol? jvp = callee.ContainingType.GetMembers().OfType<IMethodSymbol>().FirstOrDefault(m => m.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == GeneratedDerivativeAttributeName
            && a.ConstructorArguments.Length == 3 && a.ConstructorArguments[0].Value as string == callee.Name && a.ConstructorArguments[1].Value is 1)
            && m.Parameters.Length >= callee.Parameters.Length
            && callee.Parameters.Select((p, i) => SymbolEqualityComparer.Default.Equals(p.Type, m.Parameters[i].Type)).All(same => same));
        if (jvp is null)
        {
            return null;
        }

        var writes = new bool[callee.Parameters.Length];
        int tangent = callee.Parameters.Length;
        for (int i = 0; i < callee.Parameters.Length; i++)
        {
            IParameterSymbol parameter = callee.Parameters[i];
            bool differentiable = TypeOf(parameter.Type) is { } type && (type.IsFloating || type.IsDifferentiableBuffer) && !HasAttribute(parameter, NoDerivativeAttributeName);
            ITypeSymbol? tangentType = differentiable && tangent < jvp.Parameters.Length ? jvp.Parameters[tangent++].Type : null;
            writes[i] = parameter.Type is IArrayTypeSymbol || IsSpan(parameter.Type)
                ? tangentType is not INamedTypeSymbol { Name: "ReadOnlySpan" }
                : parameter.RefKind is RefKind.Ref or RefKind.Out;
        }

        return writes;
    }

    private static bool IsSpan(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "Span", TypeArguments.Length: 1 } span && span.ContainingNamespace?.ToDisplayString() == "System";

    /// <summary>
    /// True when a use of an array or span only reads its elements: an element read, <c>Length</c>, a <c>foreach</c>, a
    /// conversion to <c>ReadOnlySpan</c>, or an argument a callee only reads. Anything else (an element written or taken by
    /// reference, a <c>Span</c> or array local naming it, a call that may write it) may write it.
    /// </summary>
    private bool IsReadOnlyUse(IOperation use)
    {
        IOperation? parent = use.Parent;
        switch (parent)
        {
            case IArrayElementReferenceOperation element when element.ArrayReference == use:
            case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance == use:
            case IImplicitIndexerReferenceOperation implicitIndexer when implicitIndexer.Instance == use:
            {
                IOperation access = parent;
                return access.Type is IArrayTypeSymbol || IsSpan(access.Type!)
                    ? IsReadOnlyUse(access) // a row of a jagged array: how the row is used
                    : !IsWrittenOrReferenced(access);
            }

            case IPropertyReferenceOperation { Property.Name: "Length" }:
                return true;
            case IForEachLoopOperation loop when loop.Collection == use:
                return loop.LoopControlVariable is not IVariableDeclaratorOperation { Symbol.RefKind: RefKind.Ref };
            case IConversionOperation { Type: INamedTypeSymbol { Name: "ReadOnlySpan" } }:
                return true;
            case IConversionOperation conversion when conversion.Type is IArrayTypeSymbol || IsSpan(conversion.Type!):
                return IsReadOnlyUse(conversion);
            case IArgumentOperation { Parameter: { } parameter } argument when argument.Parent is IInvocationOperation invocation:
                return parameter.RefKind is RefKind.None or RefKind.In
                    && (parameter.Type is INamedTypeSymbol { Name: "ReadOnlySpan" } || !WrittenParameters(invocation.TargetMethod)[parameter.Ordinal]);
            default:
                return false;
        }
    }

    /// <summary>True when an element access is written (assigned, stepped, passed by ref or out) or bound to a ref local.</summary>
    private static bool IsWrittenOrReferenced(IOperation access) => access.Parent switch
    {
        IAssignmentOperation assignment => assignment.Target == access,
        IIncrementOrDecrementOperation => true,
        IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out,
        IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.RefKind: not RefKind.None } } => true,
        IConditionalOperation { IsRef: true } => true,
        IReturnOperation => access.SemanticModel?.GetEnclosingSymbol(access.Syntax.SpanStart) is IMethodSymbol { ReturnsByRef: true },
        _ => false,
    };
}
