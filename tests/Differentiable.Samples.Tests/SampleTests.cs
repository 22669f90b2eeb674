using System.Text.RegularExpressions;

namespace Differentiable.Samples.Tests;

/// <summary>
/// Every project under samples/, twice: the sources the Differentiable generator emits for it, and its console
/// output (scrubbed of timings and paths, see <see cref="OutputScrubber"/>), against verified snapshots in
/// Snapshots/. A sample is any folder under samples/ with a project file, so a new sample joins by itself (and
/// fails until its first snapshots are reviewed and accepted with <c>DIFFERENTIABLE_ACCEPT_SNAPSHOTS=1</c>).
/// </summary>
public partial class SampleTests
{
    /// <summary>The generator assembly whose output is snapshot: its folder under the sample's generated files.</summary>
    private const string GeneratorAssembly = "Differentiable.Generator";

    public static TheoryData<string> AllSamples() => new(Samples.Discover());

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void GeneratedSources(string sample)
    {
        BuiltSample built = Samples.Build(sample);
        string generatorDirectory = Path.Combine(built.GeneratedDirectory, GeneratorAssembly);

        // {generated}/{generator assembly}/{generator type}/{hint name}: the hint name names the snapshot.
        var files = Directory.Exists(generatorDirectory)
            ? Directory.GetFiles(generatorDirectory, "*", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
                .Select(path => (Path.GetFileName(path), File.ReadAllText(path)))
                .ToList()
            : [];
        Snapshot.Verify($"{nameof(SampleTests)}.{nameof(GeneratedSources)}_sample={sample}", files);
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void ConsoleOutput(string sample)
    {
        ProcessResult run = Samples.Run(Samples.Build(sample));
        Assert.True(run.ExitCode == 0, $"samples/{sample} failed: {run.Describe()}");

        // Anything on stderr is part of the output to review.
        string output = run.StandardError.Length == 0
            ? run.StandardOutput
            : $"{run.StandardOutput}--- stderr ---\n{run.StandardError}";
        Snapshot.Verify($"{nameof(SampleTests)}.{nameof(ConsoleOutput)}_sample={sample}", [("Output.txt", OutputScrubber.Scrub(output))]);
    }

    /// <summary>Snapshots of a sample that no longer exists fail (accepting deletes them), as stale snapshots of a test do.</summary>
    [Fact]
    public void EverySnapshotBelongsToASample()
    {
        string directory = Snapshot.DirectoryOf();
        var samples = Samples.Discover().ToHashSet(StringComparer.Ordinal);
        var orphans = (Directory.Exists(directory) ? Directory.GetFiles(directory) : [])
            .Select(path => Path.GetFileName(path))
            .Where(file => SnapshotName().Match(file) is not { Success: true } match || !samples.Contains(match.Groups["sample"].Value))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (Snapshot.Accepting)
        {
            orphans.ForEach(file => File.Delete(Path.Combine(directory, file)));
            return;
        }

        Assert.True(orphans.Count == 0, $"Snapshots that belong to no sample under samples/ (delete them, or accept):{Environment.NewLine}"
            + string.Join(Environment.NewLine, orphans));
    }

    [GeneratedRegex($"^{nameof(SampleTests)}\\.({nameof(GeneratedSources)}|{nameof(ConsoleOutput)})_sample=(?<sample>[^#]+)#")]
    private static partial Regex SnapshotName();
}
