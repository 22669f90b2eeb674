using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>Every entry point throws what the primal throws, where it throws it; elsewhere the derivatives are exact.</summary>
public class GuardTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void SumOfRoots_MatchesFiniteDifferences_WhereNothingThrows(int n) => DerivativeAssert.Scalar(
        x => Guards.SumOfRoots(x[0], n),
        (x, v) => Guards.SumOfRootsJvp(x[0], n, v[0]),
        (x, u) => (Guards.SumOfRootsVjp(x[0], n, u, out double dx), [dx]),
        [0.5], [3.0]);

    [Theory]
    [InlineData(-1.5, 2)]
    [InlineData(1.5, -1)]
    [InlineData(150.0, 2)]
    public void SumOfRoots_EveryEntryPointThrowsThePrimalsException(double x, int n)
    {
        Exception expected = Assert.ThrowsAny<Exception>(() => Guards.SumOfRoots(x, n));
        foreach (Action entryPoint in new Action[]
        {
            () => Guards.SumOfRootsJvp(x, n, 1.0),
            () => Guards.SumOfRootsVjp(x, n, 1.0, out _),
            () => Guards.SumOfRootsGradient(x, n, out _),
        })
        {
            Exception actual = Assert.ThrowsAny<Exception>(entryPoint);
            Assert.Equal(expected.GetType(), actual.GetType());
            Assert.Equal(expected.Message, actual.Message);
            Assert.Equal((expected as ArgumentException)?.ParamName, (actual as ArgumentException)?.ParamName);
        }
    }
}
