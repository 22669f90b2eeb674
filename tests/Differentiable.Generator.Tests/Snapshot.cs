using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Differentiable.Generator.Tests;

/// <summary>
/// Snapshot assertions with Verify's workflow and file names: each generated file is compared with a
/// checked-in <c>Snapshots/{TestClass}.{TestMethod}#{HintName}.verified.cs</c>. On a mismatch the output
/// is written beside it as <c>.received.cs</c> and the test fails with a diff. Accepting is explicit:
/// run the tests with <c>DIFFERENTIABLE_ACCEPT_SNAPSHOTS=1</c> (refused when <c>CI</c> is set), or
/// rename the received file.
/// </summary>
internal static partial class Snapshot
{
    public const string AcceptVariable = "DIFFERENTIABLE_ACCEPT_SNAPSHOTS";

    private static bool Accepting =>
        Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true"
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Verifies every generated file of one test, and that no verified snapshot of it is left over.</summary>
    public static void Verify(string testName, IEnumerable<(string HintName, string Source)> files, [CallerFilePath] string callerPath = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        Directory.CreateDirectory(directory);
        var failures = new List<string>();
        var expectedFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string hintName, string source) in files)
        {
            string stem = Path.Combine(directory, $"{testName}#{Path.ChangeExtension(hintName, null)}");
            string verifiedPath = stem + ".verified.cs", receivedPath = stem + ".received.cs";
            expectedFiles.Add(Path.GetFileName(verifiedPath));
            string actual = Scrub(source);
            string? expected = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath).ReplaceLineEndings("\n") : null;
            if (expected == actual)
            {
                File.Delete(receivedPath);
                continue;
            }

            if (Accepting)
            {
                File.WriteAllText(verifiedPath, actual);
                File.Delete(receivedPath);
                continue;
            }

            File.WriteAllText(receivedPath, actual);
            failures.Add(expected is null
                ? $"New snapshot {Path.GetFileName(verifiedPath)}: review {Path.GetFileName(receivedPath)} and accept it."
                : $"Snapshot {Path.GetFileName(verifiedPath)} differs (received file written):{Environment.NewLine}{Diff(expected, actual)}");
        }

        foreach (string stale in Directory.GetFiles(directory, testName + "#*.verified.cs").Select(Path.GetFileName).Where(f => !expectedFiles.Contains(f!))!)
        {
            if (Accepting)
            {
                File.Delete(Path.Combine(directory, stale!));
            }
            else
            {
                failures.Add($"Snapshot {stale} is no longer generated: delete it or accept.");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures)
            + $"{Environment.NewLine}To accept all: {AcceptVariable}=1 dotnet test");
    }

    /// <summary>Removes what changes with every release, so snapshots do not churn.</summary>
    public static string Scrub(string source) =>
        GeneratedCodeVersion().Replace(source.ReplaceLineEndings("\n"), "GeneratedCode(\"Differentiable\", \"{version}\")");

    /// <summary>A small line diff: each differing line with its number, expected then received.</summary>
    private static string Diff(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        var builder = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < Math.Max(a.Length, b.Length) && shown < 20; i++)
        {
            string? left = i < a.Length ? a[i] : null, right = i < b.Length ? b[i] : null;
            if (left != right)
            {
                builder.AppendLine($"  line {i + 1}:").AppendLine($"  - {left ?? "(none)"}").AppendLine($"  + {right ?? "(none)"}");
                shown++;
            }
        }

        return builder.ToString();
    }

    [GeneratedRegex("GeneratedCode\\(\"Differentiable\", \"[^\"]*\"\\)")]
    private static partial Regex GeneratedCodeVersion();
}
