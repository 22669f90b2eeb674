using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Differentiable.Generator.Analysis;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Lowering;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;
using Differentiable.Generator.Transforms;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Differentiable.Analyzers;

/// <summary>
/// Reports, as you type, everything the generator cannot differentiate and why, on the exact construct.
/// It runs the generator's own checker (<see cref="MethodCheck"/>), so the methods it reports are exactly
/// the methods the generator skips.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DifferentiableAnalyzer : DiagnosticAnalyzer
{
    private const string DifferentiableAttributeName = "Differentiable.DifferentiableAttribute";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = DiagnosticDescriptors.All
        .Where(d => d != DiagnosticDescriptors.LanguageVersionTooLow // the generator reports it, once per project
            && d != DiagnosticDescriptors.InternalError // the generator reports its failures
            && d != DiagnosticDescriptors.NoDerivativeOnNonFloating // NoDerivativeAnalyzer
            && d != DiagnosticDescriptors.ArgumentNamedLikeOtherParameter) // DerivativeArgumentAnalyzer
        .ToImmutableArray();

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            // Below C# 12 the generator reports once and generates nothing (DIFF0011): nothing to check.
            if (start.Compilation is not CSharpCompilation { LanguageVersion: >= LanguageVersion.CSharp12 } compilation)
            {
                return;
            }

            var registry = new Lazy<Registry>(() => SourceRegistry(compilation, start.CancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
            var methods = new CompilationMethods(compilation, registry, start.CancellationToken);
            start.RegisterCodeBlockAction(block => AnalyzeMethod(block, registry, methods));
            start.RegisterSymbolAction(symbol => AnalyzeRegistration(symbol, registry), SymbolKind.Method);
        });
    }

    private static void AnalyzeMethod(CodeBlockAnalysisContext context, Lazy<Registry> registry, CompilationMethods methods)
    {
        if (context.OwningSymbol is not IMethodSymbol method
            || context.CodeBlock is not MethodDeclarationSyntax syntax
            || !Lowerer.HasAttribute(method, DifferentiableAttributeName))
        {
            return;
        }

        IEnumerable<DiagnosticInfo> diagnostics;
        try
        {
            var lowering = new List<DiagnosticInfo>();
            IrFunction? lowered = Lowerer.LowerMethod(context.SemanticModel, method, syntax, lowering, context.CancellationToken);
            int order = Lowerer.OrderOf(method);
            MethodCheck.Result check = MethodCheck.Run(
                lowered, lowering, registry.Value, Lowerer.KeyOf(method.OriginalDefinition), method.Name, SourceSpan.From(syntax.Identifier.GetLocation()),
                order: order, secondOrderInlining: order == 2 && lowered is not null ? methods.SecondOrderInlining(lowered) : null);

            // As the generator decides: a callee that gets no derivatives (or no Jvp) takes them away from this method too.
            var outcomes = CalleeOutcomes.Resolve(check.Own, methods.OwnOutcome);
            diagnostics = check.Diagnostics.Concat(CalleeOutcomes.Diagnostics(check.Calls, outcomes, method.Name, check.Own.HasForwardMode, check.Own.Key));
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception)
        {
            // The generator runs the same checker, fails the same way, and reports it on the method (DIFF0009):
            // reporting it here too would show the user every failure twice.
            return;
        }

        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            context.ReportDiagnostic(ToDiagnostic(diagnostic, context.SemanticModel.Compilation));
        }
    }

    /// <summary>Registration diagnostics (shape, duplicates) belong to the registration they are about.</summary>
    private static void AnalyzeRegistration(SymbolAnalysisContext context, Lazy<Registry> registry)
    {
        if (context.Symbol.Locations.FirstOrDefault() is not { IsInSource: true } location
            || !context.Symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == Registrations.AttributeName))
        {
            return;
        }

        foreach (DiagnosticInfo diagnostic in registry.Value.Diagnostics)
        {
            if (diagnostic.Location is { } site && site.FilePath == location.SourceTree!.FilePath && site.Span == location.SourceSpan)
            {
                context.ReportDiagnostic(ToDiagnostic(diagnostic, context.Compilation));
            }
        }
    }

    /// <summary>The registry as the generator builds it: this compilation's registrations and the exported ones.</summary>
    private static Registry SourceRegistry(Compilation compilation, CancellationToken cancellationToken)
    {
        var results = new List<RegistrationResult>();
        var types = new Stack<INamespaceOrTypeSymbol>();
        types.Push(compilation.Assembly.GlobalNamespace);
        while (types.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (ISymbol member in types.Pop().GetMembers())
            {
                switch (member)
                {
                    case INamespaceOrTypeSymbol container:
                        types.Push(container);
                        break;
                    case IMethodSymbol method when method.Locations.FirstOrDefault() is { IsInSource: true } location:
                        AttributeData? attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Registrations.AttributeName);
                        if (attribute is not null)
                        {
                            results.Add(Registrations.Parse(method, attribute, SourceSpan.From(location)));
                        }

                        break;
                }
            }
        }

        return Registrations.BuildRegistry(results.ToImmutableArray(), Registrations.FromReferences(compilation, cancellationToken));
    }

    /// <summary>
    /// The [Differentiable] methods of the compilation, each checked on its own the first time a caller needs to know
    /// whether it gets derivatives (and a Jvp): what <see cref="CalleeOutcomes"/> reads.
    /// </summary>
    private sealed class CompilationMethods(Compilation compilation, Lazy<Registry> registry, CancellationToken cancellationToken)
    {
        private readonly Lazy<Dictionary<string, (IMethodSymbol Method, MethodDeclarationSyntax Syntax)>> byKey = new(() => Find(compilation, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<OwnOutcome?>> own = new(StringComparer.Ordinal);

        public OwnOutcome? OwnOutcome(string key) =>
            own.GetOrAdd(key, k => new Lazy<OwnOutcome?>(() => Check(k), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<IrFunction?>> lowered = new(StringComparer.Ordinal);

        /// <summary>What second order inlines into <paramref name="caller"/>, found as the generator finds it.</summary>
        public Inlining SecondOrderInlining(IrFunction caller) =>
            Inlining.Reachable(caller, key => Lowered(key) is { } callee && Inliner.IsSecondOrderCandidate(callee) ? new InlineCandidate(key, callee) : null);

        /// <summary>A [Differentiable] method of the compilation lowered without diagnostics, or null.</summary>
        private IrFunction? Lowered(string key) =>
            lowered.GetOrAdd(key, k => new Lazy<IrFunction?>(
                () =>
                {
                    if (!byKey.Value.TryGetValue(k, out var found))
                    {
                        return null;
                    }

                    var diagnostics = new List<DiagnosticInfo>();
                    IrFunction? function = Lowerer.LowerMethod(compilation.GetSemanticModel(found.Syntax.SyntaxTree), found.Method, found.Syntax, diagnostics, cancellationToken);
                    return diagnostics.Count == 0 ? function : null;
                },
                LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        private OwnOutcome? Check(string key)
        {
            if (!byKey.Value.TryGetValue(key, out var found))
            {
                return null;
            }

            var lowering = new List<DiagnosticInfo>();
            SemanticModel model = compilation.GetSemanticModel(found.Syntax.SyntaxTree);
            IrFunction? lowered = Lowerer.LowerMethod(model, found.Method, found.Syntax, lowering, cancellationToken);
            int order = Lowerer.OrderOf(found.Method);
            return MethodCheck.Run(
                lowered, lowering, registry.Value, key, found.Method.Name, SourceSpan.From(found.Syntax.Identifier.GetLocation()),
                order: order, secondOrderInlining: order == 2 && lowered is not null ? SecondOrderInlining(lowered) : null).Own;
        }

        private static Dictionary<string, (IMethodSymbol, MethodDeclarationSyntax)> Find(Compilation compilation, CancellationToken cancellationToken)
        {
            var found = new Dictionary<string, (IMethodSymbol, MethodDeclarationSyntax)>(StringComparer.Ordinal);
            var containers = new Stack<INamespaceOrTypeSymbol>();
            containers.Push(compilation.Assembly.GlobalNamespace);
            while (containers.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (ISymbol member in containers.Pop().GetMembers())
                {
                    if (member is INamespaceOrTypeSymbol container)
                    {
                        containers.Push(container);
                    }
                    else if (member is IMethodSymbol method && Lowerer.HasAttribute(method, DifferentiableAttributeName)
                        && method.DeclaringSyntaxReferences.Length == 1
                        && method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is MethodDeclarationSyntax syntax)
                    {
                        found[Lowerer.KeyOf(method.OriginalDefinition)] = (method, syntax);
                    }
                }
            }

            return found;
        }
    }

    /// <summary>A diagnostic at its place in this compilation's syntax tree, so the editor underlines it.</summary>
    private static Diagnostic ToDiagnostic(DiagnosticInfo info, Compilation compilation)
    {
        Location Place(SourceSpan site) =>
            compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == site.FilePath) is { } tree ? Location.Create(tree, site.Span) : site.ToLocation();
        Location location = info.Location is { } site ? Place(site) : Location.None;
        return Diagnostic.Create(DiagnosticDescriptors.ById(info.Id), location, info.AlsoAt.Select(Place), info.Arguments.AsImmutableArray().ToArray<object>());
    }
}
