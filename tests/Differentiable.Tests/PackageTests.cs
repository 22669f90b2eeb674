using System.Diagnostics;
using System.IO.Compression;

namespace Differentiable.Tests;

/// <summary>`dotnet pack` makes one Differentiable package with the runtime and both compiler plug-ins.</summary>
public class PackageTests
{
    [Fact]
    public void Pack_ProducesOnePackage_WithRuntimeGeneratorAndAnalyzers()
    {
        string root = RepositoryRoot();
        string output = Directory.CreateTempSubdirectory("differentiable-pack").FullName;
        try
        {
            // --no-build: `dotnet test` has just built the solution in this configuration.
            var pack = Process.Start(new ProcessStartInfo("dotnet", ["pack", Path.Combine(root, "src", "Differentiable", "Differentiable.csproj"), "-c", Configuration, "--no-build", "-o", output])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            string log = pack.StandardOutput.ReadToEnd() + pack.StandardError.ReadToEnd();
            pack.WaitForExit();
            Assert.True(pack.ExitCode == 0, log);

            string package = Assert.Single(Directory.GetFiles(output, "*.nupkg"));
            Assert.StartsWith("Differentiable.", Path.GetFileName(package));
            using ZipArchive archive = ZipFile.OpenRead(package);
            var entries = archive.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("lib/net8.0/Differentiable.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/Differentiable.Generator.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/Differentiable.Analyzers.dll", entries);
            Assert.Contains("README.md", entries);
            Assert.DoesNotContain(entries, e => e.Contains("Tests", StringComparison.Ordinal) || e.Contains("Quickstart", StringComparison.Ordinal));

            using var nuspec = new StreamReader(archive.GetEntry("Differentiable.nuspec")!.Open());
            string manifest = nuspec.ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", manifest);
            Assert.Contains("<readme>README.md</readme>", manifest);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Differentiable.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Differentiable.sln not found above " + AppContext.BaseDirectory);
    }
}
