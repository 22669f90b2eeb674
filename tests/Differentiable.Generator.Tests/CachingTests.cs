using System.Collections.Immutable;
using System.Reflection;
using Differentiable.Generator.Model;
using Differentiable.Tests.ExternalMath;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.Generator.Tests;

/// <summary>
/// Incremental caching: after an edit, the pipeline steps whose inputs did not change are cached, and the
/// pipeline models hold no compilation, symbol or syntax (which would defeat caching and keep compilations alive).
/// </summary>
public class CachingTests
{
    /// <summary>Two [Differentiable] methods, then a plain method below them whose body the tests edit.</summary>
    private const string ModelFile = """
        using System;
        using Differentiable;
        using Differentiable.Tests.ExternalMath;

        namespace Demo
        {
            public static partial class Model
            {
                [Differentiable]
                public static double Square(double x) => x * x;

                [Differentiable]
                public static double Mixed(double x, double y)
                {
                    double s = Math.Sin(x) * y;
                    var (a, b) = (s + x, s * y);
                    if (x > 0)
                    {
                        return a * b + SpecialFunctions.Erfc(x) + Local(y);
                    }

                    return a - b;
                }

                [Differentiable]
                public static double Local(double x) => Math.Exp(x);

                public static int Helper(int n)
                {
                    return n + 1;
                }
            }
        }
        """;

    /// <summary>A second file with a [Differentiable] method and a custom derivative registration.</summary>
    private const string SecondFile = """
        using System;
        using Differentiable;

        namespace Demo
        {
            public static class Special
            {
                public static double Gamma(double x) => x;
            }

            public static partial class Other
            {
                [Differentiable]
                public static double Cube(double x) => x * x * x;

                [DerivativeOf(typeof(Special), nameof(Special.Gamma))]
                public static (double Value, double Tangent) GammaJvp(double x, double dx) => (x, dx);
            }
        }
        """;

    /// <summary>A file with nothing for the generator.</summary>
    private const string PlainFile = """
        namespace Demo
        {
            public class Plain
            {
                public int Value()
                {
                    return 1;
                }
            }
        }
        """;

    private static readonly string[] PipelineSteps =
    [
        TrackingNames.Registrations,
        TrackingNames.ReferencedRegistrations,
        TrackingNames.Registry,
        TrackingNames.Lowered,
        TrackingNames.Generated,
    ];

    /// <summary>What a pipeline model must never hold.</summary>
    private static readonly Type[] ForbiddenTypes =
    [
        typeof(Compilation),
        typeof(ISymbol),
        typeof(SyntaxNode),
        typeof(SyntaxTree),
        typeof(SemanticModel),
        typeof(Location),
    ];

    private static readonly IncrementalStepRunReason[] CachedOrUnchanged = [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged];

    [Fact]
    public void Rerun_OnClonedCompilation_EveryStepIsCached()
    {
        Compilation compilation = CreateCompilation();
        GeneratorDriver driver = CreateDriver(compilation).RunGenerators(compilation);
        ImmutableDictionary<string, string> before = Sources(driver);

        driver = driver.RunGenerators(compilation.Clone());
        GeneratorRunResult result = driver.GetRunResult().Results[0];

        Assert.All(PipelineSteps, name => Assert.NotEmpty(result.TrackedSteps[name].SelectMany(s => s.Outputs)));
        foreach (var (name, steps) in result.TrackedSteps)
        {
            // A clone is a new compilation: the input itself, and Roslyn's own step pairing it with the
            // attributed nodes, are Modified; every step after them must cache.
            if (name is not (WellKnownGeneratorInputs.Compilation or "compilationAndGroupedNodes_ForAttributeWithMetadataName"))
            {
                AssertAll(steps, name, CachedOrUnchanged);
            }
        }

        foreach (var (name, steps) in result.TrackedOutputSteps)
        {
            AssertAll(steps, "output " + name, CachedOrUnchanged);
        }

        Assert.Equal(before, Sources(driver));
    }

    [Fact]
    public void PipelineModels_AfterRuns_HoldNoCompilationSymbolOrSyntax()
    {
        Compilation compilation = CreateCompilation();
        GeneratorDriver driver = CreateDriver(compilation).RunGenerators(compilation);
        AssertNoForbiddenTypes(driver.GetRunResult().Results[0]);

        driver = driver.RunGenerators(compilation.Clone());
        AssertNoForbiddenTypes(driver.GetRunResult().Results[0]);
    }

    [Fact]
    public void ForbiddenTypeWalk_ValueHoldingACompilationOrSymbol_Fails()
    {
        // Guards the walk above: it must see through tuples, records and arrays.
        Compilation compilation = CreateCompilation();
        ISymbol symbol = compilation.GetTypeByMetadataName("Demo.Model")!;
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Visit((1, ImmutableArray.Create<object>("a", compilation)), "value", new HashSet<object>(ReferenceEqualityComparer.Instance)));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Visit(new KeyValuePair<string, object[]>("k", [symbol]), "value", new HashSet<object>(ReferenceEqualityComparer.Instance)));
        Visit((1, EquatableArray.Of("a", "b")), "value", new HashSet<object>(ReferenceEqualityComparer.Instance));
    }

    [Fact]
    public void Pipeline_InitialRun_TracksEveryStepWithOutputs()
    {
        // Guards the other tests: they would pass vacuously if a step produced nothing.
        Compilation compilation = CreateCompilation();
        GeneratorRunResult result = CreateDriver(compilation).RunGenerators(compilation).GetRunResult().Results[0];

        foreach (string name in PipelineSteps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(name), $"step {name} is not tracked");
            Assert.NotEmpty(result.TrackedSteps[name].SelectMany(s => s.Outputs));
        }

        Assert.NotEmpty((EquatableArray<Rules.Registration>)result.TrackedSteps[TrackingNames.ReferencedRegistrations].Single().Outputs.Single().Value);
        Assert.Equal(["Cube", "Local", "Mixed", "Square"], GeneratedFiles(result).Keys.Select(MethodOf).Order());
        Assert.All(GeneratedFiles(result).Values, file => Assert.NotNull(file.Value.Source));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void UnrelatedFile_BodyEdited_DifferentiableMethodsAreNotRegenerated()
    {
        Compilation compilation = CreateCompilation();
        GeneratorDriver driver = CreateDriver(compilation).RunGenerators(compilation);
        ImmutableDictionary<string, string> before = Sources(driver);

        driver = driver.RunGenerators(Edit(compilation, "Input2.cs", "return 1;", "return 42 + 0;"));
        GeneratorRunResult result = driver.GetRunResult().Results[0];

        AssertAll(result.TrackedSteps[TrackingNames.Lowered], TrackingNames.Lowered, CachedOrUnchanged);
        AssertAll(result.TrackedSteps[TrackingNames.ReferencedRegistrations], TrackingNames.ReferencedRegistrations, CachedOrUnchanged);
        AssertAll(result.TrackedSteps[TrackingNames.Registrations], TrackingNames.Registrations, CachedOrUnchanged);
        AssertAll(result.TrackedSteps[TrackingNames.Registry], TrackingNames.Registry, CachedOrUnchanged);
        AssertNothingRegenerated(result, before, driver);
    }

    [Fact]
    public void NonDifferentiableMethodBelow_BodyEdited_GeneratedIsCached()
    {
        Compilation compilation = CreateCompilation();
        GeneratorDriver driver = CreateDriver(compilation).RunGenerators(compilation);
        ImmutableDictionary<string, string> before = Sources(driver);

        // Below the [Differentiable] methods: their positions and line numbers do not move.
        driver = driver.RunGenerators(Edit(compilation, "Input0.cs", "return n + 1;", "int m = n * 2;\n            return m + 1;"));
        GeneratorRunResult result = driver.GetRunResult().Results[0];

        // The edited file is lowered again, to the same models; so nothing is generated again.
        AssertAll(result.TrackedSteps[TrackingNames.Lowered], TrackingNames.Lowered, CachedOrUnchanged);
        AssertNothingRegenerated(result, before, driver);
    }

    /// <summary>
    /// Every method's Generated output is Cached, not merely Unchanged (no method is checked, transformed or
    /// emitted again), every source output is Cached or Unchanged, and the sources are identical.
    /// </summary>
    private static void AssertNothingRegenerated(GeneratorRunResult result, ImmutableDictionary<string, string> before, GeneratorDriver driver)
    {
        AssertAll(result.TrackedSteps[TrackingNames.Generated], TrackingNames.Generated, [IncrementalStepRunReason.Cached]);
        Assert.Equal(4, result.TrackedSteps[TrackingNames.Generated].SelectMany(s => s.Outputs).Count());
        foreach (var (name, steps) in result.TrackedOutputSteps)
        {
            AssertAll(steps, "output " + name, CachedOrUnchanged);
        }

        Assert.Equal(before, Sources(driver));
    }

    [Fact]
    public void DifferentiableMethod_BodyEdited_OnlyItsOutputIsModified()
    {
        Compilation compilation = CreateCompilation();
        GeneratorDriver driver = CreateDriver(compilation).RunGenerators(compilation);
        ImmutableDictionary<string, string> before = Sources(driver);

        driver = driver.RunGenerators(Edit(compilation, "Input1.cs", "=> x * x * x;", "=> x * x * x + x;"));
        GeneratorRunResult result = driver.GetRunResult().Results[0];

        var lowered = result.TrackedSteps[TrackingNames.Lowered].SelectMany(s => s.Outputs)
            .ToDictionary(o => ((MethodModel)o.Value).Name, o => o.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, lowered["Cube"]);
        Assert.Contains(lowered["Square"], CachedOrUnchanged);
        Assert.Contains(lowered["Mixed"], CachedOrUnchanged);
        Assert.Contains(lowered["Local"], CachedOrUnchanged);

        // The edit moves the [DerivativeOf] method below Cube: the Registry, which records where registrations
        // are, changes, but the Resolution view that generation reads does not, so the other methods are not
        // executed again at all.
        Assert.All(result.TrackedSteps[TrackingNames.Resolution].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, CachedOrUnchanged));
        var generated = GeneratedFiles(result).ToDictionary(p => MethodOf(p.Key), p => p.Value.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, generated["Cube"]);
        Assert.Equal(IncrementalStepRunReason.Cached, generated["Square"]);
        Assert.Equal(IncrementalStepRunReason.Cached, generated["Mixed"]);
        Assert.Equal(IncrementalStepRunReason.Cached, generated["Local"]);

        ImmutableDictionary<string, string> after = Sources(driver);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        string[] changed = before.Keys.Where(hint => before[hint] != after[hint]).ToArray();
        string cube = Assert.Single(changed);
        Assert.Equal("Cube", MethodOf(cube));
        Assert.Contains("x * x * x + x", after[cube]);
    }

    private static Compilation CreateCompilation() =>
        TestCompilation.Create(
            LanguageVersion.CSharp14,
            [
                // Two libraries: one the sources call, one exporting public registrations (ReferencedRegistrations).
                MetadataReference.CreateFromFile(typeof(SpecialFunctions).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(Differentiable.Tests.Library.Distributions).Assembly.Location),
            ],
            ModelFile, SecondFile, PlainFile);

    private static GeneratorDriver CreateDriver(Compilation compilation) =>
        CSharpGeneratorDriver.Create(
            [new DifferentiableGenerator().AsSourceGenerator()],
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Replaces one occurrence of <paramref name="oldText"/> in a file, as a keystroke in the IDE would (incremental reparse).</summary>
    private static Compilation Edit(Compilation compilation, string path, string oldText, string newText)
    {
        SyntaxTree tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        SourceText text = tree.GetText();
        int start = text.ToString().IndexOf(oldText, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{oldText}' not found in {path}");
        Assert.Equal(-1, text.ToString().IndexOf(oldText, start + 1, StringComparison.Ordinal));
        SyntaxTree edited = tree.WithChangedText(text.Replace(new TextSpan(start, oldText.Length), newText));
        return compilation.ReplaceSyntaxTree(tree, edited);
    }

    private static ImmutableDictionary<string, string> Sources(GeneratorDriver driver) =>
        driver.GetRunResult().Results[0].GeneratedSources.ToImmutableDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>The Generated step's outputs, by hint name.</summary>
    private static Dictionary<string, (GeneratedFile Value, IncrementalStepRunReason Reason)> GeneratedFiles(GeneratorRunResult result) =>
        result.TrackedSteps[TrackingNames.Generated]
            .SelectMany(s => s.Outputs)
            .ToDictionary(o => ((GeneratedFile)o.Value).HintName, o => ((GeneratedFile)o.Value, o.Reason));

    /// <summary>The method a hint name is for: <c>Demo.Other.Cube.g.cs</c> → <c>Cube</c>.</summary>
    private static string MethodOf(string hintName)
    {
        string[] parts = hintName.Split('.');
        return parts[^3];
    }

    private static void AssertAll(ImmutableArray<IncrementalGeneratorRunStep> steps, string name, IncrementalStepRunReason[] allowed)
    {
        foreach (IncrementalGeneratorRunStep step in steps)
        {
            foreach (var (value, reason) in step.Outputs)
            {
                Assert.True(allowed.Contains(reason), $"step {name} ({step.Name}): output {value} is {reason}, expected {string.Join(" or ", allowed)}");
            }
        }
    }

    private static void AssertNoForbiddenTypes(GeneratorRunResult result)
    {
        foreach (string name in PipelineSteps)
        {
            foreach (IncrementalGeneratorRunStep step in result.TrackedSteps[name])
            {
                foreach (var (value, _) in step.Outputs)
                {
                    Visit(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
            }
        }
    }

    /// <summary>Walks an output value (records, arrays, tuples, through every field) looking for a forbidden type.</summary>
    private static void Visit(object? node, string path, HashSet<object> visited)
    {
        if (node is null)
        {
            return;
        }

        Type type = node.GetType();
        if (type.IsPrimitive || type.IsEnum || type.IsPointer || node is string or decimal or Type or Delegate)
        {
            return;
        }

        Type? forbidden = ForbiddenTypes.FirstOrDefault(f => f.IsAssignableFrom(type));
        Assert.True(forbidden is null, $"{path} holds a {type.FullName}, which is a {forbidden?.Name}");

        if (!type.IsValueType && !visited.Add(node))
        {
            return;
        }

        if (node is Array array)
        {
            int i = 0;
            foreach (object? item in array)
            {
                Visit(item, $"{path}[{i++}]", visited);
            }

            return;
        }

        for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!field.FieldType.IsPointer)
                {
                    Visit(field.GetValue(node), $"{path}.{field.Name}", visited);
                }
            }
        }
    }
}
