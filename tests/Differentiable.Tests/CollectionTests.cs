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

    [Fact]
    public void RangesOfAnArrayAndOfAReadOnlySpan_MatchFiniteDifferences() => DerivativeAssert.Scalar(
        p => Ranges.TailAndMiddle(p[..3], p.AsSpan(3, 4), p[^1]),
        (p, v) => Ranges.TailAndMiddleJvp(p[..3], p.AsSpan(3, 4), p[^1], v[..3], v.AsSpan(3, 4), v[^1]),
        (p, u) =>
        {
            double[] da = new double[3], db = new double[4];
            double value = Ranges.TailAndMiddleVjp(p[..3], p.AsSpan(3, 4), p[^1], u, da, db, out double dx);
            return (value, [.. da, .. db, dx]);
        },
        [0.5, -1.0, 2.0, 0.3, 0.7, -0.2, 1.1, 0.6]);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ARangesCopy_WrittenAndPassedOn_LeavesTheArray_AndMatchesFiniteDifferences(int k)
    {
        double[] start = [0.5, -1.0, 2.0, 0.3, 0.9];
        DerivativeAssert.Scalar(
            p => Ranges.Pieces(p, k),
            (p, v) => Ranges.PiecesJvp(p, k, v),
            (p, u) =>
            {
                double[] da = new double[p.Length];
                double value = Ranges.PiecesVjp(p, k, u, da);
                return (value, da);
            },
            start);

        double[] a = (double[])start.Clone();
        Ranges.PiecesGradient(a, k, new double[a.Length]);
        Assert.Equal(start, a); // the copy was written, not the array
    }

    [Fact]
    public void ARangeOutsideTheArray_ThrowsAsThePrimalDoes_InEveryEntryPoint()
    {
        double[] a = [1.0, 2.0, 3.0];
        Assert.Throws<ArgumentOutOfRangeException>(() => Ranges.Pieces(a, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ranges.PiecesJvp(a, 2, new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ranges.PiecesGradient(a, 2, new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ranges.PiecesJacobian(a, 2));
    }
}

