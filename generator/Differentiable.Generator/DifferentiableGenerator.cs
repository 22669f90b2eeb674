using System.Linq;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Lowering;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;
using Differentiable.Generator.Transforms;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator;

/// <summary>
/// Emits forward-mode (<c>{M}Jvp</c>) and reverse-mode (<c>{M}Vjp</c>, <c>{M}Gradient</c>) derivatives of
/// every method marked <c>[Differentiable]</c>: Lower → Analyze → Transform (each method on its own) → settle what callees
/// allow → Emit.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class DifferentiableGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Custom derivatives: this compilation's [DerivativeOf] methods, and those referenced assemblies export.
        var referencedRegistrations = context.CompilationProvider
            .Select(static (compilation, token) => Registrations.FromReferences(compilation, token))
            .WithTrackingName(TrackingNames.ReferencedRegistrations);
        var registry = context.SyntaxProvider
            .ForAttributeWithMetadataName(Registrations.AttributeName, static (node, _) => node is MethodDeclarationSyntax, Registrations.Parse)
            .WithTrackingName(TrackingNames.Registrations)
            .Collect()
            .Combine(referencedRegistrations)
            .Select(static (input, _) => Registrations.BuildRegistry(input.Left, input.Right))
            .WithTrackingName(TrackingNames.Registry);

        var methods = context.SyntaxProvider
            .ForAttributeWithMetadataName("Differentiable.DifferentiableAttribute", static (node, _) => node is MethodDeclarationSyntax, Lowerer.Lower)
            .WithTrackingName(TrackingNames.Lowered);

        var languageVersion = context.ParseOptionsProvider
            .Select(static (options, _) => ((CSharpParseOptions)options).LanguageVersion);

        // Generation needs only what resolves calls: not where registrations are, nor their diagnostics,
        // so moving a [DerivativeOf] method does not re-run every method.
        var resolution = registry
            .Select(static (registry, _) => registry.ForResolution())
            .WithTrackingName(TrackingNames.Resolution);
        // Small [Differentiable] methods are inlined into their callers before the transforms.
        var inlining = methods
            .Select(static (m, _) => m.Primal is { } primal && m.Diagnostics.Count == 0 && Inliner.IsCandidate(primal) ? new InlineCandidate(m.Key, primal) : null)
            .Collect()
            .Select(static (candidates, _) => new Inlining(candidates.OfType<InlineCandidate>().OrderBy(c => c.Key, System.StringComparer.Ordinal).ToEquatableArray()))
            .WithTrackingName(TrackingNames.Inlining);
        // Second order (Order = 2) and widened sweeps inline every callee they can, whatever its size.
        var secondOrderInlining = methods
            .Select(static (m, _) => m.Primal is { } primal && m.Diagnostics.Count == 0 && Inliner.IsSecondOrderCandidate(primal) ? new InlineCandidate(m.Key, primal) : null)
            .Collect()
            .Select(static (candidates, _) => new Inlining(candidates.OfType<InlineCandidate>().OrderBy(c => c.Key, System.StringComparer.Ordinal).ToEquatableArray()))
            .WithTrackingName(TrackingNames.SecondOrderInlining);
        var checkedMethods = methods
            .Combine(inlining)
            .Combine(secondOrderInlining)
            .Select(static (input, _) => (
                Method: input.Left.Left,
                Inlining: input.Left.Right.For(input.Left.Left.Primal),
                SecondOrder: input.Right.For(input.Left.Left.Primal)))
            .Combine(resolution)
            .Combine(languageVersion)
            .Select(static (input, token) => Check(input.Left.Left.Method, input.Left.Right, input.Left.Left.Inlining, input.Left.Left.SecondOrder, input.Right, token))
            .WithTrackingName(TrackingNames.Checked);

        // A method's derivatives call its callees' derivatives: whether it gets them, and a Jvp, depends on theirs.
        var outcomes = checkedMethods
            .Select(static (method, _) => method.Own)
            .Collect()
            .Select(static (own, _) => Outcomes.Of(own))
            .WithTrackingName(TrackingNames.Outcomes);
        var generated = checkedMethods
            .Combine(outcomes)
            .Select(static (input, _) => Emit(input.Left, input.Right))
            .WithTrackingName(TrackingNames.Generated);

        // Source and diagnostics are separate outputs: a diagnostic that moves does not re-emit source.
        context.RegisterSourceOutput(
            generated.Select(static (file, _) => file with { Diagnostics = EquatableArray<DiagnosticInfo>.Empty }),
            static (output, file) =>
            {
                if (file.Source is not null)
                {
                    output.AddSource(file.HintName, file.Source);
                }
            });
        context.RegisterSourceOutput(generated.Select(static (file, _) => file.Diagnostics), static (output, diagnostics) =>
        {
            foreach (DiagnosticInfo diagnostic in diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        // Below the minimum C# version nothing is generated, and one diagnostic says why.
        var firstMethod = methods.Select(static (m, _) => m.Location).Collect()
            .Select(static (locations, _) => locations.OrderBy(l => l.FilePath, System.StringComparer.Ordinal).ThenBy(l => l.Span.Start).FirstOrDefault());
        context.RegisterSourceOutput(firstMethod.Combine(languageVersion), static (output, input) =>
        {
            if (input.Left is { } location && input.Right < MinimumLanguageVersion)
            {
                output.ReportDiagnostic(DiagnosticInfo.Create(
                    DiagnosticDescriptors.LanguageVersionTooLow, location, input.Right.ToDisplayString()).ToDiagnostic());
            }
        });
        context.RegisterSourceOutput(registry, static (output, registry) =>
        {
            // Public registrations serve the assemblies that reference this one.
            string exported = string.Join(", ", registry.ExportedTypes.Select(t => $"typeof({t})"));
            if (exported.Length > 0)
            {
                output.AddSource("Differentiable.DerivativeRegistrations.g.cs",
                    "// <auto-generated/>\n// The types of this assembly that register custom derivatives, for assemblies that reference it.\n"
                    + $"[assembly: global::Differentiable.DerivativeRegistrations({exported})]\n");
            }
        });
    }
}
