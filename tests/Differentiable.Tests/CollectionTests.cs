using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>Collection expressions, arrays returned by calls, ^k and readonly array fields, in both modes.</summary>
public class CollectionTests
{
    [Fact]
    public void Literals_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Collections.Literals(p[0], p[1]),
        (p, v) => Collections.LiteralsJvp(p[0], p[1], v[0], v[1]),
        (p, u) => (Collections.LiteralsVjp(p[0], p[1], u, out double dx, out double dy), [dx, dy]),
        [0.7, -1.3], [2.0, 0.4]);

    [Fact]
    public void Scaled_AnArrayResult_MatchesFiniteDifferences() => DerivativeAssert.Vector(
        p => Collections.Scaled(p[..^1], p[^1]),
        (p, v) => Collections.ScaledJvp(p[..^1], p[^1], v.AsSpan(0, v.Length - 1), v[^1]) is var r ? (r.Value, r.Tangent) : default,
        (p, u) =>
        {
            var da = new double[p.Length - 1];
            double[] value = Collections.ScaledVjp(p[..^1], p[^1], u, da, out double dc);
            return (value, [.. da, dc]);
        },
        [0.5, -1.0, 2.0, 0.7]);

    [Fact]
    public void FromCall_AnArrayFromACallWrittenAfterwards_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => Collections.FromCall(p[..^1], p[^1]),
        (p, v) => Collections.FromCallJvp(p[..^1], p[^1], v.AsSpan(0, v.Length - 1), v[^1]),
        (p, u) =>
        {
            var da = new double[p.Length - 1];
            double value = Collections.FromCallVjp(p[..^1], p[^1], u, da, out double dc);
            return (value, [.. da, dc]);
        },
        [0.5, -1.0, 2.0, 0.7], [1.5, 0.3, -0.8, 1.1, -0.6]);
}
