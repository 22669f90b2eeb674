using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Generator.Tests;

/// <summary>What the generator cannot differentiate is reported on the exact construct, and the method is skipped.</summary>
public class DiagnosticTests
{
    private const string Usings = "using System;\nusing System.Linq;\nusing Differentiable;\n";

    [Fact]
    public void TypeNotPartial_IsReportedOnTheType()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static class {|DIFF0001:Model|}
            {
                [Differentiable]
                public static double F(double x) => x * x;
            }
            """);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void EnclosingTypeNotPartial_IsReportedOnTheEnclosingType() => Markup.VerifyDiagnostics(Usings + """
        public class {|DIFF0001:Outer|}
        {
            public static partial class Inner
            {
                [Differentiable]
                public static double F(double x) => x * x;
            }
        }
        """);

    [Fact]
    public void CalleeWithoutDerivatives_IsReportedOnEachCall_AndUpTheChain()
    {
        // Cube's type is not partial, so Cube gets nothing: Loss calls it, Total calls Loss. Generating them anyway would
        // call CubeJvp and LossJvp, which do not exist (CS0117).
        var run = Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double x) => {|DIFF0018:Shapes.Cube(x)|} + {|DIFF0018:Shapes.Cube(2 * x)|};

                [Differentiable]
                public static double Total(double x) => {|DIFF0018:Loss(x)|} * x;

                [Differentiable]
                public static double Unrelated(double x) => Shapes.Cube(1.5) * x;

                public static class {|DIFF0001:Shapes|}
                {
                    [Differentiable]
                    public static double Cube(double x) => x * x * x;
                }
            }
            """);
        Assert.Equal(["Model.Unrelated.g.cs"], run.Sources.Select(s => s.HintName));
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS", StringComparison.Ordinal)));
    }

    [Fact]
    public void CalleeWithoutForwardMode_TakesTheCallersJvpAway_AndSaysSo()
    {
        // Digamma has only a reverse-mode registration: Half has no Jvp (DIFF0008), and neither has Twice, which calls Half.
        var run = Markup.VerifyDiagnostics(Usings + """
            public static class Special
            {
                public static double Digamma(double x) => x;
            }

            public static class SpecialDerivatives
            {
                [DerivativeOf(typeof(Special), nameof(Special.Digamma))]
                public static double DigammaVjp(double x, double dResult, out double dx)
                {
                    dx = dResult;
                    return x;
                }
            }

            public static partial class Model
            {
                [Differentiable]
                public static double Half(double x) => {|DIFF0008:Special.Digamma(x)|} / 2;

                [Differentiable]
                public static double Twice(double x) => {|DIFF0008:Half(x)|} * 2 + Half(x * x);
            }
            """);
        var models = run.Sources.Where(s => s.HintName.StartsWith("Model.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Model.Half.g.cs", "Model.Twice.g.cs"], models.Select(s => s.HintName));
        Assert.All(models, s => Assert.DoesNotContain("Jvp(", s.Source, StringComparison.Ordinal));
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void CallsWithOutOrRefArguments_AreReportedWhereTheyCannotBeDifferentiated()
    {
        Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double Split(double x, out double y)
                {
                    y = x * x;
                    return x;
                }

                [Differentiable]
                public static double IntoAnElement(double x)
                {
                    double[] a = new double[2];
                    double r = Split(x, out {|DIFF0002:a[0]|});
                    return r + a[0];
                }

                [Differentiable]
                public static double Twice(double x)
                {
                    Split2(x, out double y, out {|DIFF0002:y|});
                    return y;
                }

                [Differentiable]
                public static void Split2(double x, out double y, out double z)
                {
                    y = x;
                    z = x * x;
                }

                [Differentiable]
                public static double InACondition(double x) => {|DIFF0002:Split(x, out double y)|} > 0 ? y : x;

                [Differentiable(Order = 2)]
                public static double SecondOrder(double x) => {|DIFF0020:Split(x, out double y)|} * y;
            }
            """);
    }

    [Fact]
    public void RangesThatACopyCannotStandFor_AreReported()
    {
        Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double InALoop(double[] a)
                {
                    double s = 0;
                    for (int i = 1; i < a.Length; i++)
                    {
                        double[] tail = {|DIFF0002:a[i..]|};
                        s += tail[0];
                    }

                    return s;
                }

                [Differentiable]
                public static double OfAWrittenSpan(Span<double> a)
                {
                    ReadOnlySpan<double> tail = {|DIFF0002:a[1..]|};
                    a[1] = 5;
                    return tail[0];
                }

                [Differentiable]
                public static double OfARangeVariable(double[] a)
                {
                    Range r = {|DIFF0002:1..|};
                    double[] tail = a[r];
                    return tail[0];
                }
            }
            """);
    }

    [Fact]
    public void LinqAndSystemNumerics_AreReported_WithTheSpellingThatWorks()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double Total(double[] a) => {|DIFF0002:a.Sum()|};

                [Differentiable]
                public static double Length(double x) => {|DIFF0002:new System.Numerics.Vector2((float)x, 1f)|}.X;
            }
            """);
        var messages = run.GeneratorDiagnostics.AddRange(run.AnalyzerDiagnostics).Select(d => d.GetMessage()).ToList();
        Assert.Contains(messages, m => m.Contains("LINQ's 'Sum'", StringComparison.Ordinal) && m.Contains("foreach (double v in a)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Creating a 'Vector2'", StringComparison.Ordinal) && m.Contains("use double or float values", StringComparison.Ordinal));
    }

    [Fact]
    public void ACalleeWithNoDerivative_AndAMutableField_AreReportedOncePerConstruct_WithTheirOtherUsesAsAdditionalLocations()
    {
        const string plainUse = "Plain(x * 2)";
        var run = Markup.VerifyDiagnostics(Usings + $$"""
            public static partial class Model
            {
                private static double scale = 2;

                private static double Plain(double x) => x;

                [Differentiable]
                public static double F(double x) => {|DIFF0003:Plain(x)|} + {{plainUse}} * {|DIFF0010:scale|} * x + scale * Plain(x);
            }
            """);
        foreach (Diagnostic diagnostic in run.GeneratorDiagnostics.AddRange(run.AnalyzerDiagnostics))
        {
            string source = diagnostic.Location.SourceTree!.ToString();
            var others = diagnostic.AdditionalLocations.Select(l => source.Substring(l.SourceSpan.Start, l.SourceSpan.Length)).ToList();
            Assert.Equal(diagnostic.Id == "DIFF0003" ? [plainUse, "Plain(x)"] : ["scale"], others);
        }
    }

    [Theory]
    [InlineData("for (int i = 0; i < n; i++) { double[] a = {|DIFF0002:new double[2]|}; a[0] = x; x = a[0] * 2; }")]
    [InlineData("double[] a = new double[2]; {|DIFF0002:a = new double[3]|}; a[0] = x; x = a[0];")]
    [InlineData("Span<double> s = {|DIFF0002:stackalloc double[] { 1, 2 }|}; x = x * s[0];")]
    [InlineData("double[][] rows = {|DIFF0002:new double[2][]|}; x = x * rows.Length;")]
    [InlineData("if (n > 0) { double[] a = {|DIFF0002:new double[n]|}; a[0] = x; x = a[0]; }")]
    [InlineData("{|DIFF0002:try { x = x * 2; } catch (Exception) { }|}")]
    [InlineData("{|DIFF0002:lock (Gate) { x = x * 2; }|}")]
    [InlineData("Func<double, double> g = {|DIFF0002:v => v * x|};")]
    [InlineData("{|DIFF0002:Counter = x|};")]
    [InlineData("{|DIFF0002:Math.Sin(x)|};")]
    [InlineData("if (x < 0) {|DIFF0002:throw Error;|}")]
    [InlineData("dynamic d = {|DIFF0002:x|};")]
    [InlineData("switch (x) { case {|DIFF0002:double.NaN|}: x = 0; break; }")]
    [InlineData("switch (n) { case 1: x = x * 2; {|DIFF0002:goto case 2;|} case 2: x = x + 1; break; }")]
    [InlineData("n = {|DIFF0002:n >>> 1|};")]
    [InlineData("{|DIFF0002:goto done;|} done: x = x * 2;")]
    [InlineData("{|DIFF0002:double Twice(double v) => v * 2;|}")]
    [InlineData("var query = {|DIFF0002:from v in Values select v * x|};")]
    [InlineData("{|DIFF0002:using (var d = new System.IO.MemoryStream()) { x = x * 2; }|}")]
    public void UnsupportedStatement_IsReportedOnTheConstruct(string statement)
    {
        var run = Markup.VerifyDiagnostics(Usings + $$"""
            public static partial class Model
            {
                private static readonly object Gate = new();
                private static readonly double[] Values = [1.0, 2.0];
                private static double Counter;
                private static readonly Exception Error = new();

                [Differentiable]
                public static double F(double x, int n)
                {
                    {{statement}}
                    return x;
                }
            }
            """);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void ArrayShapesNotSupportedYet_AreReportedOnTheConstruct() => Markup.VerifyDiagnostics(Usings + """
        public static partial class Vectors
        {
            [Differentiable]
            public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
            {
                double s = 0;
                for (int i = 0; i < a.Length; i++)
                {
                    s += a[i] * b[i];
                }

                return s;
            }

            // A slice is a view of x: its derivative would have to flow back into x's shadow.
            [Differentiable]
            public static double Tail(double[] x) => Dot({|DIFF0002:x.AsSpan(1)|}, x);

            [Differentiable]
            public static {|DIFF0004:Span<double>|} Identity(Span<double> x) => x;

        }
        """);

    [Fact]
    public void ALongCounterTheReverseSweepReadsBack_IsReported_NotMiscompiled() => Markup.VerifyDiagnostics(Usings + """
        public static partial class Counters
        {
            // The tape has int stacks, not long ones.
            [Differentiable]
            public static double {|DIFF0002:Weighted|}(double x, int n)
            {
                double s = 0;
                long k = 1;
                for (int i = 0; i < n; i++)
                {
                    s += x * k; // the reverse sweep reads k, which the next iteration overwrites
                    k = k * 3;
                }

                return s;
            }
        }
        """);

    [Fact]
    public void CallWithoutDerivative_OnADifferentiableValue_IsAnError()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static class Helpers
            {
                public static double Opaque(double v) => v * 3;
                public static double FromInteger(int n) => n * 0.5;
            }

            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, int n) => {|DIFF0003:Helpers.Opaque(x)|} + Helpers.FromInteger(n) + {|DIFF0014:Math.Round(x, 2)|};
            }
            """);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void CallWithoutDerivative_OnConstantsOnly_IsAllowed()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static class Helpers
            {
                public static double FromInteger(int n) => n * 0.5;
            }

            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, int n, [NoDerivative] double w) => x * Helpers.FromInteger(n) + Math.Round(w, 2) * x;
            }
            """);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Fact]
    public void UnsupportedSignature_IsReportedOnParameterAndReturnType() => Markup.VerifyDiagnostics(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, ref double[] {|DIFF0004:y|}) => x * y[0];

            [Differentiable]
            public static {|DIFF0004:string|} G(double x) => x.ToString();

            [Differentiable]
            public static double H(double x, decimal {|DIFF0004:m|}) => x;
        }
        """);

    [Fact]
    public void GenericMethod_IsReported() => Markup.VerifyDiagnostics(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double {|DIFF0005:F|}<T>(double x) => x * x;
        }
        """);

    [Fact]
    public void MutableFieldRead_IsAWarning_AndTheMethodIsGenerated()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public partial class Model
            {
                private double scale = 2;
                private readonly double offset = 1;

                [Differentiable]
                public double F(double x) => {|DIFF0010:scale|} * x + offset;
            }
            """);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Fact]
    public void LanguageVersionBelow12_IsReportedOnce_AndNothingIsGenerated()
    {
        var run = Markup.VerifyDiagnostics(Usings.Replace("using Differentiable;\n", string.Empty) + """
            namespace N
            {
                using Differentiable;

                public static partial class Model
                {
                    [Differentiable]
                    public static double {|DIFF0011:F|}(double x) => x * x;

                    [Differentiable]
                    public static double G(double x) => x * x * x;
                }
            }
            """, LanguageVersion.CSharp11);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void BrokenCode_NeverMakesTheGeneratorThrow()
    {
        string[] inputs =
        [
            "using Differentiable; public static partial class M { [Differentiable] public static double F(double x) => x * ; }",
            "using Differentiable; public static partial class M { [Differentiable] public static double F(double x) { if (x > ) return 1; }",
            "using Differentiable; public static partial class M { [Differentiable] public static double F(double x) => Unknown(x); }",
            "using Differentiable; public static partial class M { [Differentiable] public static double F(double x) { double y; return y + x; } }",
            "using Differentiable; public static partial class M { [Differentiable] public static double F(double x) => x switch { > 0 => x, _ => -x }; }",
            "using Differentiable; public static partial class M { [Differentiable] public static partial double F(double x); }",
        ];
        foreach (string input in inputs)
        {
            TestCompilation.Run run = TestCompilation.Generate(input);
            Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Id == "CS8785");
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "DIFF0009");
        }
    }

    [Fact]
    public void FailureOnOneMethod_IsReportedOnIt_AndOtherMethodsStillGenerate()
    {
        // Only methods of this name fail, so tests running in parallel are not affected.
        Lowering.Lowerer.FaultInjection = method => method.Name == "DifferentiableFaultInjectionForTests";
        var run = Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double {|DIFF0009:DifferentiableFaultInjectionForTests|}(double x) => x * x;

                [Differentiable]
                public static double Healthy(double x) => x * x * x;
            }
            """);
        Assert.Equal("Model.Healthy.g.cs", Assert.Single(run.Sources).HintName);
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Fact]
    public void DifferentiableValueIntoIntegerConversionOrRounding_IsAWarning_ButConditionsAreNot()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, double y)
                {
                    int steps = {|DIFF0014:(int)(x * 10)|};
                    double snapped = {|DIFF0014:Math.Round(y)|} + Math.Floor(NoDerivative.Of(y));
                    if (Math.Floor(x) > 2)
                    {
                        return x * steps + snapped;
                    }

                    return x * y + steps;
                }
            }
            """);
        Assert.Single(run.Sources);
    }

    [Fact]
    public void ResultIndependentOfDifferentiableParameters_IsAWarning() => Markup.VerifyDiagnostics(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double {|DIFF0015:F|}(double x, int n) => n * 2.0;

            [Differentiable]
            public static double {|DIFF0015:G|}([NoDerivative] double w) => w * w;
        }
        """);

    [Fact]
    public void UnusedNoDerivativeParameter_IsInfo() => Markup.VerifyDiagnostics(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, [NoDerivative] double {|DIFF0016:unused|}, [NoDerivative] double used) => x * used;
        }
        """);

    [Fact]
    public void NoDerivativeOnNonFloatingParameter_IsInfo() => Markup.VerifyDiagnostics(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, [{|DIFF0012:NoDerivative|}] int n) => x * n;
        }
        """);

    [Fact]
    public void MemberWithTheNameAndParametersOfAGeneratedOne_IsAnError_ButOverloadsAreNot()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double {|DIFF0017:F|}(double x) => x * x;

                public static double FGradient(double x, out double dx)
                {
                    dx = 2 * x;
                    return x * x;
                }

                [Differentiable]
                public static double G(double x) => x * x;

                public static double GGradient(double[] x) => x.Length; // a different overload: fine
            }
            """);
        Assert.Equal("Model.G.g.cs", Assert.Single(run.Sources).HintName);
    }

    [Fact]
    public void UserMembersNamedLikeEitherJacobian_AreAClash_ButOtherOverloadsAreNot()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double[] {|DIFF0017:F|}(double[] x) => [x[0] * x[1]];

                public static double[,] FJacobian(double[] x) => new double[1, x.Length];

                [Differentiable]
                public static void {|DIFF0017:G|}(double x, out double y, out double z) { y = x; z = 2 * x; }

                public static void GJacobian(double x, out double y, out double z, Span<double> jacobian) { y = x; z = x; }

                [Differentiable]
                public static double H(double x, double y) => x * y;

                public static double HJacobian(double x, double y, Span<float> jacobian) => 0; // float storage: another overload
            }
            """);
        Assert.Equal("Model.H.g.cs", Assert.Single(run.Sources).HintName);
    }

    [Fact]
    public void AsyncMethod_IsReportedOnTheMethod() => Markup.VerifyDiagnostics(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static async System.Threading.Tasks.Task<double> {|DIFF0002:F|}(double x)
            {
                await System.Threading.Tasks.Task.Yield();
                return x * x;
            }
        }
        """);
}
