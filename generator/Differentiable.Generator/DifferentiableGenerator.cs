using System.Linq;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Lowering;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator;

/// <summary>
/// Emits forward-mode (<c>{M}Jvp</c>) and reverse-mode (<c>{M}Vjp</c>, <c>{M}Gradient</c>) derivatives of
/// every method marked <c>[Differentiable]</c>: Lower → Analyze → Transform → Emit.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class DifferentiableGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var registry = context.SyntaxProvider
            .ForAttributeWithMetadataName(Registrations.AttributeName, static (node, _) => node is MethodDeclarationSyntax, Registrations.Parse)
            .WithTrackingName(TrackingNames.Registrations)
            .Collect()
            .Select(Registrations.BuildRegistry)
            .WithTrackingName(TrackingNames.Registry);

        var methods = context.SyntaxProvider
            .ForAttributeWithMetadataName("Differentiable.DifferentiableAttribute", static (node, _) => node is MethodDeclarationSyntax, Lowerer.Lower)
            .WithTrackingName(TrackingNames.Lowered);

        var languageVersion = context.ParseOptionsProvider
            .Select(static (options, _) => ((CSharpParseOptions)options).LanguageVersion);

        var generated = methods
            .Combine(registry)
            .Combine(languageVersion)
            .Select(static (input, token) => Execute(input.Left.Left, input.Left.Right, input.Right, token))
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
            foreach (var diagnostic in registry.Diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });
    }
}
