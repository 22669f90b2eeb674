using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Lowering;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator.Rules;

internal enum RegistrationKind
{
    Jvp,
    Vjp,
}

/// <summary>
/// A <c>[DerivativeOf]</c> method: which function it differentiates, in which mode. <see cref="Site"/> is
/// null for a registration read from a referenced assembly; <see cref="IsPublic"/> says whether
/// assemblies referencing this one can call it.
/// </summary>
internal sealed record Registration(string TargetKey, string TargetName, RegistrationKind Kind, MethodName Method, string Display, SourceSpan? Site, bool IsPublic);

/// <summary>The result of reading one <c>[DerivativeOf]</c> method: a registration, or why it is not one.</summary>
internal sealed record RegistrationResult(Registration? Registration, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Reads custom derivative registrations. The shape decides the mode: for a function
/// <c>R M(P…)</c> with differentiable parameters <c>D…</c>, <c>(R Value, R Tangent) J(P…, D…)</c> is its
/// forward mode and <c>R V(P…, R dResult, out D…)</c> its reverse mode.
/// </summary>
internal static class Registrations
{
    public const string AttributeName = "Differentiable.DerivativeOfAttribute";

    /// <summary>The assembly attribute that lists the types holding an assembly's public registrations.</summary>
    public const string ExportAttributeName = "Differentiable.DerivativeRegistrationsAttribute";

    public static RegistrationResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(
            (IMethodSymbol)context.TargetSymbol,
            context.Attributes[0],
            SourceSpan.From(((MethodDeclarationSyntax)context.TargetNode).Identifier.GetLocation()));

    /// <summary>
    /// The registrations that referenced assemblies export (<c>[assembly: DerivativeRegistrations(…)]</c>,
    /// written by the generator there), so a library's custom derivatives serve its consumers.
    /// </summary>
    public static EquatableArray<Registration> FromReferences(Compilation compilation, CancellationToken cancellationToken)
    {
        var found = new List<Registration>();
        foreach (IAssemblySymbol assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (AttributeData exported in assembly.GetAttributes())
            {
                if (exported.AttributeClass?.ToDisplayString() != ExportAttributeName || exported.ConstructorArguments.Length != 1)
                {
                    continue;
                }

                foreach (TypedConstant type in exported.ConstructorArguments[0].Values)
                {
                    if (type.Value is not INamedTypeSymbol holder)
                    {
                        continue;
                    }

                    foreach (IMethodSymbol method in holder.GetMembers().OfType<IMethodSymbol>())
                    {
                        AttributeData? attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeName);
                        if (attribute is not null && Parse(method, attribute, site: null).Registration is { IsPublic: true } registration)
                        {
                            found.Add(registration with { Display = registration.Display + " in " + assembly.Name });
                        }
                    }
                }
            }
        }

        return found.ToEquatableArray();
    }

    /// <summary>Reads one registration method (from source, with its <paramref name="site"/>, or from metadata).</summary>
    internal static RegistrationResult Parse(IMethodSymbol registration, AttributeData attribute, SourceSpan? site)
    {
        string display = registration.ContainingType.Name + "." + registration.Name;
        RegistrationResult Invalid(string target, string why) =>
            new(null, EquatableArray.Of(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidRegistration, site, display, target, why)));

        if (attribute.ConstructorArguments.Length != 2
            || attribute.ConstructorArguments[0].Value is not INamedTypeSymbol owner
            || attribute.ConstructorArguments[1].Value is not string name)
        {
            return Invalid("?", "the attribute needs the declaring type and the method name: [DerivativeOf(typeof(Owner), nameof(Owner.M))]");
        }

        string targetName = owner.Name + "." + name;
        var candidates = owner.GetMembers(name).OfType<IMethodSymbol>().Where(m => !m.IsGenericMethod).ToList();
        if (candidates.Count == 0)
        {
            return Invalid(targetName, $"'{owner.Name}' has no non-generic method named '{name}'");
        }

        if (!registration.IsStatic || registration.IsGenericMethod)
        {
            return Invalid(targetName, "a derivative registration must be a static, non-generic method");
        }

        if (!IsVisibleToAssembly(registration))
        {
            return Invalid(targetName, "a derivative registration must be public or internal (generated code calls it from other types)");
        }

        foreach (IMethodSymbol candidate in candidates)
        {
            RegistrationKind? kind = Match(candidate, registration);
            if (kind is null)
            {
                continue;
            }

            if (Lowerer.HasAttribute(candidate, "Differentiable.DifferentiableAttribute"))
            {
                return new(null, EquatableArray.Of(DiagnosticInfo.Create(
                    DiagnosticDescriptors.DuplicateRegistration, site, targetName, kind.Value.ToString(), "it is [Differentiable], so its derivatives are generated")));
            }

            var parameterTypes = candidate.Parameters.Select(p => Lowerer.TypeOf(p.Type)!).ToList();
            string candidateOwner = owner.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (ScalarRules.TryGetPrimitive(candidateOwner, name, parameterTypes, out _))
            {
                return new(null, EquatableArray.Of(DiagnosticInfo.Create(
                    DiagnosticDescriptors.DuplicateRegistration, site, targetName, kind.Value.ToString(), "a built-in rule")));
            }

            var method = new MethodName(registration.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), registration.Name);
            bool isPublic = registration.DeclaredAccessibility == Accessibility.Public
                && IsPubliclyVisible(registration.ContainingType);
            return new(new Registration(Lowerer.KeyOf(candidate.OriginalDefinition), targetName, kind.Value, method, display, site, isPublic), EquatableArray<DiagnosticInfo>.Empty);
        }

        return Invalid(targetName, "its signature matches neither derivative shape; expected " + string.Join(" or ", candidates.Select(ExpectedShapes)));
    }

    /// <summary>
    /// The registry: every valid registration once per function and mode, those of referenced assemblies
    /// first; a second registration of the same function and mode is reported.
    /// </summary>
    public static Registry BuildRegistry(System.Collections.Immutable.ImmutableArray<RegistrationResult> results, EquatableArray<Registration> referenced)
    {
        var entries = new List<Registration>(referenced);
        var diagnostics = new List<DiagnosticInfo>();

        // In source order, so the generator and the analyzer report the same registration as the second one.
        static SourceSpan? Site(RegistrationResult r) => r.Registration?.Site ?? (r.Diagnostics.Count > 0 ? r.Diagnostics[0].Location : null);
        var ordered = results
            .OrderBy(r => Site(r)?.FilePath ?? string.Empty, System.StringComparer.Ordinal)
            .ThenBy(r => Site(r)?.Span.Start ?? 0);
        foreach (RegistrationResult result in ordered)
        {
            diagnostics.AddRange(result.Diagnostics);
            if (result.Registration is not { } registration)
            {
                continue;
            }

            Registration? existing = entries.FirstOrDefault(e => e.TargetKey == registration.TargetKey && e.Kind == registration.Kind);
            if (existing is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.DuplicateRegistration, registration.Site, registration.TargetName, registration.Kind.ToString(), existing.Display));
                continue;
            }

            entries.Add(registration);
        }

        return new Registry(entries.ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    private static RegistrationKind? Match(IMethodSymbol target, IMethodSymbol registration)
    {
        IrType? result = target.ReturnsVoid ? null : Lowerer.TypeOf(target.ReturnType);
        var parameters = target.Parameters.Select(p => Lowerer.TypeOf(p.Type)).ToList();
        if (result is null || !result.HasFloating || parameters.Any(p => p is null) || target.Parameters.Any(p => p.RefKind is not (RefKind.None or RefKind.In)))
        {
            return null;
        }

        if (target.Parameters.Where((p, i) => parameters[i]!.IsDifferentiableBuffer && !Lowerer.HasAttribute(p, "Differentiable.NoDerivativeAttribute")).Any())
        {
            return null; // shadows of arrays and spans in custom derivatives: not yet (see ExpectedShapes)
        }

        var differentiable = target.Parameters.Where((p, i) => parameters[i]!.IsFloating && !Lowerer.HasAttribute(p, "Differentiable.NoDerivativeAttribute"))
            .Select(p => Lowerer.TypeOf(p.Type)!).ToList();
        var actual = registration.Parameters;
        bool PrimalPrefix() => actual.Length >= parameters.Count
            && parameters.Select((p, i) => ByValue(actual[i]) && Same(Lowerer.TypeOf(actual[i].Type), p!)).All(x => x);

        // Forward mode: (R Value, R Tangent) J(P…, D…)
        if (actual.Length == parameters.Count + differentiable.Count && PrimalPrefix()
            && differentiable.Select((d, i) => ByValue(actual[parameters.Count + i]) && Same(Lowerer.TypeOf(actual[parameters.Count + i].Type), d)).All(x => x)
            && Lowerer.TypeOf(registration.ReturnType) is { Kind: ValueKind.Tuple, Elements.Count: 2 } pair
            && Same(pair.Elements[0], result) && Same(pair.Elements[1], result))
        {
            return RegistrationKind.Jvp;
        }

        // Reverse mode: R V(P…, R dResult, out D…)
        if (actual.Length == parameters.Count + 1 + differentiable.Count && PrimalPrefix()
            && ByValue(actual[parameters.Count]) && Same(Lowerer.TypeOf(actual[parameters.Count].Type), result)
            && differentiable.Select((d, i) => actual[parameters.Count + 1 + i].RefKind == RefKind.Out && Same(Lowerer.TypeOf(actual[parameters.Count + 1 + i].Type), d)).All(x => x)
            && !registration.ReturnsVoid && Same(Lowerer.TypeOf(registration.ReturnType), result))
        {
            return RegistrationKind.Vjp;
        }

        return null;
    }

    private static bool ByValue(IParameterSymbol parameter) => parameter.RefKind is RefKind.None or RefKind.In;

    /// <summary>Type equality that ignores tuple element names.</summary>
    private static bool Same(IrType? a, IrType b) =>
        a is not null && a.Kind == b.Kind
        && (a.Kind == ValueKind.Tuple
            ? a.Elements.Count == b.Elements.Count && a.Elements.Select((e, i) => Same(e, b.Elements[i])).All(x => x)
            : a.CSharp == b.CSharp);

    private static string ExpectedShapes(IMethodSymbol target)
    {
        if (target.Parameters.Any(p => Lowerer.TypeOf(p.Type)?.IsDifferentiableBuffer == true && !Lowerer.HasAttribute(p, "Differentiable.NoDerivativeAttribute")))
        {
            return "no shape yet: custom derivatives of methods with array or span parameters (other than [NoDerivative] ones) are not supported";
        }

        string result = target.ReturnType.ToDisplayString();
        var primal = target.Parameters.Select(p => p.Type.ToDisplayString() + " " + p.Name).ToList();
        var differentiable = target.Parameters
            .Where(p => Lowerer.TypeOf(p.Type)?.IsFloating == true && !Lowerer.HasAttribute(p, "Differentiable.NoDerivativeAttribute"))
            .ToList();
        string jvp = $"'static ({result} Value, {result} Tangent) {target.Name}Jvp({string.Join(", ", primal.Concat(differentiable.Select(p => p.Type.ToDisplayString() + " d" + p.Name)))})'";
        string vjp = $"'static {result} {target.Name}Vjp({string.Join(", ", primal.Concat([result + " dResult"]).Concat(differentiable.Select(p => "out " + p.Type.ToDisplayString() + " d" + p.Name)))})'";
        return jvp + " (forward mode) or " + vjp + " (reverse mode)";
    }

    private static bool IsPubliclyVisible(INamedTypeSymbol? type)
    {
        for (; type is not null; type = type.ContainingType)
        {
            if (type.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsVisibleToAssembly(ISymbol symbol)
    {
        for (ISymbol? s = symbol; s is not null and not INamespaceSymbol; s = s.ContainingSymbol)
        {
            if (s.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>All valid registrations of the compilation, and the diagnostics about the rest.</summary>
internal sealed record Registry(EquatableArray<Registration> Entries, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The types holding this assembly's public registrations, to export to referencing assemblies.</summary>
    public IEnumerable<string> ExportedTypes => Entries.Where(e => e.Site is not null && e.IsPublic).Select(e => e.Method.Owner!).Distinct();

    /// <summary>The registry as call resolution sees it: entries without their source positions, no diagnostics.</summary>
    public Registry ForResolution() =>
        new(Entries.Select(e => e with { Site = null, IsPublic = false }).ToEquatableArray(), EquatableArray<DiagnosticInfo>.Empty);

    /// <summary>Gives the calls to functions with registered derivatives their derivative methods.</summary>
    public IrFunction Resolve(IrFunction primal) =>
        primal with
        {
            Body = IrRewrite.MapExpressions(primal.Body, e =>
                e is Call { Callee: MethodCallee { Derivatives: null } callee } call && Find(callee.Key) is { } found
                    ? call with { Callee = callee with { Derivatives = found } }
                    : e),
        };

    /// <summary>The registered derivative methods of a function, or null when it has none.</summary>
    public DerivativeMethods? Find(string key)
    {
        Registration? jvp = Entries.FirstOrDefault(e => e.TargetKey == key && e.Kind == RegistrationKind.Jvp);
        Registration? vjp = Entries.FirstOrDefault(e => e.TargetKey == key && e.Kind == RegistrationKind.Vjp);
        return jvp is null && vjp is null
            ? null
            : new DerivativeMethods(jvp?.Method, vjp?.Method, "registered by " + (jvp ?? vjp)!.Display);
    }
}
