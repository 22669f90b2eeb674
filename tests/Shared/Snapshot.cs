using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Differentiable.Testing;

/// <summary>
/// Snapshot assertions with Verify's workflow and file names: each file a test produces is compared with a
/// checked-in <c>Snapshots/{TestClass}.{TestMethod}_{param}={value}#{Name}.verified.{ext}</c>, where the
/// <c>Snapshots</c> folder is next to the calling test file and <c>{ext}</c> is the file's own extension
/// (<c>.cs</c> for generated sources, <c>.txt</c> for console output). On a mismatch the output is written
/// beside it as <c>.received.{ext}</c> and the test fails with a diff. Accepting is explicit: run the tests with
/// <c>DIFFERENTIABLE_ACCEPT_SNAPSHOTS=1</c> (refused when <c>CI</c> is set), or rename the received file.
/// A verified file of the test that is no longer produced fails the test too (accepting deletes it); received
/// files the run did not write again are deleted.
/// </summary>
/// <remarks>Shared source, linked into the test projects that use it from tests/Shared.</remarks>
internal static partial class Snapshot
{
    public const string AcceptVariable = "DIFFERENTIABLE_ACCEPT_SNAPSHOTS";

    /// <summary>Whether this run accepts new and changed snapshots instead of failing.</summary>
    public static bool Accepting =>
        Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true"
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>The snapshot folder of a test file: <c>Snapshots</c> beside it.</summary>
    public static string DirectoryOf([CallerFilePath] string callerPath = "") =>
        Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");

    /// <summary>
    /// Verifies every file of one test, and that no verified snapshot of it is left over.
    /// </summary>
    /// <param name="testName">Verify's test name: <c>{TestClass}.{TestMethod}</c>, then <c>_{param}={value}</c> per parameter.</param>
    /// <param name="files">
    /// Each file's name with its extension (a generator's hint name such as <c>Ns.Type.Method.g.cs</c>, or
    /// <c>Output.txt</c>) and its content. The extension becomes the snapshot's: <c>#Ns.Type.Method.g.verified.cs</c>.
    /// </param>
    /// <param name="callerPath">The calling test file; its <c>Snapshots</c> folder holds the snapshots.</param>
    public static void Verify(string testName, IEnumerable<(string Name, string Content)> files, [CallerFilePath] string callerPath = "")
    {
        string directory = DirectoryOf(callerPath);
        Directory.CreateDirectory(directory);
        var failures = new List<string>();
        var expectedFiles = new HashSet<string>(StringComparer.Ordinal);
        var receivedFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, string content) in files)
        {
            string extension = Path.GetExtension(name);
            if (extension.Length < 2)
            {
                throw new ArgumentException($"The snapshot file name '{name}' has no extension (such as .cs or .txt).", nameof(files));
            }

            string stem = Path.Combine(directory, $"{testName}#{Path.ChangeExtension(name, null)}");
            string verifiedPath = stem + ".verified" + extension, receivedPath = stem + ".received" + extension;
            if (!expectedFiles.Add(Path.GetFileName(verifiedPath)))
            {
                throw new ArgumentException($"Two files of {testName} are named '{name}'.", nameof(files));
            }

            string actual = Scrub(content);
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
            receivedFiles.Add(Path.GetFileName(receivedPath));
            failures.Add(expected is null
                ? $"New snapshot {Path.GetFileName(verifiedPath)}: review {Path.GetFileName(receivedPath)} and accept it."
                : $"Snapshot {Path.GetFileName(verifiedPath)} differs (received file written):{Environment.NewLine}{Diff(expected, actual)}");
        }

        foreach (string stale in Directory.GetFiles(directory, testName + "#*.verified.*").Select(f => Path.GetFileName(f)).Where(f => !expectedFiles.Contains(f)))
        {
            if (Accepting)
            {
                File.Delete(Path.Combine(directory, stale));
            }
            else
            {
                failures.Add($"Snapshot {stale} is no longer produced: delete it or accept.");
            }
        }

        // Received files of this test from earlier runs that this run did not write again are out of date.
        foreach (string received in Directory.GetFiles(directory, testName + "#*.received.*").Where(f => !receivedFiles.Contains(Path.GetFileName(f))))
        {
            File.Delete(received);
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures)
            + $"{Environment.NewLine}To accept all: {AcceptVariable}=1 dotnet test");
    }

    /// <summary>
    /// Removes what changes with every release, so snapshots do not churn: line endings become <c>\n</c>, and the
    /// version in <c>GeneratedCode("Differentiable", "x.y.z.w")</c> becomes <c>{version}</c>.
    /// </summary>
    public static string Scrub(string content) =>
        GeneratedCodeVersion().Replace(content.ReplaceLineEndings("\n"), "GeneratedCode(\"Differentiable\", \"{version}\")");

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
