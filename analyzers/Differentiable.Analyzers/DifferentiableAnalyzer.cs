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
            && d != DiagnosticDescriptors.NoDerivativeOnNonFloating) // NoDerivativeAnalyzer
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
            start.RegisterCodeBlockAction(block => AnalyzeMethod(block, registry));
            start.RegisterSymbolAction(symbol => AnalyzeRegistration(symbol, registry), SymbolKind.Method);
        });
    }

    private static void AnalyzeMethod(CodeBlockAnalysisContext context, Lazy<Registry> registry)
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
            diagnostics = MethodCheck.Run(lowered, lowering, registry.Value, method.Name, SourceSpan.From(syntax.Identifier.GetLocation())).Diagnostics;
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

    /// <summary>A diagnostic at its place in this compilation's syntax tree, so the editor underlines it.</summary>
    private static Diagnostic ToDiagnostic(DiagnosticInfo info, Compilation compilation)
    {
        SyntaxTree? tree = info.Location is { } site ? compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == site.FilePath) : null;
        Location location = tree is not null ? Location.Create(tree, info.Location!.Span) : info.Location?.ToLocation() ?? Location.None;
        return Diagnostic.Create(DiagnosticDescriptors.ById(info.Id), location, info.Arguments.AsImmutableArray().ToArray<object>());
    }
}
