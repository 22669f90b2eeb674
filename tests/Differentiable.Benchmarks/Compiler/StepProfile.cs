using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Benchmarks.Compiler;

/// <summary>
/// Where a warm keystroke run of the generator spends its time, by pipeline step, from the driver's own step
/// timings (<see cref="IncrementalGeneratorRunStep.ElapsedTime"/>). Not a benchmark: a breakdown to read next to one.
/// </summary>
internal static class StepProfile
{
    private const int WarmUp = 60;

    public static void Run(int runs = 30)
    {
        CSharpCompilation compilation = LargeInput.Create();
        GeneratorDriver warm = CSharpGeneratorDriver.Create(
                [new Differentiable.Generator.DifferentiableGenerator().AsSourceGenerator()],
                parseOptions: LargeInput.ParseOptions,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true))
            .RunGenerators(compilation);
        var (oldTree, newTree) = LargeInput.Keystroke(compilation);

        var totals = new List<double>();
        var wall = new List<double>();
        var steps = new Dictionary<string, List<double>>();
        for (int run = 0; run < runs + WarmUp; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            GeneratorDriver driver = warm.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree));
            stopwatch.Stop();
            GeneratorRunResult result = driver.GetRunResult().Results[0];
            if (run < WarmUp)
            {
                continue; // warm-up: Roslyn's code is tiered up by the JIT
            }

            wall.Add(stopwatch.Elapsed.TotalMilliseconds);
            totals.Add(driver.GetTimingInfo().GeneratorTimes[0].ElapsedTime.TotalMilliseconds);
            foreach (var (name, runSteps) in result.TrackedSteps)
            {
                if (!steps.TryGetValue(name, out List<double>? list))
                {
                    steps[name] = list = new List<double>();
                }

                list.Add(runSteps.Sum(s => s.ElapsedTime.TotalMilliseconds));
            }
        }

        Console.WriteLine($"Warm keystroke run of the generator on {LargeInput.MethodCount} methods, median of {runs} runs after {WarmUp} (step tracking on):");
        Console.WriteLine($"  {"wall clock (RunGenerators)",-58} {Median(wall),8:F1} ms");
        Console.WriteLine($"  {"generator (GetTimingInfo)",-58} {Median(totals),8:F1} ms");
        foreach (var (name, times) in steps.OrderByDescending(p => Median(p.Value)).Where(p => Median(p.Value) >= 0.05))
        {
            Console.WriteLine($"  step {name,-53} {Median(times),8:F1} ms");
        }

        // The floor: a generator that only binds the same bodies, timed the same way.
        GeneratorDriver floor = CSharpGeneratorDriver.Create([new BindingOnlyGenerator().AsSourceGenerator()], parseOptions: LargeInput.ParseOptions)
            .RunGenerators(compilation);
        var floorWall = new List<double>();
        for (int run = 0; run < runs + WarmUp; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            floor.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree));
            if (run >= WarmUp)
            {
                floorWall.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        Console.WriteLine($"  {"floor: BindingOnlyGenerator, same keystroke (wall clock)",-58} {Median(floorWall),8:F1} ms");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
