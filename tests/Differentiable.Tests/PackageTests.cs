using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Differentiable.Tests;

/// <summary>
/// The user's path: `dotnet pack` makes one Differentiable package; a fresh library and app outside the
/// solution reference it by version from a local feed (no project references to this repository),
/// build, run, and get derivatives that chain from the app through the library.
/// </summary>
public sealed class PackageTests : IClassFixture<PackageTests.PackedPackage>
{
    private readonly PackedPackage package;

    public PackageTests(PackedPackage package) => this.package = package;

    [Fact]
    public void Package_HoldsRuntimeGeneratorAnalyzersAndBuildCheck_AndNothingElse()
    {
        using ZipArchive archive = ZipFile.OpenRead(package.PackagePath);
        var entries = archive.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net8.0/Differentiable.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Differentiable.Generator.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Differentiable.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Differentiable.CodeFixes.dll", entries);
        Assert.Contains("build/Differentiable.targets", entries);
        Assert.Contains("buildTransitive/Differentiable.targets", entries);
        Assert.Contains("PACKAGE.md", entries); // the package's own readme, not the repository's README.md
        Assert.DoesNotContain("README.md", entries);
        Assert.DoesNotContain(entries, e => e.Contains("Tests", StringComparison.Ordinal) || e.Contains("Quickstart", StringComparison.Ordinal));

        using var nuspec = new StreamReader(archive.GetEntry("Differentiable.nuspec")!.Open());
        string manifest = nuspec.ReadToEnd();
        Assert.Contains("<license type=\"expression\">MIT</license>", manifest);
        Assert.Contains("<readme>PACKAGE.md</readme>", manifest);
        Assert.DoesNotContain("<dependency ", manifest); // the generator and analyzers are not package dependencies

        using var readme = new StreamReader(archive.GetEntry("PACKAGE.md")!.Open());
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Differentiable", "PACKAGE.md")), readme.ReadToEnd());
    }

    [Fact]
    public void FreshAppAndLibrary_ReferencingThePackage_GetDerivativesAcrossAssemblies()
    {
        string root = package.CreateConsumer();
        string build = Run(root, "dotnet", "build", "App", "-c", "Release");
        Assert.DoesNotContain("DIFF1001", build); // this SDK is recent enough
        Assert.Contains("0 Warning(s)", build);
        string output = Run(root, "dotnet", "run", "--project", "App", "-c", "Release", "--no-build");

        Match line = Regex.Match(output, @"value=(\S+) dx=(\S+) dw=(\S+) jvp=(\S+) fdx=(\S+) fdw=(\S+)");
        Assert.True(line.Success, output);
        double Value(int group) => double.Parse(line.Groups[group].Value, CultureInfo.InvariantCulture);
        DerivativeAssert.AssertClose(Value(5), Value(2), "∂E/∂x from EnergyGradient");
        DerivativeAssert.AssertClose(Value(6), Value(3), "∂E/∂w from EnergyGradient");
        DerivativeAssert.AssertClose(Value(2), Value(4), "∂E/∂x from EnergyJvp", 1e-14);
    }

    [Fact]
    public void BuildWithAnSdkOlderThanTheGeneratorSupports_WarnsWithTheMinimumSdk()
    {
        string root = package.CreateConsumer();
        string output = Run(root, "dotnet", "build", "App", "-c", "Release", "-p:DifferentiableAssumedSdkVersion=9.0.100");
        Assert.Contains("warning DIFF1001", output);
        Assert.Contains("needs the .NET SDK 9.0.300 or later", output);
        Assert.Contains("uses SDK 9.0.100", output);
    }

    private static string Run(string directory, string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NUGET_PACKAGES"] = Path.Combine(directory, "packages"); // never the user's cache
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{fileName} {string.Join(' ', arguments)} timed out");
        string all = output + error.Result;
        Assert.True(process.ExitCode == 0, $"{fileName} {string.Join(' ', arguments)} failed:\n{all}");
        return all;
    }

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

    /// <summary>Packs Differentiable once into a local feed, and writes consumer projects that use it.</summary>
    public sealed class PackedPackage : IDisposable
    {
        private readonly string work = Directory.CreateTempSubdirectory("differentiable-package").FullName;

        public PackedPackage()
        {
            string feed = Path.Combine(work, "feed");
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

            // --no-build: `dotnet test` has just built the solution in this configuration.
            Run(work, "dotnet", "pack", Path.Combine(RepositoryRoot(), "src", "Differentiable", "Differentiable.csproj"), "-c", configuration, "--no-build", "-o", feed);
            PackagePath = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
            Version = Path.GetFileNameWithoutExtension(PackagePath)["Differentiable.".Length..];
            Feed = feed;
        }

        public string PackagePath { get; }

        public string Version { get; }

        public string Feed { get; }

        /// <summary>A library with [Differentiable] methods and a registration, and an app that uses both.</summary>
        public string CreateConsumer()
        {
            string root = Directory.CreateDirectory(Path.Combine(work, "consumer-" + Guid.NewGuid().ToString("N")[..8])).FullName;
            Write(root, "nuget.config", $"""
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{Feed}" />
                  </packageSources>
                </configuration>
                """);
            Write(root, "Directory.Build.props", "<Project />");
            string project = $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <WarningsNotAsErrors>DIFF1001</WarningsNotAsErrors>
                    OUTPUT
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Differentiable" Version="{Version}" />
                    REFERENCE
                  </ItemGroup>
                </Project>
                """;
            Write(root, "Shapes/Shapes.csproj", project.Replace("OUTPUT", string.Empty).Replace("REFERENCE", string.Empty));
            Write(root, "Shapes/Geometry.cs", """
                using Differentiable;

                namespace Shapes;

                public static partial class Geometry
                {
                    [Differentiable]
                    public static double Area(double r) => Math.PI * r * r;

                    [Differentiable]
                    public static double Ring(double r, double width) => Area(r + width) - Area(r);
                }

                public static class Smooth
                {
                    public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
                }

                public static class SmoothDerivatives
                {
                    [DerivativeOf(typeof(Smooth), nameof(Smooth.Softplus))]
                    public static (double Value, double Tangent) SoftplusJvp(double x, double dx) =>
                        (Smooth.Softplus(x), dx / (1 + Math.Exp(-x)));

                    [DerivativeOf(typeof(Smooth), nameof(Smooth.Softplus))]
                    public static double SoftplusVjp(double x, double dResult, out double dx)
                    {
                        dx = dResult / (1 + Math.Exp(-x));
                        return Smooth.Softplus(x);
                    }
                }
                """);
            Write(root, "App/App.csproj", project
                .Replace("OUTPUT", "<OutputType>Exe</OutputType>")
                .Replace("REFERENCE", "<ProjectReference Include=\"../Shapes/Shapes.csproj\" />"));
            Write(root, "App/Program.cs", """
                using Differentiable;
                using Shapes;

                double x = 0.7, w = 0.3;
                double value = Model.EnergyGradient(x, w, out double dx, out double dw);
                var (_, tangent) = Model.EnergyJvp(x, w, 1, 0);
                double[] fd = FiniteDifferences.Gradient(p => Model.Energy(p[0], p[1]), [x, w]);
                Console.WriteLine(FormattableString.Invariant($"value={value:R} dx={dx:R} dw={dw:R} jvp={tangent:R} fdx={fd[0]:R} fdw={fd[1]:R}"));

                static partial class Model
                {
                    // Ring and Area come from the library's generated derivatives, Softplus from its registration.
                    [Differentiable]
                    public static double Energy(double x, double w) => Geometry.Ring(x, w) * Smooth.Softplus(x - w);
                }
                """);
            return root;
        }

        public void Dispose() => Directory.Delete(work, recursive: true);

        private static void Write(string root, string relative, string content)
        {
            string path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
    }
}
