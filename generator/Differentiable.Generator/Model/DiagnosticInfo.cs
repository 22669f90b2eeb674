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

/// <summary>An equatable stand-in for <see cref="Diagnostic"/>: descriptor id, place and message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, SourceSpan? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SourceSpan? location, params string[] arguments) =>
        new(descriptor.Id, location, arguments.ToEquatableArray());

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(
            Diagnostics.DiagnosticDescriptors.ById(Id),
            Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None,
            messageArgs: System.Linq.Enumerable.ToArray(Arguments.AsImmutableArray()));
}
