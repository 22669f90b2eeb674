using Quickstart;

namespace Differentiable.Tests;

/// <summary>
/// The Quickstart sample's derivatives: the Jacobians and gradient assembled from the generated code must equal
/// the hand-derived formulas (to rounding) and agree with central finite differences, at the points the sample
/// prints and at a few others.
/// </summary>
public class QuickstartTests
{
    private const double HandTolerance = 1e-12;
    private const double FiniteDifferenceTolerance = 1e-6;

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(-0.7, 0.3)]
    [InlineData(0.5, -1.5)]
    public void JacobianOfF_MatchesHandDerivationAndFiniteDifferences(double x0, double x1)
    {
        double[,] generated = QuickstartFunctions.JacobianOfF(x0, x1);

        AssertClose(QuickstartFunctions.HandJacobianOfF(x0, x1), generated, HandTolerance);
        AssertClose(FiniteDifferences.Jacobian(QuickstartFunctions.FOfArray, [x0, x1]), generated, FiniteDifferenceTolerance);
    }

    [Theory]
    [InlineData(1.0, 2.0, 3.0)]
    [InlineData(-0.5, 0.25, 1.5)]
    [InlineData(0.8, -1.1, -2.4)]
    public void JacobianOfG_MatchesHandDerivationAndFiniteDifferences(double x0, double x1, double x2)
    {
        double[,] generated = QuickstartFunctions.JacobianOfG(x0, x1, x2);

        AssertClose(QuickstartFunctions.HandJacobianOfG(x0, x1, x2), generated, HandTolerance);
        AssertClose(FiniteDifferences.Jacobian(QuickstartFunctions.GOfArray, [x0, x1, x2]), generated, FiniteDifferenceTolerance);
    }

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(-1.3, 0.4)]
    [InlineData(0.6, -2.2)]
    public void GradientOfH_MatchesHandDerivationAndFiniteDifferences(double x0, double x1)
    {
        double[] generated = QuickstartFunctions.GradientOfH(x0, x1);

        AssertClose(QuickstartFunctions.HandGradientOfH(x0, x1), generated, HandTolerance);
        AssertClose(FiniteDifferences.Gradient(QuickstartFunctions.HOfArray, [x0, x1]), generated, FiniteDifferenceTolerance);
    }

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(-0.7, 0.3)]
    public void JacobianOfF_ForwardAndReverseModeAgree(double x0, double x1)
    {
        double[,] forward = QuickstartFunctions.JacobianOfF(x0, x1);
        for (int i = 0; i < 3; i++)
        {
            var cotangent = (i == 0 ? 1.0 : 0, i == 1 ? 1.0 : 0, i == 2 ? 1.0 : 0);
            QuickstartFunctions.FVjp(x0, x1, cotangent, out double dx0, out double dx1);
            AssertClose(new[,] { { forward[i, 0], forward[i, 1] } }, new[,] { { dx0, dx1 } }, HandTolerance);
        }
    }

    /// <summary>|actual − expected| ≤ tolerance · max(1, |expected|) entry by entry.</summary>
    private static void AssertClose(double[,] expected, double[,] actual, double tolerance)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
        {
            for (int j = 0; j < expected.GetLength(1); j++)
            {
                double error = Math.Abs(actual[i, j] - expected[i, j]);
                Assert.True(
                    error <= tolerance * Math.Max(1, Math.Abs(expected[i, j])),
                    $"[{i},{j}]: expected {expected[i, j]:R}, actual {actual[i, j]:R}, error {error:E2} > {tolerance:E0}");
            }
        }
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(
                error <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"[{i}]: expected {expected[i]:R}, actual {actual[i]:R}, error {error:E2} > {tolerance:E0}");
        }
    }
}
