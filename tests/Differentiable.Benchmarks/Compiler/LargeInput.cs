using System.Collections.Immutable;
using System.Text;
using Differentiable.Analyzers;
using Differentiable.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.Benchmarks.Compiler;

/// <summary>
/// A project of <see cref="MethodCount"/> [Differentiable] methods in <see cref="FileCount"/> files: arithmetic,
/// Math calls, branches, calls between them and tuples, in rotation. Compiled against the SDK's reference assemblies.
/// </summary>
internal static class LargeInput
{
    public const int FileCount = 10;
    public const int MethodsPerFile = 20;
    public const int MethodCount = FileCount * MethodsPerFile;

    /// <summary>The file and the text the keystroke benchmark edits: one method body, mid-project.</summary>
    public const string EditedFile = "Model5.cs";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp14);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>The method the keystroke edits (an arithmetic one): its constant term gains a digit.</summary>
    public static int EditedMethod => 5 * MethodsPerFile + 10;

    public static string EditedText => $"+ {EditedMethod}.0;";

    public static string EditedReplacement => $"+ {EditedMethod}.05;";

    public static CSharpCompilation Create() =>
        CSharpCompilation.Create(
            "Bench",
            Enumerable.Range(0, FileCount).Select(f => CSharpSyntaxTree.ParseText(File(f), ParseOptions, path: $"Model{f}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    /// <summary>The compilation with <see cref="EditedFile"/> changed by one keystroke (incremental reparse, as in the IDE).</summary>
    public static (SyntaxTree Old, SyntaxTree New) Keystroke(Compilation compilation)
    {
        SyntaxTree tree = compilation.SyntaxTrees.Single(t => t.FilePath == EditedFile);
        SourceText text = tree.GetText();
        int start = text.ToString().IndexOf(EditedText, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"'{EditedText}' not found in {EditedFile}");
        }

        return (tree, tree.WithChangedText(text.Replace(new TextSpan(start, EditedText.Length), EditedReplacement)));
    }

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create([new DifferentiableGenerator().AsSourceGenerator()], parseOptions: ParseOptions);

    /// <summary>Fails unless every method is generated without diagnostics, the output compiles and the analyzer is silent.</summary>
    public static void Validate()
    {
        CSharpCompilation compilation = Create();
        CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        int generated = output.SyntaxTrees.Count() - compilation.SyntaxTrees.Length;
        var errors = diagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        var analyzer = compilation.WithAnalyzers([new DifferentiableAnalyzer()]).GetAnalyzerDiagnosticsAsync().Result;
        if (generated != MethodCount || errors.Count > 0 || analyzer.Length > 0)
        {
            throw new InvalidOperationException(
                $"The benchmark input is not what it should be: {generated} of {MethodCount} files generated.\n"
                + string.Join("\n", errors.Concat(analyzer).Take(20)));
        }
    }

    /// <summary>One file: <c>partial class Model{f}</c> with methods <c>M{i}</c>, i = f·20 … f·20 + 19.</summary>
    internal static string File(int f)
    {
        var s = new StringBuilder();
        s.AppendLine("using System;");
        s.AppendLine("using Differentiable;");
        s.AppendLine();
        s.AppendLine("namespace Bench;");
        s.AppendLine();
        s.AppendLine($"public static partial class Model{f}");
        s.AppendLine("{");
        for (int k = 0; k < MethodsPerFile; k++)
        {
            int i = f * MethodsPerFile + k;
            s.AppendLine("    [Differentiable]");
            s.AppendLine(Method(f, k, i));
        }

        s.AppendLine("}");
        return s.ToString();
    }

    private static string Method(int f, int k, int i) => (i % 5) switch
    {
        // Arithmetic; after the first group of a file, it reads the tuple the method before it returns.
        0 when k == 0 => $$"""
                public static double M{{i}}(double x, double y) => 3 * x * x * y - 2 * y * y + x / (1 + y * y) + {{i}}.0;

            """,
        0 => $$"""
                public static double M{{i}}(double x, double y)
                {
                    var t = M{{i - 1}}(x, y);
                    double u = t.Sum * y - t.Product / (1 + x * x);
                    return 3 * u * x - 2 * y * y + {{i}}.0;
                }

            """,

        // Math functions.
        1 => $$"""
                public static double M{{i}}(double x, double y)
                {
                    double a = Math.Sin(x) * Math.Exp(-y);
                    double b = Math.Log(1 + x * x) + Math.Sqrt(1 + y * y);
                    return a * b + Math.Tanh(a - b) + Math.Cos(x * y) / (2 + Math.Sin(b));
                }

            """,

        // Branches and the conditional operator.
        2 => $$"""
                public static double M{{i}}(double x, double y)
                {
                    double r;
                    if (x > y)
                    {
                        r = x * x - y;
                    }
                    else if (y > 0)
                    {
                        r = Math.Cos(y) * x;
                    }
                    else
                    {
                        r = -x * y;
                    }

                    return x > 0 ? r * 2 : r + x;
                }

            """,

        // Calls: to the three methods before it, and to the same kind of method in the file before.
        3 => $$"""
                public static double M{{i}}(double x, double y)
                {
                    double a = M{{i - 1}}(x, y) * M{{i - 2}}(y, x);
                    double b = a + M{{i - 3}}(x * y, 0.5);
                    return {{(f > 0 ? $"b + Model{f - 1}.M{i - MethodsPerFile}(y, x)" : "b * b")}};
                }

            """,

        // Tuples: deconstruction and a named tuple result.
        _ => $$"""
                public static (double Sum, double Product) M{{i}}(double x, double y)
                {
                    var (s, p) = (x + y, x * y);
                    double q = M{{i - 1}}(s, p);
                    return (s * q, p + Math.Sin(q));
                }

            """,
    };

    /// <summary>The reference assemblies of the SDK's targeting pack (as the generator tests load them), plus the runtime.</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        string packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        string version = Environment.Version.ToString(3);
        string? refDirectory = Directory.Exists(Path.Combine(packs, version))
            ? Path.Combine(packs, version)
            : Directory.Exists(packs) ? Directory.GetDirectories(packs).OrderBy(d => d).LastOrDefault() : null;
        IEnumerable<string> assemblies = refDirectory is null
            ? Directory.GetFiles(runtimeDirectory, "*.dll") // no targeting pack: fall back to the runtime's own
            : Directory.GetFiles(Path.Combine(refDirectory, "ref", $"net{Environment.Version.Major}.0"), "*.dll");
        return assemblies
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location))
            .ToImmutableArray();
    }
}
