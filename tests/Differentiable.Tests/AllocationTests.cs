using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>Scalar generated entry points allocate nothing on the heap.</summary>
public class AllocationTests
{
    [Fact]
    public void ScalarEntryPoints_AllocateNothing()
    {
        var spring = new Spring(2.0);
        double sink = 0;
        void CallAll()
        {
            sink += Arithmetic.ReassignmentJvp(1.2, 0.4, 1, 0).Tangent;
            sink += Arithmetic.ReassignmentVjp(1.2, 0.4, 1, out double a, out double b) + a + b;
            sink += Arithmetic.ReassignmentGradient(1.2, 0.4, out a, out b);
            sink += Branches.EarlyReturnVjp(0.5, 0.5, 1, out a, out b) + Branches.EarlyReturnJvp(-0.5, 0.5, 1, 1).Tangent;
            sink += Branches.TernaryVjp(2, 1, 1, out a, out b);
            sink += MathFunctions.NonSmoothVjp(0.3, 0.2, -1, 1, out a, out b, out double c) + c;
            sink += Tuples.UsesTupleVjp(0.3, 0.7, 1, out a, out b) + Tuples.UsesTupleJvp(0.3, 0.7, 1, 0).Tangent;
            sink += Tuples.SumAndProductVjp(0.3, 0.7, (1, 1), out a, out b).Product;
            sink += Calls.SumOfSquaresVjp(0.3, 0.7, 1, out a, out b) + Calls.UsesNestedJvp(0.3, 1).Tangent;
            sink += CustomDerivatives.NormalCdfGradient(0.3, 0, 1, out a, out b, out c);
            sink += spring.ScaledVjp(0.3, 0.7, 1, out a, out b) + spring.ScaledJvp(0.3, 0.7, 1, 0).Tangent;
            sink += SinglePrecision.WaveVjp(0.3f, 0.7f, 1f, out float f1, out float f2) + f1 + f2;
        }

        CallAll(); // warm up: JIT and static initialisation
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            CallAll();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(double.IsFinite(sink));
        Assert.Equal(0, allocated);
    }
}
