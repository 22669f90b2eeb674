using System;
using System.Collections.Immutable;
using System.Linq;
using Differentiable.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Analyzers;

/// <summary>
/// DIFF0019: a positional argument to a generated derivative (<c>{M}Jvp</c>, <c>{M}Vjp</c>, <c>{M}Gradient</c>) that
/// is a local or parameter named like another parameter of that derivative, such as <c>GVjp(x, dx, ct)</c> where
/// <c>dx</c> lands in <c>dResult</c>. Cotangents and shadows of equal lengths swap without an error and give zeros,
/// so the names are the only hint. Two primal parameters swapped are not reported: that is the primal's own call.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DerivativeArgumentAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property holding the name of the parameter the argument is bound to.</summary>
    public const string ParameterProperty = "Parameter";

    /// <summary>The diagnostic property holding the name of the parameter the argument is named like.</summary>
    public const string NamedLikeProperty = "NamedLike";

    private static readonly string[] Suffixes = ["Jvp", "Vjp", "Gradient"];

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ArgumentNamedLikeOtherParameter);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(AnalyzeInvocation, OperationKind.Invocation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol member = invocation.TargetMethod;
        if (PrimalParameterCount(member) is not int primalCount)
        {
            return;
        }

        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument is not { ArgumentKind: ArgumentKind.Explicit, Parameter: { } parameter, Syntax: ArgumentSyntax { NameColon: null } syntax }
                || VariableName(argument.Value) is not { } name
                || name == parameter.Name)
            {
                continue;
            }

            // The parameter the argument is named like, when it is another one and the two are not both primal.
            IParameterSymbol? namedLike = member.Parameters.FirstOrDefault(p => p.Name == name);
            if (namedLike is null || (parameter.Ordinal < primalCount && namedLike.Ordinal < primalCount))
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ArgumentNamedLikeOtherParameter,
                syntax.GetLocation(),
                ImmutableDictionary<string, string?>.Empty
                    .Add(ParameterProperty, parameter.Name)
                    .Add(NamedLikeProperty, namedLike.Name),
                name,
                parameter.Name,
                member.Name,
                namedLike.Name));
        }
    }

    /// <summary>
    /// The number of primal parameters leading <paramref name="member"/>'s when it is a derivative the generator
    /// wrote: named <c>{M}Jvp</c>, <c>{M}Vjp</c> or <c>{M}Gradient</c>, marked <c>GeneratedCode("Differentiable")</c>,
    /// beside a <c>[Differentiable]</c> method <c>M</c> whose parameters lead its own. Null for any other method.
    /// </summary>
    internal static int? PrimalParameterCount(IMethodSymbol member)
    {
        string? suffix = Suffixes.FirstOrDefault(s => member.Name.Length > s.Length && member.Name.EndsWith(s, StringComparison.Ordinal));
        if (suffix is null || !member.GetAttributes().Any(IsGeneratedByDifferentiable))
        {
            return null;
        }

        string primalName = member.Name.Substring(0, member.Name.Length - suffix.Length);
        foreach (IMethodSymbol primal in member.ContainingType.GetMembers(primalName).OfType<IMethodSymbol>())
        {
            if (primal.Parameters.Length < member.Parameters.Length
                && primal.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Differentiable.DifferentiableAttribute")
                && primal.Parameters.Select((p, i) => p.Name == member.Parameters[i].Name
                        && SymbolEqualityComparer.Default.Equals(p.Type, member.Parameters[i].Type))
                    .All(same => same))
            {
                return primal.Parameters.Length;
            }
        }

        return null;
    }

    private static bool IsGeneratedByDifferentiable(AttributeData attribute) =>
        attribute.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"
        && attribute.ConstructorArguments.Length > 0
        && attribute.ConstructorArguments[0].Value is "Differentiable";

    /// <summary>
    /// The name of the local or parameter an argument simply is (<c>dx</c>, <c>out dx</c>, <c>out double dx</c>,
    /// an array converted to a span), without a verbatim <c>@</c>; null for any other expression.
    /// </summary>
    private static string? VariableName(IOperation value)
    {
        while (value is IConversionOperation { IsImplicit: true } conversion)
        {
            value = conversion.Operand;
        }

        if (value is IDeclarationExpressionOperation declaration)
        {
            value = declaration.Expression;
        }

        return value switch
        {
            ILocalReferenceOperation local => local.Local.Name,
            IParameterReferenceOperation parameter => parameter.Parameter.Name,
            _ => null,
        };
    }
}
