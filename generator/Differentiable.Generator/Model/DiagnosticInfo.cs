using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.Generator.Model;

/// <summary>A source position that holds no syntax tree, so models stay equatable.</summary>
internal sealed record SourceSpan(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static SourceSpan From(Location location) =>
        new(location.SourceTree?.FilePath ?? string.Empty, location.SourceSpan, location.GetLineSpan().Span);

    public static SourceSpan From(SyntaxNode node) => From(node.GetLocation());

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}

/// <summary>
/// An equatable stand-in for <see cref="Diagnostic"/>: descriptor id, place, message arguments, and the other places of the
/// same construct (<see cref="AlsoAt"/>, reported as additional locations).
/// </summary>
internal sealed record DiagnosticInfo(string Id, SourceSpan? Location, EquatableArray<string> Arguments, EquatableArray<SourceSpan> AlsoAt = default)
{
    /// <summary>The diagnostics reported once per construct, not per use: a call with no derivative (DIFF0003), a mutable field read (DIFF0010).</summary>
    private static readonly string[] OncePerConstructIds = ["DIFF0003", "DIFF0010"];

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SourceSpan? location, params string[] arguments) =>
        new(descriptor.Id, location, arguments.ToEquatableArray());

    /// <summary>
    /// One diagnostic per construct: of the diagnostics that name the same callee or field with the same message, the first
    /// stays, with the places of the others as its additional locations; the order is otherwise kept.
    /// </summary>
    public static EquatableArray<DiagnosticInfo> OncePerConstruct(IEnumerable<DiagnosticInfo> diagnostics)
    {
        var kept = new List<DiagnosticInfo>();
        var first = new Dictionary<(string, EquatableArray<string>), int>();
        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            if (Array.IndexOf(OncePerConstructIds, diagnostic.Id) < 0 || diagnostic.Location is null)
            {
                kept.Add(diagnostic);
            }
            else if (first.TryGetValue((diagnostic.Id, diagnostic.Arguments), out int index))
            {
                if (kept[index].Location != diagnostic.Location && !kept[index].AlsoAt.Contains(diagnostic.Location))
                {
                    kept[index] = kept[index] with { AlsoAt = kept[index].AlsoAt.AsImmutableArray().Add(diagnostic.Location).ToEquatableArray() };
                }
            }
            else
            {
                first[(diagnostic.Id, diagnostic.Arguments)] = kept.Count;
                kept.Add(diagnostic);
            }
        }

        return kept.ToEquatableArray();
    }

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(
            Diagnostics.DiagnosticDescriptors.ById(Id),
            Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None,
            AlsoAt.Select(site => site.ToLocation()),
            messageArgs: Arguments.AsImmutableArray().ToArray<object>());
}
