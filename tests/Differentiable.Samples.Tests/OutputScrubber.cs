using System.Text.RegularExpressions;

namespace Differentiable.Samples.Tests;

/// <summary>
/// Replaces what differs between machines and runs in a sample's console output by a placeholder, so the output
/// can be compared with a verified snapshot. The rules, in the order they apply:
/// <list type="number">
/// <item>Absolute paths: the repository root becomes <c>{repo}</c>, the temporary folder <c>{temp}</c>, the user's
/// home folder <c>{home}</c> (each as written with either separator).</item>
/// <item>Date-times, <c>2025-01-31 12:34:56</c> or ISO 8601 <c>2025-01-31T12:34:56.789Z</c>, become <c>{timestamp}</c>.</item>
/// <item>Time spans as .NET prints them, <c>00:00:01.2345678</c> or <c>1.02:03:04</c>, become <c>{timespan}</c>.</item>
/// <item>Durations, a number and a unit (<c>12.3 ms</c>, <c>1.2 s</c>, <c>850µs</c>, <c>3 seconds</c>), become <c>{duration}</c>.</item>
/// </list>
/// Everything else is left as printed: a sample should print deterministic figures (for example, whether a
/// platform-dependent deviation is within a tolerance rather than its last digits).
/// </summary>
internal static partial class OutputScrubber
{
    public static string Scrub(string output)
    {
        string text = output.ReplaceLineEndings("\n");
        foreach ((string path, string placeholder) in Paths())
        {
            text = text.Replace(path, placeholder, StringComparison.OrdinalIgnoreCase);
        }

        text = Timestamp().Replace(text, "{timestamp}");
        text = TimeSpanPattern().Replace(text, "{timespan}");
        return Duration().Replace(text, "{duration}");
    }

    /// <summary>The machine's folders, longest first (the repository may be inside the home folder).</summary>
    private static IEnumerable<(string Path, string Placeholder)> Paths() =>
        new[]
        {
            (Samples.RepositoryRoot, "{repo}"),
            (Path.GetTempPath(), "{temp}"),
            (Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "{home}"),
        }
        .Select(p => (Path: Path.TrimEndingDirectorySeparator(p.Item1), Placeholder: p.Item2))
        .Where(p => p.Path.Length > 1)
        .SelectMany(p => new[] { p, (Path: p.Path.Replace('\\', '/'), p.Placeholder), (Path: p.Path.Replace('/', '\\'), p.Placeholder) })
        .Distinct()
        .OrderByDescending(p => p.Path.Length);

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"\b(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d+)?\b")]
    private static partial Regex TimeSpanPattern();

    [GeneratedRegex(@"\b\d+([.,]\d+)?\s?(ns|µs|μs|us|ms|s|sec|secs|seconds?|min|minutes?)\b")]
    private static partial Regex Duration();
}
