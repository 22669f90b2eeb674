using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>
/// An empty shadow for a non-empty array means "not wanted" (shared/DESIGN.md): in reverse mode nothing is written for
/// it and the other derivatives are unchanged; in forward mode a read-only array's empty tangent is a zero tangent. Any
/// other length mismatch is an ArgumentException naming both.
/// </summary>
public class UnwantedShadowTests
{
    [Fact]
    public void Reverse_AnEmptyShadow_IsNotWanted_AndTheOtherAdjointsAreTheSame()
    {
        double[] a = [1.0, 2.0, -3.0], b = [0.5, -1.5, 2.5];
        double[] da = new double[3], db = new double[3];
        double value = Arrays.CosineVjp(a, b, 1.0, da, db);

        double[] db2 = new double[3];
        Assert.Equal(value, Arrays.CosineVjp(a, b, 1.0, Span<double>.Empty, db2));
        Assert.Equal(db, db2);

        double[] da3 = new double[3];
        Assert.Equal(value, Arrays.CosineVjp(a, b, 1.0, da3, []));
        Assert.Equal(da, da3);
    }

    [Fact]
    public void Reverse_AnEmptyShadowOfAWrittenArray_IsAZeroCotangent_AndTheArrayIsStillWritten()
    {
        double[] a = [0.5, -1.0, 2.0], expected = [0.5, -1.0, 2.0];
        double value = Arrays.UpdateInPlace(expected, 0.7);
        Assert.Equal(value, Arrays.UpdateInPlaceVjp(a, 0.7, 1.0, [], out double dx));
        Assert.Equal(expected, a);

        // The same as a zero cotangent for the final contents.
        double[] b = [0.5, -1.0, 2.0];
        Arrays.UpdateInPlaceVjp(b, 0.7, 1.0, new double[3], out double dxZero);
        Assert.Equal(dxZero, dx);
    }

    [Fact]
    public void Forward_AnEmptyTangentOfAReadOnlyArray_IsAZeroTangent()
    {
        double[] a = [1.0, 2.0, -3.0], b = [0.5, -1.5, 2.5], db = [0.3, 0.1, -0.2];
        var withZeros = Arrays.CosineJvp(a, b, new double[3], db);
        var withEmpty = Arrays.CosineJvp(a, b, [], db);
        Assert.Equal(withZeros, withEmpty);
    }

    [Fact]
    public void OtherLengthMismatches_AreArgumentExceptions_NamingBoth()
    {
        double[] a = [1.0, 2.0, -3.0], b = [0.5, -1.5, 2.5];
        var reverse = Assert.Throws<ArgumentException>(() => Arrays.CosineVjp(a, b, 1.0, new double[2], new double[3]));
        Assert.Equal("da", reverse.ParamName);
        Assert.Contains("'a'", reverse.Message, StringComparison.Ordinal);

        // A written array's tangent holds the tangent of its final contents: it cannot be left out.
        var written = Assert.Throws<ArgumentException>(() => Arrays.UpdateInPlaceJvp([0.5, -1.0, 2.0], 0.7, Span<double>.Empty, 1.0));
        Assert.Equal("da", written.ParamName);
    }

    [Fact]
    public void Reverse_NotWantedShadows_AllocateNothingOnceThePoolIsWarm()
    {
        double[] a = [1.0, 2.0, -3.0], b = [0.5, -1.5, 2.5], db = new double[3];
        double sink = 0;
        for (int i = 0; i < 100; i++)
        {
            sink += Arrays.CosineVjp(a, b, 1.0, [], db);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            sink += Arrays.CosineVjp(a, b, 1.0, [], db);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(double.IsFinite(sink));
    }

    [Fact]
    public void Hvp_AnEmptyDirection_IsZeros_AndAnEmptyGradientOrProduct_IsNotWanted()
    {
        double[] x = [0.3, -1.2, 0.8, 1.5], v = [0.5, -0.25, 1.0, 0.75];
        double[] dx = new double[4], hx = new double[4];
        double value = SecondOrder.RosenbrockHvp(x, v, dx, hx);

        // Without the gradient: the same product; without the product: the same gradient.
        double[] hxOnly = new double[4];
        Assert.Equal(value, SecondOrder.RosenbrockHvp(x, v, [], hxOnly));
        Assert.Equal(hx, hxOnly);
        double[] dxOnly = new double[4];
        Assert.Equal(value, SecondOrder.RosenbrockHvp(x, v, dxOnly, []));
        Assert.Equal(dx, dxOnly);

        // An empty direction is the zero direction: the gradient alone, and a zero product added to what hx holds.
        double[] dxZero = new double[4], hxZero = [9.0, 9.0, 9.0, 9.0];
        Assert.Equal(value, SecondOrder.RosenbrockHvp(x, [], dxZero, hxZero));
        Assert.Equal(dx, dxZero);
        Assert.All(hxZero, h => Assert.Equal(9.0, h));

        // Any other length is still an error naming both.
        Assert.Equal("hx", Assert.Throws<ArgumentException>(() => SecondOrder.RosenbrockHvp(x, v, dx, new double[3])).ParamName);
    }
}

