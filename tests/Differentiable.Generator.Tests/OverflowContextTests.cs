using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Generator.Tests;

/// <summary>
/// The overflow context of integer arithmetic follows the source in every generated entry point, whatever the project's
/// CheckForOverflowUnderflow: <c>unchecked(…)</c> wraps in a checked project, <c>checked(…)</c> throws in an unchecked one,
/// and the arithmetic the transforms add (the ranges a reversed loop saves, for loops that never run) never throws.
/// </summary>
public class OverflowContextTests
{
    private const string Source = """
        using System;
        using Differentiable;

        public static partial class Counts
        {
            // Wraps on purpose: in a checked project only the unchecked(...) keeps it from throwing.
            [Differentiable]
            public static double Hash(double x, int seed)
            {
                int h = unchecked(seed * 16777619 + 1000);
                return (h & 1) == 0 ? x * x : 3 * x;
            }

            // Throws in an unchecked project too.
            [Differentiable]
            public static double Product(double x, int n, int m)
            {
                int count = checked(n * m);
                return x * count;
            }

            // A loop over a local buffer from lo to hi: the reverse sweep saves the range it reads, computed as hi - lo,
            // which wraps for lo = int.MaxValue, hi = int.MinValue (the loop does not run), and puts it back before its reverse.
            [Differentiable]
            public static double Range(double x, int lo, int hi)
            {
                var buffer = new double[4];
                for (int i = 0; i < 4; i++)
                {
                    buffer[i] = x * (i + 1);
                }

                double s = 0;
                for (int i = lo; i < hi; i++)
                {
                    s = s * buffer[i] + buffer[i];
                }

                // Overwritten afterwards: the loop's reverse needs the elements it read, so they are saved as a range.
                for (int i = 0; i < 4; i++)
                {
                    buffer[i] = s * x;
                }

                return s + x * buffer[1];
            }
        }
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EntryPoints_KeepTheSourcesOverflowContext(bool projectChecksOverflow)
    {
        CSharpCompilation input = TestCompilation.Create(LanguageVersion.CSharp14, Source);
        input = input.WithOptions(input.Options.WithOverflowChecks(projectChecksOverflow));
        TestCompilation.Run run = TestCompilation.RunGenerator(input);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Type counts = TestCompilation.Load(run.Output).GetType("Counts")!;

        // The range the reverse sweep saves is computed unchecked where the project checks (and only there).
        string range = run.Sources.Single(s => s.HintName.Contains("Range", StringComparison.Ordinal)).Source;
        Assert.Contains("PushSlice", range, StringComparison.Ordinal);
        Assert.Equal(projectChecksOverflow, range.Contains("unchecked(", StringComparison.Ordinal));

        // unchecked(seed * 16777619) wraps in both projects, in every entry point.
        foreach (int seed in new[] { int.MaxValue, 7 })
        {
            double value = Invoke<double>(counts, "Hash", 0.5, seed);
            var (jvpValue, tangent) = Invoke<(double, double)>(counts, "HashJvp", 0.5, seed, 1.0);
            object?[] gradient = [0.5, seed, null];
            Assert.Equal(value, (double)counts.GetMethod("HashGradient")!.Invoke(null, gradient)!);
            Assert.Equal(value, jvpValue);
            Assert.Equal(tangent, (double)gradient[2]!);
            Assert.True(tangent is 1.0 or 3.0);
        }

        // checked(n * m) throws in both projects, in every entry point.
        foreach (string name in new[] { "Product", "ProductJvp", "ProductGradient" })
        {
            object?[] arguments = name switch
            {
                "ProductJvp" => [0.5, 1 << 20, 1 << 12, 1.0],
                "ProductGradient" => [0.5, 1 << 20, 1 << 12, null],
                _ => [0.5, 1 << 20, 1 << 12],
            };
            var thrown = Assert.Throws<TargetInvocationException>(() => counts.GetMethod(name)!.Invoke(null, arguments));
            Assert.IsType<OverflowException>(thrown.InnerException);
        }

        // A loop that does not run, with bounds whose difference wraps, and one that does.
        foreach ((int lo, int hi) in new[] { (int.MaxValue, int.MinValue), (0, 4), (1, 3) })
        {
            double value = Invoke<double>(counts, "Range", 0.5, lo, hi);
            object?[] gradient = [0.5, lo, hi, null];
            Assert.Equal(value, (double)counts.GetMethod("RangeGradient")!.Invoke(null, gradient)!);
            var (_, tangent) = Invoke<(double, double)>(counts, "RangeJvp", 0.5, lo, hi, 1.0);
            Assert.Equal(tangent, (double)gradient[3]!, 12);
            double h = 1e-6, fd = (Invoke<double>(counts, "Range", 0.5 + h, lo, hi) - Invoke<double>(counts, "Range", 0.5 - h, lo, hi)) / (2 * h);
            Assert.Equal(fd, tangent, 6);
        }
    }

    private static T Invoke<T>(Type type, string name, params object?[] arguments) =>
        (T)type.GetMethod(name)!.Invoke(null, arguments)!;
}
