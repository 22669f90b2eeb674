using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.Generator.Tests;

/// <summary>
/// Microsoft.CodeAnalysis.Testing-style markup for generator diagnostics: <c>{|DIFF0002:while (x &gt; 0) …|}</c>
/// marks the exact span a diagnostic must be reported on.
/// </summary>
internal static partial class Markup
{
    public static (string Source, List<(string Id, TextSpan Span)> Expected) Parse(string markup)
    {
        var source = new StringBuilder();
        var expected = new List<(string, TextSpan)>();
        var open = new Stack<(string Id, int Start)>();
        int i = 0;
        while (i < markup.Length)
        {
            Match start = OpenMarker().Match(markup, i);
            if (start.Success && start.Index == i)
            {
                open.Push((start.Groups[1].Value, source.Length));
                i += start.Length;
            }
            else if (markup.AsSpan(i).StartsWith("|}") && open.Count > 0)
            {
                var (id, begin) = open.Pop();
                expected.Add((id, TextSpan.FromBounds(begin, source.Length)));
                i += 2;
            }
            else
            {
                source.Append(markup[i++]);
            }
        }

        return (source.ToString(), expected);
    }

    /// <summary>
    /// Runs the generator and the analyzers on marked-up source, as a build does, and asserts their DIFF
    /// diagnostics together are exactly the marked ones.
    /// </summary>
    public static TestCompilation.Run VerifyDiagnostics(string markup, LanguageVersion version = LanguageVersion.CSharp14, params MetadataReference[] references)
    {
        var (source, expected) = Parse(markup);
        Compilation input = TestCompilation.Create(version, references, source);
        TestCompilation.Run run = TestCompilation.RunGenerator(input) with { AnalyzerDiagnostics = TestCompilation.Analyze(input) };
        var reported = run.GeneratorDiagnostics.AddRange(run.AnalyzerDiagnostics);
        var actual = reported
            .Select(d => (d.Id, d.Location.SourceSpan))
            .OrderBy(d => d.SourceSpan.Start).ThenBy(d => d.Id)
            .ToList();
        var wanted = expected.OrderBy(d => d.Span.Start).ThenBy(d => d.Id).ToList();
        Assert.True(
            wanted.SequenceEqual(actual),
            $"expected:{Environment.NewLine}{Describe(source, wanted)}{Environment.NewLine}actual:{Environment.NewLine}{TestCompilation.Format(reported)}");
        Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Id == "CS8785"); // the generator never throws
        return run;
    }

    private static string Describe(string source, IEnumerable<(string Id, TextSpan Span)> diagnostics) =>
        string.Join(Environment.NewLine, diagnostics.Select(d => $"  {d.Id} on '{source.Substring(d.Span.Start, d.Span.Length)}'"));

    [GeneratedRegex(@"\{\|(DIFF\d{4}):")]
    private static partial Regex OpenMarker();
}
