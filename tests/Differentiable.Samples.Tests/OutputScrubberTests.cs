namespace Differentiable.Samples.Tests;

/// <summary>The scrubbing rules of sample output: what they replace, and what they leave alone.</summary>
public class OutputScrubberTests
{
    [Theory]
    [InlineData("took 12.3 ms", "took {duration}")]
    [InlineData("took 1.2 s and 850µs", "took {duration} and {duration}")]
    [InlineData("3 seconds, 2 min", "{duration}, {duration}")]
    [InlineData("elapsed 00:00:01.2345678", "elapsed {timespan}")]
    [InlineData("elapsed 1.02:03:04", "elapsed {timespan}")]
    [InlineData("at 2025-01-31T12:34:56.789Z.", "at {timestamp}.")]
    [InlineData("at 2025-01-31 12:34:56", "at {timestamp}")]
    [InlineData("line1\r\nline2", "line1\nline2")]
    public void ReplacesMachineDependentText(string output, string expected) =>
        Assert.Equal(expected, OutputScrubber.Scrub(output));

    [Theory]
    [InlineData("  max |generated - by hand| = 0.00E+000")]
    [InlineData("  value: (5.000000, 2.000000, 1.449600)")]
    [InlineData("in 3 steps, 2 samples, x0^2 + 1e-6")]
    public void LeavesFiguresAlone(string output) =>
        Assert.Equal(output, OutputScrubber.Scrub(output));

    [Fact]
    public void ReplacesTheRepositoryPath() =>
        Assert.Equal("read {repo}/samples/Quickstart/data.csv",
            OutputScrubber.Scrub($"read {Path.Combine(Samples.RepositoryRoot, "samples", "Quickstart", "data.csv").Replace('\\', '/')}"));
}
