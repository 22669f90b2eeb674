using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

public class ArithmeticTests
{
    private static readonly double[][] Points = [[1.5, -0.7], [0.3, 2.0], [-2.5, 1.25]];

    [Fact]
    public void Polynomial_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Arithmetic.Polynomial(x[0], x[1]),
        (x, v) => Arithmetic.PolynomialJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Arithmetic.PolynomialVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        Points);

    [Fact]
    public void Quotient_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Arithmetic.Quotient(x[0], x[1]),
        (x, v) => Arithmetic.QuotientJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Arithmetic.QuotientVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        Points);

    [Fact]
    public void Negation_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Arithmetic.Negation(x[0]),
        (x, v) => Arithmetic.NegationJvp(x[0], v[0]),
        (x, u) => (Arithmetic.NegationVjp(x[0], u, out double dx), [dx]),
        [0.4], [-3.0]);

    [Fact]
    public void Constants_GivesAnalyticDerivative()
    {
        double value = Arithmetic.ConstantsGradient(2.0, out double dr);
        Assert.Equal(Arithmetic.Constants(2.0), value);
        DerivativeAssert.AssertClose(Math.PI * 2.0, dr, "d(πr²/2 + e)/dr", 1e-15);
    }

    [Fact]
    public void Reassignment_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Arithmetic.Reassignment(x[0], x[1]),
        (x, v) => Arithmetic.ReassignmentJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Arithmetic.ReassignmentVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        Points);

    [Fact]
    public void CompoundAssignment_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => Arithmetic.CompoundAssignment(x[0], x[1]),
        (x, v) => Arithmetic.CompoundAssignmentJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (Arithmetic.CompoundAssignmentVjp(x[0], x[1], u, out double dx, out double dy), [dx, dy]),
        Points);

    [Theory]
    [InlineData(3, true)]
    [InlineData(-2, false)]
    public void IntegerParameters_AreNotDifferentiated(int n, bool square) => DerivativeAssert.Scalar(
        x => Arithmetic.IntegerParameters(x[0], n, square),
        (x, v) => Arithmetic.IntegerParametersJvp(x[0], n, square, v[0]),
        (x, u) => (Arithmetic.IntegerParametersVjp(x[0], n, square, u, out double dx), [dx]),
        [0.7], [-1.3]);

    [Fact]
    public void Remainder_MatchesFiniteDifferences_AwayFromItsJumps() => DerivativeAssert.Scalar(
        p => Arithmetic.Remainder(p[0], p[1]),
        (p, v) => Arithmetic.RemainderJvp(p[0], p[1], v[0], v[1]),
        (p, u) => (Arithmetic.RemainderVjp(p[0], p[1], u, out double dx, out double dy), [dx, dy]),
        [2.3, 0.7], [-3.1, 1.3], [0.4, -0.9]);
}
