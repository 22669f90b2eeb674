using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Differentiable.Generator.Diagnostics;

/// <summary>
/// The one catalog of Differentiable diagnostics, shared by the generator and the analyzers
/// (linked into both). IDs are stable; each has a page under docs/diagnostics/.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Differentiable";

    /// <summary>
    /// Where each diagnostic's page lives: docs/diagnostics/{id}.md in the repository (a wrong and a right
    /// example, and how to fix it). Set to the published repository's address when there is one.
    /// </summary>
    private const string HelpLinkRoot = "docs/diagnostics/";

    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        "DIFF0001",
        "The type of a [Differentiable] method must be partial",
        "Type '{0}' must be declared partial so the generator can add the derivatives of '{1}' to it");

    public static readonly DiagnosticDescriptor UnsupportedConstruct = Error(
        "DIFF0002",
        "Construct is not supported in a [Differentiable] method",
        "{0} is not supported in a [Differentiable] method yet; no derivatives are generated for '{1}'");

    public static readonly DiagnosticDescriptor NoDerivative = Error(
        "DIFF0003",
        "Call to a method with no derivative",
        "'{0}' has no derivative: the result of '{1}' depends on it through a differentiable value. {2}.");

    public static readonly DiagnosticDescriptor UnsupportedType = Error(
        "DIFF0004",
        "Type or parameter kind is not differentiable",
        "{0} is not supported by [Differentiable] yet; supported are double, float, tuples of them, arrays and spans of them (not by ref), out and ref parameters of scalar types, integer, bool, char, string and enum parameters, and [NoDerivative] parameters");

    public static readonly DiagnosticDescriptor GenericMethod = Error(
        "DIFF0005",
        "Generic [Differentiable] methods are not supported",
        "'{0}' is generic; [Differentiable] supports non-generic methods over double and float");

    public static readonly DiagnosticDescriptor InvalidRegistration = Error(
        "DIFF0006",
        "Derivative registration has the wrong shape",
        "'{0}' cannot be a derivative of '{1}': {2}");

    public static readonly DiagnosticDescriptor DuplicateRegistration = Error(
        "DIFF0007",
        "Function already has a derivative",
        "'{0}' already has a {1} derivative ({2}); remove one of them");

    public static readonly DiagnosticDescriptor ForwardModeUnavailable = Warning(
        "DIFF0008",
        "Forward mode is not available",
        "'{0}' has no forward-mode derivative ({2}), so '{1}Jvp' is not generated; give '{0}' one (a Jvp-shaped [DerivativeOf] registration) to get forward mode");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "DIFF0009",
        "The generator failed on a method",
        "Differentiable could not generate derivatives for '{0}': {1}. Please report this.");

    public static readonly DiagnosticDescriptor MutableFieldRead = Warning(
        "DIFF0010",
        "Mutable field is treated as a constant",
        "Field '{0}' is read as a constant: its derivative is not taken. Make it readonly or const, or pass it as a parameter to differentiate with respect to it.");

    public static readonly DiagnosticDescriptor LanguageVersionTooLow = Error(
        "DIFF0011",
        "C# 12 or later is required",
        "Differentiable needs C# 12 or later (this project uses C# {0}); no derivatives are generated");

    public static readonly DiagnosticDescriptor NoDerivativeOnNonFloating = new(
        "DIFF0012",
        "[NoDerivative] has no effect on this parameter",
        "Parameter '{0}' is of type '{1}', which is never differentiated; [NoDerivative] has no effect",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkRoot + "DIFF0012.md");

    public static readonly DiagnosticDescriptor IncompatibleMetadata = Error(
        "DIFF0013",
        "Referenced derivatives were generated with another metadata version",
        "The derivatives of '{0}' in assembly '{1}' have generated-member metadata version {2}, but this generator reads version {3}; build '{1}' and this project with the same version of Differentiable");

    public static readonly DiagnosticDescriptor DerivativeThroughRounding = Warning(
        "DIFF0014",
        "Derivative through an integer conversion or rounding is zero",
        "{0} of a differentiable value has derivative zero, so no derivative flows through it in '{1}'; if that is intended, say so with NoDerivative.Of(...)");

    public static readonly DiagnosticDescriptor ResultIndependentOfParameters = Warning(
        "DIFF0015",
        "The result does not depend on any differentiable parameter",
        "The result of '{0}' does not depend on any differentiable parameter: all its derivatives are zero");

    public static readonly DiagnosticDescriptor UnusedNoDerivativeParameter = new(
        "DIFF0016",
        "[NoDerivative] parameter is not used",
        "Parameter '{0}' is marked [NoDerivative] but '{1}' never uses it",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkRoot + "DIFF0016.md");

    public static readonly DiagnosticDescriptor GeneratedNameClash = Error(
        "DIFF0017",
        "A generated member would clash with an existing member",
        "'{0}' already declares '{1}' with the parameters the generated derivative of '{2}' would have; rename one of them");

    public static readonly DiagnosticDescriptor CalleeNotGenerated = Error(
        "DIFF0018",
        "A [Differentiable] callee gets no derivatives",
        "'{0}' gets no derivatives (see the errors reported on it), so neither does '{1}', whose derivatives would call them; fix '{0}', or pass it only values that carry no derivative");

    public static readonly DiagnosticDescriptor ArgumentNamedLikeOtherParameter = Warning(
        "DIFF0019",
        "Argument to a derivative is named like another of its parameters",
        "'{0}' is passed as '{1}' of '{2}' but is named like its parameter '{3}'; check the order of the arguments, or name them");

    public static readonly DiagnosticDescriptor SecondOrderUnavailable = Error(
        "DIFF0020",
        "Second-order derivatives cannot be generated",
        "'{1}' asks for second-order derivatives (Order = 2), which cannot be generated through {0}; remove Order = 2 for the first-order derivatives");

    public static readonly DiagnosticDescriptor InvalidOrder = Error(
        "DIFF0021",
        "Order must be 1 or 2",
        "'{1}' asks for Order = {0}; the generator emits first-order derivatives (Order = 1, the default) and second-order ones (Order = 2)");

    public static readonly ImmutableArray<DiagnosticDescriptor> All =
    [
        TypeNotPartial, UnsupportedConstruct, NoDerivative, UnsupportedType, GenericMethod, InvalidRegistration,
        DuplicateRegistration, ForwardModeUnavailable, InternalError, MutableFieldRead, LanguageVersionTooLow,
        NoDerivativeOnNonFloating, IncompatibleMetadata, DerivativeThroughRounding, ResultIndependentOfParameters,
        UnusedNoDerivativeParameter, GeneratedNameClash, CalleeNotGenerated, ArgumentNamedLikeOtherParameter, SecondOrderUnavailable,
        InvalidOrder,
    ];

    private static readonly Dictionary<string, DiagnosticDescriptor> ByIdMap = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => ByIdMap[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkRoot + id + ".md");

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinkRoot + id + ".md");
}
