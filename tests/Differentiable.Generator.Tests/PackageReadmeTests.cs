using System.Globalization;
using System.Text.RegularExpressions;
using Differentiable.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Generator.Tests;

/// <summary>
/// The package's readme (src/Differentiable/PACKAGE.md, shown on nuget.org) stays true: its Quickstart is a complete
/// program that compiles with the generator without a diagnostic and prints what the readme says it prints; it links
/// nowhere a reader outside the repository cannot follow; and its diagnostics table lists the catalog.
/// </summary>
public class PackageReadmeTests
{
    private static readonly Lazy<string> Readme = new(() =>
        File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Differentiable", "PACKAGE.md")).ReplaceLineEndings("\n"));

    /// <summary>Console output is process-wide: one Quickstart run at a time.</summary>
    private static readonly object ConsoleLock = new();

    [Theory]
    [InlineData(LanguageVersion.CSharp14)]
    [InlineData(LanguageVersion.CSharp12)]
    public void Quickstart_CompilesWithTheGenerator_WithoutDiagnostics(LanguageVersion version)
    {
        TestCompilation.Run run = RunQuickstart(version);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationDiagnostics);
        Assert.Empty(TestCompilation.Analyze(run.Output).Where(d => d.Severity >= DiagnosticSeverity.Info));
        foreach (string member in new[] { "EnergyJvp", "EnergyVjp", "EnergyGradient", "SumOfSquaresJvp", "SumOfSquaresVjp", "SumOfSquaresGradient" })
        {
            Assert.Contains(member, run.Output.GetTypeByMetadataName("Physics")!.MemberNames);
        }
    }

    [Fact]
    public void Quickstart_PrintsWhatTheReadmeSays()
    {
        TestCompilation.Run run = RunQuickstart(LanguageVersion.CSharp14);
        System.Reflection.MethodInfo main = TestCompilation.Load(run.Output).EntryPoint!;

        string printed;
        lock (ConsoleLock)
        {
            TextWriter console = Console.Out;
            CultureInfo culture = CultureInfo.CurrentCulture;
            using var output = new StringWriter(CultureInfo.InvariantCulture);
            try
            {
                Console.SetOut(output);
                CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
                main.Invoke(null, main.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
            }
            finally
            {
                Console.SetOut(console);
                CultureInfo.CurrentCulture = culture;
            }

            printed = output.ToString().ReplaceLineEndings("\n");
        }

        Assert.Equal(Block(Section("Quickstart"), "text", 0), printed);
    }

    [Fact]
    public void Readme_HasNoRelativeLinks()
    {
        // Inline links and images [text](target), reference definitions [label]: target, and HTML href/src.
        var targets = Regex.Matches(Readme.Value, @"\]\(\s*<?([^)\s>]+)")
            .Concat(Regex.Matches(Readme.Value, @"^\s*\[[^\]]+\]:\s*<?(\S+?)>?\s*$", RegexOptions.Multiline))
            .Concat(Regex.Matches(Readme.Value, @"(?:href|src)\s*=\s*[""']([^""']+)[""']", RegexOptions.IgnoreCase))
            .Select(m => m.Groups[1].Value)
            .ToList();

        Assert.All(targets, target => Assert.StartsWith("https://", target, StringComparison.Ordinal));
    }

    [Fact]
    public void Readme_HasNoRepositoryInternalSections()
    {
        string[] headings = Regex.Matches(Readme.Value, @"^#+\s+(.+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToArray();

        Assert.Contains("Install", headings);
        Assert.Contains("Quickstart", headings);
        Assert.DoesNotContain(headings, h => Regex.IsMatch(h, "build|test|benchmark|performance|contribut|repository|how it works", RegexOptions.IgnoreCase));
    }

    [Fact]
    public void DiagnosticsTable_ListsEveryIdWithItsSeverity()
    {
        var rows = Regex.Matches(Section("Diagnostics"), @"^\| (DIFF\d{4}) \| (\w+) \|", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var expected = DiagnosticDescriptors.All.ToDictionary(
            d => d.Id,
            d => d.DefaultSeverity == DiagnosticSeverity.Info ? "info" : d.DefaultSeverity.ToString().ToLowerInvariant());
        expected["DIFF1001"] = "warning"; // the package's build check, reported by MSBuild

        Assert.Equal(expected.OrderBy(p => p.Key), rows.OrderBy(p => p.Key));
    }

    private static TestCompilation.Run RunQuickstart(LanguageVersion version)
    {
        CSharpCompilation compilation = TestCompilation.Create(version, Block(Section("Quickstart"), "csharp", 0));
        return TestCompilation.RunGenerator(compilation.WithOptions(compilation.Options.WithOutputKind(OutputKind.ConsoleApplication)));
    }

    /// <summary>The text under a second-level heading, up to the next one.</summary>
    private static string Section(string heading)
    {
        Match match = Regex.Match(Readme.Value, $@"^## {Regex.Escape(heading)}\n(.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(match.Success, $"PACKAGE.md has no section '## {heading}'");
        return match.Groups[1].Value;
    }

    /// <summary>The index-th fenced code block of the given language in the text.</summary>
    private static string Block(string text, string language, int index)
    {
        var blocks = Regex.Matches(text, $@"^```{Regex.Escape(language)}\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(blocks.Count > index, $"fewer than {index + 1} '{language}' code blocks");
        return blocks[index].Groups[1].Value;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Differentiable.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Differentiable.sln not found");
    }
}
