namespace Differentiable.Generator.Tests;

/// <summary>[DerivativeOf] registrations: shapes, duplicates, and a function with reverse mode only.</summary>
public class RegistrationTests
{
    private const string Special = """
        using System;
        using Differentiable;

        public static class Special
        {
            public static double Gamma(double x) => x; // stands for a function whose body the generator cannot see
            public static double Digamma(double x) => x;
        }

        """;

    [Fact]
    public void WrongShape_IsReportedOnTheRegistration() => Markup.VerifyDiagnostics(Special + """
        public static class Rules
        {
            [DerivativeOf(typeof(Special), nameof(Special.Gamma))]
            public static double {|DIFF0006:GammaJvp|}(double x, double dx) => dx;

            [DerivativeOf(typeof(Special), nameof(Special.Gamma))]
            public static double {|DIFF0006:GammaVjp|}(double x, double dResult, ref double dx) => x;

            [DerivativeOf(typeof(Special), "NoSuchMethod")]
            public static (double, double) {|DIFF0006:Missing|}(double x, double dx) => (x, dx);
        }
        """);

    [Fact]
    public void RegistrationForAMethodWithArrayParameters_IsReported_NotHalfMatched() => Markup.VerifyDiagnostics("""
        using System;
        using Differentiable;

        public static class Sums
        {
            public static double Total(double[] values) => values[0];
        }

        public static class Rules
        {
            // Without the array's shadow this shape would look like a Vjp with no differentiable parameters.
            [DerivativeOf(typeof(Sums), nameof(Sums.Total))]
            public static double {|DIFF0006:TotalVjp|}(double[] values, double dResult) => values[0];
        }
        """);

    [Fact]
    public void InstanceRegistration_IsReported() => Markup.VerifyDiagnostics(Special + """
        public class Rules
        {
            [DerivativeOf(typeof(Special), nameof(Special.Gamma))]
            public (double Value, double Tangent) {|DIFF0006:GammaJvp|}(double x, double dx) => (x, dx);
        }
        """);

    [Fact]
    public void SecondRegistrationOfTheSameMode_IsReported() => Markup.VerifyDiagnostics(Special + """
        public static class Rules
        {
            [DerivativeOf(typeof(Special), nameof(Special.Gamma))]
            public static (double Value, double Tangent) GammaJvp(double x, double dx) => (x, dx);

            [DerivativeOf(typeof(Special), nameof(Special.Gamma))]
            public static (double Value, double Tangent) {|DIFF0007:AnotherGammaJvp|}(double x, double dx) => (x, dx);
        }
        """);

    [Fact]
    public void RegistrationOfAFunctionThatAlreadyHasDerivatives_IsReported() => Markup.VerifyDiagnostics(Special + """
        public static partial class Model
        {
            [Differentiable]
            public static double Square(double x) => x * x;
        }

        public static class Rules
        {
            [DerivativeOf(typeof(Model), nameof(Model.Square))]
            public static (double Value, double Tangent) {|DIFF0007:SquareJvp|}(double x, double dx) => (x * x, 2 * x * dx);

            [DerivativeOf(typeof(Math), nameof(Math.Sin))]
            public static (double Value, double Tangent) {|DIFF0007:SinJvp|}(double x, double dx) => (Math.Sin(x), Math.Cos(x) * dx);
        }
        """);

    [Fact]
    public void ReverseOnlyRegistration_GivesVjpAndWarnsThatJvpIsMissing()
    {
        var run = Markup.VerifyDiagnostics(Special + """
            public static class Rules
            {
                [DerivativeOf(typeof(Special), nameof(Special.Digamma))]
                public static double DigammaVjp(double x, double dResult, out double dx)
                {
                    dx = dResult;
                    return Special.Digamma(x);
                }
            }

            public static partial class Model
            {
                [Differentiable]
                public static double F(double x) => 2 * {|DIFF0008:Special.Digamma(x)|};
            }
            """);
        string source = Assert.Single(run.Sources, s => s.HintName == "Model.F.g.cs").Source;
        Assert.Contains("FVjp(", source);
        Assert.DoesNotContain("FJvp(", source);
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Fact]
    public void PublicRegistrations_AreExportedForReferencingAssemblies_AndInternalOnesAreNot()
    {
        var run = Markup.VerifyDiagnostics(Special + """
            public static class PublicRules
            {
                [DerivativeOf(typeof(Special), nameof(Special.Gamma))]
                public static (double Value, double Tangent) GammaJvp(double x, double dx) => (x, dx);
            }

            internal static class InternalRules
            {
                [DerivativeOf(typeof(Special), nameof(Special.Digamma))]
                public static (double Value, double Tangent) DigammaJvp(double x, double dx) => (x, dx);
            }
            """);
        string export = Assert.Single(run.Sources, s => s.HintName == "Differentiable.DerivativeRegistrations.g.cs").Source;
        Assert.Contains("[assembly: global::Differentiable.DerivativeRegistrations(typeof(global::PublicRules))]", export);
        Assert.DoesNotContain("InternalRules", export);
        Assert.Empty(run.CompilationDiagnostics);
    }
}
