using Microsoft.CodeAnalysis;

namespace Differentiable.Generator.Tests;

/// <summary>
/// Order = 2 that cannot be generated is an error on what prevents it (DIFF0020); an Order other than 1 or 2 is DIFF0021.
/// As for every error, nothing is generated for the method; the analyzer and the generator report the same.
/// </summary>
public class SecondOrderDiagnosticTests
{
    private const string Usings = "using System;\nusing Differentiable;\n";

    [Fact]
    public void OrderOtherThanOneOrTwo_IsReported()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable(Order = 3)]
                public static double {|DIFF0021:F|}(double x) => x * x;
            }
            """);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void SecondOrderOfATupleResult_IsReported()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable(Order = 2)]
                public static (double A, double B) {|DIFF0020:F|}(double x) => (x * x, x);
            }
            """);
        Assert.Empty(run.Sources);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS", StringComparison.Ordinal)));
    }

    [Fact]
    public void SecondOrderOfAMethodThatWritesItsArray_IsReported()
    {
        Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable(Order = 2)]
                public static double {|DIFF0020:Scale|}(double[] a, double s)
                {
                    double sum = 0;
                    for (int i = 0; i < a.Length; i++)
                    {
                        a[i] = a[i] * s;
                        sum += a[i];
                    }

                    return sum;
                }
            }
            """);
    }

    [Fact]
    public void SecondOrderThroughCalls_InlinesTheCallees_AndCompiles()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable(Order = 2)]
                public static double Loss(double[] x) => SumOfSquares(x) * 0.5 + Square(x[0]);

                [Differentiable]
                public static double SumOfSquares(double[] x)
                {
                    double s = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        s += Square(x[i]);
                    }

                    return s;
                }

                [Differentiable]
                public static double Square(double z) => z * z;
            }
            """);
        Assert.Contains("LossHvp(", string.Concat(run.Sources.Select(s => s.Source)), StringComparison.Ordinal);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void SecondOrderThroughACustomDerivative_IsReportedOnTheCall()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static class Special
            {
                public static double Cube(double x) => x * x * x;
            }

            public static class SpecialDerivatives
            {
                [DerivativeOf(typeof(Special), nameof(Special.Cube))]
                public static double CubeVjp(double x, double dResult, out double dx)
                {
                    dx = 3 * x * x * dResult;
                    return x * x * x;
                }
            }

            public static partial class Model
            {
                [Differentiable(Order = 2)]
                public static double F(double x) => {|DIFF0008:{|DIFF0020:Special.Cube(x)|}|} * 2;
            }
            """);
        Assert.DoesNotContain(run.Sources, s => s.HintName.StartsWith("Model.", StringComparison.Ordinal));
    }

    [Fact]
    public void UserMembersNamedLikeTheSecondOrderOnes_AreAClash()
    {
        Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable(Order = 2)]
                public static double {|DIFF0017:F|}(double x) => x * x * x;

                public static double[] FHessian(double x) => [6 * x];

                [Differentiable(Order = 2)]
                public static double {|DIFF0017:G|}(double x) => x * x * x;

                public static double GHessian(double x, Span<double> hessian) => 0;
            }
            """);
    }

    [Fact]
    public void RecursiveMethod_IsReportedOnce_NotAgainOnItsOwnSelfCall()
    {
        var run = Markup.VerifyDiagnostics(Usings + """
            public static partial class Model
            {
                [Differentiable(Order = 2)]
                public static double Power(double x, int n) => n <= 0 ? 1 : x * {|DIFF0020:Power(x, n - 1)|};
            }
            """);
        Assert.Contains("the recursive call to 'Power'", Assert.Single(run.GeneratorDiagnostics.AddRange(run.AnalyzerDiagnostics).DistinctBy(d => d.GetMessage())).GetMessage(), StringComparison.Ordinal);
    }
}

