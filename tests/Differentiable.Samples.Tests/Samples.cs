using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Differentiable.Samples.Tests;

/// <summary>A sample built by <see cref="Samples.Build"/>: where its program and its generated sources are.</summary>
/// <param name="Name">The sample's folder name under samples/.</param>
/// <param name="ProjectDirectory">The sample's folder.</param>
/// <param name="TargetPath">The built program (<c>bin/.../{Name}.dll</c>).</param>
/// <param name="GeneratedDirectory">The compiler's generated files: one folder per generator assembly, then per generator.</param>
internal sealed record BuiltSample(string Name, string ProjectDirectory, string TargetPath, string GeneratedDirectory);

/// <summary>The exit code and output of a finished process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Describe() => $"exit code {ExitCode}{Environment.NewLine}--- stdout ---{Environment.NewLine}{Tail(StandardOutput)}"
        + $"{Environment.NewLine}--- stderr ---{Environment.NewLine}{Tail(StandardError)}";

    private static string Tail(string text, int lines = 60)
    {
        string[] all = text.ReplaceLineEndings("\n").Split('\n');
        return all.Length <= lines ? text : "...\n" + string.Join('\n', all[^lines..]);
    }
}

/// <summary>
/// The samples: discovered as the folders under samples/ that contain a project file, built by the tests
/// (once per sample per test run, one build at a time) and run with <c>dotnet</c>.
/// </summary>
internal static class Samples
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The root of the repository: the nearest folder above the test assembly that holds Differentiable.sln.</summary>
    public static readonly string RepositoryRoot = FindRepositoryRoot();

    public static string SamplesDirectory => Path.Combine(RepositoryRoot, "samples");

    /// <summary>The test assembly's configuration (Debug or Release): the samples are built the same way.</summary>
    public static readonly string Configuration =
        typeof(Samples).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The names of the folders directly under samples/ that contain a <c>*.csproj</c>, in ordinal order.</summary>
    public static IReadOnlyList<string> Discover() =>
        Directory.GetDirectories(SamplesDirectory)
            .Where(d => Directory.EnumerateFiles(d, "*.csproj").Any())
            .Select(d => Path.GetFileName(d))
            .Order(StringComparer.Ordinal)
            .ToList();

    // One Lazy per sample builds it once per test run; BuildLock keeps builds one at a time, because the samples
    // share the library and generator projects, which two concurrent builds would both write.
    private static readonly Dictionary<string, Lazy<BuiltSample>> Builds = [];
    private static readonly object BuildLock = new();

    /// <summary>Builds the sample (once per test run; later calls return the first result, or rethrow its failure).</summary>
    public static BuiltSample Build(string name)
    {
        Lazy<BuiltSample> build;
        lock (Builds)
        {
            if (!Builds.TryGetValue(name, out build!))
            {
                build = new Lazy<BuiltSample>(() => BuildNow(name), LazyThreadSafetyMode.ExecutionAndPublication);
                Builds.Add(name, build);
            }
        }

        return build.Value;
    }

    /// <summary>Runs the built sample's program with <c>dotnet</c>, from its project folder, in the invariant culture.</summary>
    public static ProcessResult Run(BuiltSample sample) =>
        RunProcess(DotNet, [sample.TargetPath], sample.ProjectDirectory, RunTimeout,
            new Dictionary<string, string?> { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1" });

    private static BuiltSample BuildNow(string name)
    {
        lock (BuildLock)
        {
            string directory = Path.Combine(SamplesDirectory, name);
            string[] projects = Directory.GetFiles(directory, "*.csproj");
            if (projects.Length != 1)
            {
                throw new InvalidOperationException($"samples/{name} must contain exactly one project file; it has {projects.Length}.");
            }

            // Where MSBuild puts the program and the generated sources (samples/Directory.Build.props sets the latter).
            ProcessResult evaluation = RunProcess(DotNet,
                ["msbuild", projects[0], $"-p:Configuration={Configuration}", "-getProperty:TargetPath", "-getProperty:CompilerGeneratedFilesOutputPath"],
                directory, BuildTimeout);
            if (evaluation.ExitCode != 0)
            {
                throw new InvalidOperationException($"Evaluating samples/{name} failed: {evaluation.Describe()}");
            }

            JsonElement properties = JsonDocument.Parse(evaluation.StandardOutput).RootElement.GetProperty("Properties");
            string targetPath = properties.GetProperty("TargetPath").GetString()!;
            string generated = properties.GetProperty("CompilerGeneratedFilesOutputPath").GetString()!;
            if (generated.Length == 0)
            {
                throw new InvalidOperationException($"samples/{name} does not emit its generated files (EmitCompilerGeneratedFiles, in samples/Directory.Build.props).");
            }

            string generatedDirectory = Path.GetFullPath(generated.Replace('\\', '/'), directory);

            // The compiler neither deletes generated files that are no longer emitted nor writes any when the build is
            // up to date; without the folder, the sample is compiled again (samples/Directory.Build.props), so it holds
            // exactly the current output.
            if (Directory.Exists(generatedDirectory))
            {
                Directory.Delete(generatedDirectory, recursive: true);
            }

            ProcessResult build = RunProcess(DotNet,
                ["build", projects[0], "-c", Configuration, "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off", "-v:minimal"],
                directory, BuildTimeout);
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"Building samples/{name} failed: {build.Describe()}");
            }

            if (!File.Exists(targetPath) || !Directory.Exists(generatedDirectory))
            {
                throw new InvalidOperationException($"Building samples/{name} produced no {(File.Exists(targetPath) ? generatedDirectory : targetPath)}: {build.Describe()}");
            }

            return new BuiltSample(name, directory, targetPath, generatedDirectory);
        }
    }

    /// <summary>The <c>dotnet</c> running the tests when it says so (<c>DOTNET_HOST_PATH</c>), else the one on the PATH.</summary>
    private static string DotNet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";

    /// <summary>
    /// Runs a process to completion, or kills it (and what it started) after the timeout. No build server or node is
    /// left running (they would hold the output pipes open), and messages are in English.
    /// </summary>
    private static ProcessResult RunProcess(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        startInfo.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        startInfo.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach ((string key, string? value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[key] = value;
        }

        string command = $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)}";
        using Process process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {command}.");
        Task<string> standardOutput = process.StandardOutput.ReadToEndAsync();
        Task<string> standardError = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {timeout.TotalSeconds:0} s.");
        }

        if (!Task.WaitAll([standardOutput, standardError], TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"{command} exited, but its output stayed open (a process it started still holds it).");
        }

        return new ProcessResult(process.ExitCode, standardOutput.Result, standardError.Result);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Differentiable.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Differentiable.sln.");
    }
}
