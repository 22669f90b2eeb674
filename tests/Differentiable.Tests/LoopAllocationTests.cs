using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

// The calls below reuse a few scratch variables (a, b, x, dx) for every function, whatever its parameters are named.
#pragma warning disable DIFF0019

/// <summary>
/// Generated entry points of methods with loops, spans and stack scratch allocate nothing on the heap once warm: the
/// tape is pooled per thread, stack buffers' shadows are on the stack, and the caller supplies every shadow.
/// </summary>
public class LoopAllocationTests
{
    private const int Calls = 100;

    [Fact]
    public void ScalarLoops_AllocateNothing()
    {
        double sink = 0;
        void CallAll()
        {
            sink += Loops.SumOfPowersGradient(0.9, 20, out double a) + a + Loops.SumOfPowersJvp(0.9, 20, 1).Tangent;
            sink += Loops.WhileHalvingVjp(37.0, 0.5, 1, out a, out double b) + a + b + Loops.WhileHalvingJvp(37.0, 0.5, 1, 0).Tangent;
            sink += Loops.BreakGradient(1.5, 20, out a) + a;
            sink += Loops.ContinueGradient(0.6, 7, out a) + a;
            sink += Loops.NestedGradient(0.3, 0.8, 6, out a, out b) + a + b + Loops.NestedJvp(0.3, 0.8, 6, 1, 1).Tangent;
            sink += Loops.NewtonSqrtGradient(10.0, out a) + a;
            sink += Loops.DampedOscillatorGradient(4.0, 0.3, 1.0, 0.0, 1000, 0.01, out a, out b, out double c, out double d, out double e) + a + b + c + d + e;
            sink += Loops.SumOfPowersFGradient(0.9f, 20, out float f) + f;
        }

        Assert.Equal(0, Allocated(CallAll));
        Assert.True(double.IsFinite(sink));
    }

    [Fact]
    public void SpanLoopsWithStackScratch_AllocateNothing()
    {
        // The primals allocate nothing: spans in, stackalloc scratch. Shadows are the caller's, cleared between calls.
        double[] x = [0.5, -0.3, 1.7, 0.9, -1.1, 0.2, 0.4, 0.8];
        double[] coefficients = [2.0, -3.0, 0.5, 4.0, -1.0];
        double[] features = [0.5, -1.2, 2.0, 1.0, 0.3, -0.7, -0.4, 0.8, 1.1, 2.2, -0.1, 0.0];
        double[] labels = [1, 0, 1, 1];
        double[][] rows = [[0.5, -1.0, 2.0], [0.7, 1.3, -0.4]];
        double[] dx = new double[x.Length], dw = new double[3], dc = new double[coefficients.Length];
        double[][] drows = [new double[3], new double[3]];
        double[] u = new double[x.Length], du = new double[x.Length], y = new double[x.Length], dy = new double[x.Length];
        double[] matrix = new double[4 * 2], dmatrix = new double[4 * 2], result = new double[4], dresult = new double[4];
        float[] xf = [0.5f, -0.3f, 1.7f, 0.9f];
        float[] dxf = new float[4], dxf2 = new float[4];
        double sink = 0;

        void CallAll()
        {
            dx.AsSpan().Clear();
            sink += Arrays.StackallocScratchGradient(x, dx) + Arrays.StackallocScratchJvp(x, x).Tangent;
            sink += Arrays.RosenbrockGradient(x, dx) + Arrays.RosenbrockJvp(x, x).Tangent;
            sink += Arrays.HornerWithCoefficientsGradient(0.7, coefficients, out double a, dc) + a;
            sink += Arrays.HornerGradient(0.7, coefficients, out a) + a;
            sink += Arrays.LogisticNllGradient(x.AsSpan(0, 3), 0.1, features, labels, dw, out a) + a;
            sink += Arrays.DotGradient(x.AsSpan(0, 4), x.AsSpan(4), dx.AsSpan(0, 4), dx.AsSpan(4));
            sink += Arrays.RowsDotGradient(rows, x.AsSpan(0, 3), drows, dw);
            sink += Arrays.UntilThresholdGradient(x, 2.0, dx, out a) + a;
            sink += Arrays.SumOfSquaresGradient(x, dx) + Arrays.IndexArithmeticGradient(x, dx);
            sink += Loops.ForEachSpanGradient(x, 0.3, dx, out a) + a + Loops.ForEachArrayGradient(x, 0.3, dx, out a);
            sink += Arrays.RollingBufferGradient(0.8, 9, out a) + a;

            x.AsSpan().CopyTo(u);
            du.AsSpan().Fill(1);
            Arrays.DiffuseVjp(u, 0.2, 10, du, out a);
            sink += a + du[1];
            x.AsSpan().CopyTo(u);
            Arrays.DiffuseJvp(u, 0.2, 10, du, 1);
            dy.AsSpan().Fill(1);
            Arrays.SoftplusVjp(x, y, dx, dy);
            Arrays.MatVecVjp(matrix, x.AsSpan(0, 2), result, dmatrix, dx.AsSpan(0, 2), dresult);
            sink += Arrays.DotFGradient(xf, xf, dxf, dxf2) + Arrays.DotFJvp(xf, xf, xf, xf).Tangent;
        }

        Assert.Equal(0, Allocated(CallAll));
        Assert.True(double.IsFinite(sink));
    }

    [Fact]
    public void CallsPassingTheSameSpanTwice_AllocateNothing()
    {
        // Cosine calls Dot(a, a) and Dot(b, b); Norm calls Dot(x, x). Their primals allocate nothing, so their reverse
        // modes must not either: the duplicated argument's second shadow is scratch, not a heap array per call.
        double[] a = [1.0, 2.0, 3.0], b = [-4.0, 0.5, 0.25];
        double[] da = new double[3], db = new double[3];
        double sink = 0;
        void CallAll()
        {
            sink += Arrays.CosineGradient(a, b, da, db);
            sink += Arrays.NormGradient(a, da);
        }

        Assert.Equal(0, Allocated(CallAll));
        Assert.True(double.IsFinite(sink));
    }

    /// <summary>Bytes allocated on this thread by <see cref="Calls"/> calls of <paramref name="callAll"/>, after a warm-up call.</summary>
    private static long Allocated(Action callAll)
    {
        callAll(); // warm up: JIT, static initialisation, the tape's growth
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            callAll();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
