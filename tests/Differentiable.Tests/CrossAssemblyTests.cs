using Differentiable.Tests.ExternalMath;
using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>A [Differentiable] method of this assembly chains through a library's generated derivatives.</summary>
public class CrossAssemblyTests
{
    [Fact]
    public void ThreeCallsDeepIntoAnotherAssembly_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => CrossAssembly.ScaledLogNormalCdf(x[0], x[1]),
        (x, v) => CrossAssembly.ScaledLogNormalCdfJvp(x[0], x[1], v[0], v[1]),
        (x, u) => (CrossAssembly.ScaledLogNormalCdfVjp(x[0], x[1], u, out double dx, out double dsigma), [dx, dsigma]),
        [1.3, 0.5], [0.4, 1.2], [3.0, 0.8]);

    [Fact]
    public void RegistrationFromAReferencedAssembly_IsUsedInBothModes()
    {
        DerivativeAssert.Scalar(
            x => CrossAssembly.UpperTail(x[0]),
            (x, v) => CrossAssembly.UpperTailJvp(x[0], v[0]),
            (x, u) => (CrossAssembly.UpperTailVjp(x[0], u, out double dz), [dz]),
            [0.3], [-1.5], [5.0]);

        // Analytic: d/dz ½ erfc(z/√2) = −φ(z).
        CrossAssembly.UpperTailGradient(1.1, out double dz);
        DerivativeAssert.AssertClose(-Math.Exp(-1.1 * 1.1 / 2) / Math.Sqrt(2 * Math.PI), dz, "−φ(1.1)", 1e-14);
    }

    [Fact]
    public void ErfcImplementation_IsAccurate()
    {
        DerivativeAssert.AssertClose(1 - 0.8427007929497149, SpecialFunctions.Erfc(1.0), "erfc(1)", 1e-15);
        DerivativeAssert.AssertClose(2.088487583762545e-45, SpecialFunctions.Erfc(10.0), "erfc(10)", 1e-12);
    }

    // ------------------------------------------------------------ arrays and spans through the library's Jvp and Vjp (joint mode)

    [Fact]
    public void DotTanh_SpanArgumentsPassTheirShadows_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => CrossAssembly.DotTanh(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2)),
        (p, v) => CrossAssembly.DotTanhJvp(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2), v.AsSpan(0, v.Length / 2), v.AsSpan(v.Length / 2)),
        (p, u) =>
        {
            var shadows = new double[p.Length];
            double value = CrossAssembly.DotTanhVjp(p.AsSpan(0, p.Length / 2), p.AsSpan(p.Length / 2), u, shadows.AsSpan(0, p.Length / 2), shadows.AsSpan(p.Length / 2));
            return (value, shadows);
        },
        [0.5, -0.2, 0.3, 0.4, 0.1, -0.6], [1.0, 2.0]);

    [Fact]
    public void WeightedNorm_ArrayArgumentsPassTheirShadows_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        p => CrossAssembly.WeightedNorm(p[..(p.Length / 2)], p[(p.Length / 2)..]),
        (p, v) => CrossAssembly.WeightedNormJvp(p[..(p.Length / 2)], p[(p.Length / 2)..], v.AsSpan(0, v.Length / 2), v.AsSpan(v.Length / 2)),
        (p, u) =>
        {
            var shadows = new double[p.Length];
            double value = CrossAssembly.WeightedNormVjp(p[..(p.Length / 2)], p[(p.Length / 2)..], u, shadows.AsSpan(0, p.Length / 2), shadows.AsSpan(p.Length / 2));
            return (value, shadows);
        },
        [0.5, -1.5, 2.0, 1.0, 0.25, 3.0]);

    [Fact]
    public void WeightedNormOfData_NoDerivativeArrayToAnArrayParameter_MatchesFiniteDifferences()
    {
        double[] w = [0.5, 2.0, 1.5];
        DerivativeAssert.Scalar(
            x => CrossAssembly.WeightedNormOfData(x, w),
            (x, v) => CrossAssembly.WeightedNormOfDataJvp(x, w, v),
            (x, u) => (CrossAssembly.WeightedNormOfDataVjp(x, w, u, Zeros(x.Length, out double[] dx)), dx),
            [0.5, -1.5, 2.0], [3.0, 1.0, -0.25]);
        Assert.Equal([0.5, 2.0, 1.5], w);
    }

    [Fact]
    public void ForwardModeOfADataArgument_AllocatesNothing()
    {
        double[] x = [0.5, -0.3, 1.7, 0.9], w = [0.7, -1.1, 0.4, 2.0], v = [1.0, 0.0, 0.0, 0.0];
        double sink = CrossAssembly.NormPlusProjectionJvp(x, w, v).Tangent + CrossAssembly.WeightedNormOfDataJvp(x, w, v).Tangent;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            sink += CrossAssembly.NormPlusProjectionJvp(x, w, v).Tangent + CrossAssembly.WeightedNormOfDataJvp(x, w, v).Tangent;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(double.IsFinite(sink));
    }

    [Fact]
    public void Norm_SameSpanForBothParameters_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => CrossAssembly.Norm(x),
        (x, v) => CrossAssembly.NormJvp(x, v),
        (x, u) => (CrossAssembly.NormVjp(x, u, Zeros(x.Length, out double[] dx)), dx),
        [3.0, -4.0], [0.5, 1.5, -2.5, 0.1], [2.0]);

    [Fact]
    public void Norm_SumsBothShadowsOnceIntoAPrefilledShadow()
    {
        // ∂|x|/∂x = x/|x|: half from each parameter of Dot(x, x); the scratch half is added to dx, the rest left as it was.
        double[] x = [3.0, -4.0, 12.0];
        double[] dx = [1.0, 1.0, 1.0];
        for (int call = 1; call <= 2; call++)
        {
            Assert.Equal(13.0, CrossAssembly.NormGradient(x, dx));
            for (int i = 0; i < x.Length; i++)
            {
                DerivativeAssert.AssertClose(1 + call * x[i] / 13.0, dx[i], $"1 + {call}·∂|x|/∂x[{i}]", 1e-15);
            }
        }

        Assert.Equal([3.0, -4.0, 12.0], x);
    }

    [Fact]
    public void NormF_SameSpanForBothParameters_MatchesDoublePrecisionFiniteDifferences() => SinglePrecisionAssert.Scalar(
        x => Math.Sqrt(x.Sum(e => e * e)),
        x => CrossAssembly.NormF(x),
        (x, v) => CrossAssembly.NormFJvp(x, v),
        (x, u) =>
        {
            var dx = new float[x.Length];
            return (CrossAssembly.NormFVjp(x, u, dx), dx);
        },
        [3.0f, -4.0f], [0.5f, 1.5f, -2.5f, 0.1f]);

    [Fact]
    public void NormPlusProjection_DataArrayGetsADroppedScratchShadow_MatchesFiniteDifferences()
    {
        double[] w = [0.7, -1.1, 0.4];
        DerivativeAssert.Scalar(
            x => CrossAssembly.NormPlusProjection(x, w),
            (x, v) => CrossAssembly.NormPlusProjectionJvp(x, w, v),
            (x, u) => (CrossAssembly.NormPlusProjectionVjp(x, w, u, Zeros(x.Length, out double[] dx)), dx),
            [3.0, -4.0, 12.0], [0.5, 1.5, -2.5]);
        Assert.Equal([0.7, -1.1, 0.4], w);

        // Analytic: x/|x| + w.
        double[] at = [3.0, -4.0, 12.0];
        double[] g = new double[3];
        CrossAssembly.NormPlusProjectionGradient(at, w, g);
        for (int i = 0; i < 3; i++)
        {
            DerivativeAssert.AssertClose(at[i] / 13.0 + w[i], g[i], $"∂/∂x[{i}]", 1e-15);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void ScratchDotsInLoop_LocalArrayRewrittenAfterEachCall_MatchesFiniteDifferences(int iterations) => DerivativeAssert.Scalar(
        x => CrossAssembly.ScratchDotsInLoop(x, iterations),
        (x, v) => CrossAssembly.ScratchDotsInLoopJvp(x, iterations, v),
        (x, u) => (CrossAssembly.ScratchDotsInLoopVjp(x, iterations, u, Zeros(x.Length, out double[] dx)), dx),
        [0.5, -1.0, 2.0], [0.3, 0.9, -0.2, 1.4]);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void SoftplusInLoop_LibraryWritesALocalArrayEveryIteration_MatchesFiniteDifferences(int iterations) => DerivativeAssert.Scalar(
        x => CrossAssembly.SoftplusInLoop(x, iterations),
        (x, v) => CrossAssembly.SoftplusInLoopJvp(x, iterations, v),
        (x, u) => (CrossAssembly.SoftplusInLoopVjp(x, iterations, u, Zeros(x.Length, out double[] dx)), dx),
        [0.5, -1.0, 2.0], [0.3, 0.9, -0.2, 1.4]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void RepeatedScale_LibraryScalesALocalArrayInPlaceEveryIteration_MatchesFiniteDifferences(int iterations) => DerivativeAssert.Scalar(
        p => CrossAssembly.RepeatedScale(p.AsSpan(0, p.Length - 1), p[^1], iterations),
        (p, v) => CrossAssembly.RepeatedScaleJvp(p.AsSpan(0, p.Length - 1), p[^1], iterations, v.AsSpan(0, v.Length - 1), v[^1]),
        (p, u) => (CrossAssembly.RepeatedScaleVjp(p.AsSpan(0, p.Length - 1), p[^1], iterations, u, Zeros(p.Length - 1, out double[] dx), out double ds), [.. dx, ds]),
        [0.5, -1.0, 2.0, 0.8], [0.3, 0.9, -0.2, 1.4, -1.2]);

    [Fact]
    public void SoftplusDot_LibraryWritesAStackBuffer_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => CrossAssembly.SoftplusDot(x),
        (x, v) => CrossAssembly.SoftplusDotJvp(x, v),
        (x, u) => (CrossAssembly.SoftplusDotVjp(x, u, Zeros(x.Length, out double[] dx)), dx),
        [0.5, -1.0, 2.0], [1.5]);

    [Fact]
    public void ScaleThenSquare_LibraryScalesTheCallersSpanInPlace_MatchesFiniteDifferences() => DerivativeAssert.Vector(
        p =>
        {
            double[] a = p[..^1];
            double value = CrossAssembly.ScaleThenSquare(a, p[^1]);
            return [value, .. a];
        },
        (p, v) =>
        {
            double[] a = p[..^1];
            double[] da = v[..^1];
            (double value, double tangent) = CrossAssembly.ScaleThenSquareJvp(a, p[^1], da, v[^1]);
            return ([value, .. a], [tangent, .. da]);
        },
        (p, u) =>
        {
            double[] a = p[..^1];
            double[] da = u[1..];
            double value = CrossAssembly.ScaleThenSquareVjp(a, p[^1], u[0], da, out double ds);
            return ([value, .. a], [.. da, ds]);
        },
        [0.5, -1.0, 2.0, 0.7], [1.5, -0.3]);

    [Fact]
    public void ScaledSoftplus_TwoLibraryCallsWriteTheCallersOutputSpan_MatchesFiniteDifferences()
    {
        // Inputs: x, s, then y's initial contents (overwritten). Outputs: y's final contents.
        const int n = 3;
        DerivativeAssert.Vector(
            p =>
            {
                double[] y = p[(n + 1)..];
                CrossAssembly.ScaledSoftplus(p.AsSpan(0, n), p[n], y);
                return y;
            },
            (p, v) =>
            {
                double[] y = p[(n + 1)..];
                double[] dy = v[(n + 1)..];
                CrossAssembly.ScaledSoftplusJvp(p.AsSpan(0, n), p[n], y, v.AsSpan(0, n), v[n], dy);
                return (y, dy);
            },
            (p, u) =>
            {
                double[] y = p[(n + 1)..];
                double[] dx = new double[n];
                double[] dy = u.ToArray();
                CrossAssembly.ScaledSoftplusVjp(p.AsSpan(0, n), p[n], y, dx, out double ds, dy);
                return (y, [.. dx, ds, .. dy]);
            },
            [0.5, -1.0, 2.0, 1.5, 7.0, -7.0, 0.5], [-0.3, 0.8, 1.1, -2.0, 0.0, 0.0, 0.0]);
    }

    [Fact]
    public void SoftplusOut_LibraryWritesTheCallersOutputSpan_MatchesFiniteDifferences()
    {
        // Inputs: x, then y's initial contents (overwritten: their adjoint is zero). Outputs: y's final contents.
        const int n = 3;
        DerivativeAssert.Vector(
            p =>
            {
                double[] y = p[n..];
                CrossAssembly.SoftplusOut(p.AsSpan(0, n), y);
                return y;
            },
            (p, v) =>
            {
                double[] y = p[n..];
                double[] dy = v[n..];
                CrossAssembly.SoftplusOutJvp(p.AsSpan(0, n), y, v.AsSpan(0, n), dy);
                return (y, dy);
            },
            (p, u) =>
            {
                double[] y = p[n..];
                double[] dx = new double[n];
                double[] dy = u.ToArray();
                CrossAssembly.SoftplusOutVjp(p.AsSpan(0, n), y, dx, dy);
                return (y, [.. dx, .. dy]);
            },
            [0.5, -1.0, 2.0, 7.0, -7.0, 0.5]);
    }

    [Fact]
    public void DotOnes_LocalArrayWithoutAShadow_MatchesFiniteDifferences() => DerivativeAssert.Scalar(
        x => CrossAssembly.DotOnes(x),
        (x, v) => CrossAssembly.DotOnesJvp(x, v),
        (x, u) => (CrossAssembly.DotOnesVjp(x, u, Zeros(x.Length, out double[] dx)), dx),
        [0.5, -1.0, 2.0], [1.5]);

    [Fact]
    public void PooledScratchShadows_AllocateNothing()
    {
        // Dot(x, x) rents a second shadow and releases it into dx; Dot(x, data) rents one for the data and returns it.
        double[] x = [0.5, -0.3, 1.7, 0.9];
        double[] w = [0.7, -1.1, 0.4, 2.0];
        double[] dx = new double[4];
        float[] xf = [0.5f, -0.3f, 1.7f, 0.9f];
        float[] dxf = new float[4];
        double[] a = new double[4], da = new double[4];
        double sink = 0;
        void CallAll()
        {
            sink += CrossAssembly.NormPlusProjectionVjp(x, w, 1.0, dx) + CrossAssembly.NormPlusProjectionGradient(x, w, dx);
#pragma warning disable DIFF0019 // x is its own tangent direction here
            sink += CrossAssembly.NormGradient(x, dx) + CrossAssembly.NormJvp(x, x).Tangent;
#pragma warning restore DIFF0019
            sink += CrossAssembly.NormFGradient(xf, dxf) + CrossAssembly.NormFJvp(xf, xf).Tangent;
            x.AsSpan().CopyTo(a);
            da.AsSpan().Clear();
            sink += CrossAssembly.ScaleThenSquareGradient(a, 0.5, da, out double ds) + ds;
        }

        CallAll(); // warm up: JIT, static initialisation, the pool's first arrays
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            CallAll();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(double.IsFinite(sink));
        Assert.Equal(0, allocated);
    }

    private static double[] Zeros(int n, out double[] zeros) => zeros = new double[n];
}
