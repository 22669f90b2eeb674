namespace Differentiable.Tests.Runtime;

/// <summary>The argument checks generated entry points make on arrays, spans and their shadows.</summary>
public class ShadowsTests
{
    [Fact]
    public void CheckDistinct_Throws_WhenTheSpansShareMemory()
    {
        var data = new double[10];
        AssertShared(() => Shadows.CheckDistinct<double>(data, "x", data, "dx"), "x", "dx");
        AssertShared(() => Shadows.CheckDistinct<double>(data.AsSpan(0, 5), "x", data.AsSpan(4, 6), "y"), "x", "y");
        AssertShared(() => Shadows.CheckDistinct<double>(data.AsSpan(2, 1), "x", data, "dy"), "x", "dy");
    }

    [Fact]
    public void CheckDistinct_Accepts_DistinctAdjacentAndEmptySpans()
    {
        var data = new double[10];
        Shadows.CheckDistinct<double>(data.AsSpan(0, 5), "x", data.AsSpan(5, 5), "y");
        Shadows.CheckDistinct<double>(data.AsSpan(5, 5), "x", data.AsSpan(0, 5), "y");
        Shadows.CheckDistinct<double>(data, "x", new double[10], "dx");
        Shadows.CheckDistinct<double>(data.AsSpan(3, 0), "x", data, "dx");
        Shadows.CheckDistinct<double>(data.AsSpan(3, 0), "x", data.AsSpan(3, 0), "dx");
        Shadows.CheckDistinct(ReadOnlySpan<float>.Empty, "x", ReadOnlySpan<float>.Empty, "dx");
    }

    [Fact]
    public void CheckLength_Throws_WhenTheLengthsDiffer()
    {
        var error = Assert.Throws<ArgumentException>(() => Shadows.CheckLength(3, "weights", 4, "dweights"));
        Assert.Equal("dweights", error.ParamName);
        Assert.Contains("'weights'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'dweights'", error.Message, StringComparison.Ordinal);
        Assert.Contains("3", error.Message, StringComparison.Ordinal);
        Assert.Contains("4", error.Message, StringComparison.Ordinal);

        Shadows.CheckLength(3, "weights", 3, "dweights");
        Shadows.CheckLength(0, "weights", 0, "dweights");
    }

    [Fact]
    public void CheckShape_Throws_OnNull()
    {
        double[][] rows = [[1.0]];
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => Shadows.CheckShape(null!, "x", rows, "dx")).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentNullException>(() => Shadows.CheckShape(rows, "x", null!, "dx")).ParamName);
    }

    [Fact]
    public void CheckShape_Throws_OnAnotherShape()
    {
        double[][] primal = [new double[2], new double[3], new double[4], new double[5]];

        var error = AssertNames(() => Shadows.CheckShape(primal, "x", [new double[2]], "dx"), "x", "dx");
        Assert.Contains("1 rows", error.Message, StringComparison.Ordinal);

        error = AssertNames(
            () => Shadows.CheckShape(primal, "x", [new double[2], new double[3], new double[7], new double[1]], "dx"), "x", "dx");
        Assert.Contains("Row 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("length 7", error.Message, StringComparison.Ordinal);
        Assert.Contains("length 4", error.Message, StringComparison.Ordinal);

        error = AssertNames(() => Shadows.CheckShape(primal, "x", [new double[2], null!, new double[4], new double[5]], "dx"), "x", "dx");
        Assert.Contains("Row 1", error.Message, StringComparison.Ordinal);
        AssertNames(() => Shadows.CheckShape([null!], "x", [new double[0]], "dx"), "x", "dx");
    }

    [Fact]
    public void CheckShape_Throws_WhenAShadowRowSharesMemory()
    {
        double[][] primal = [new double[2], new double[2], new double[2]];

        var error = AssertNames(() => Shadows.CheckShape(primal, "x", [new double[2], primal[1], new double[2]], "dx"), "x", "dx");
        Assert.Contains("Row 1 of 'dx' is row 1 of 'x'", error.Message, StringComparison.Ordinal);

        error = AssertNames(() => Shadows.CheckShape(primal, "x", [new double[2], new double[2], primal[0]], "dx"), "x", "dx");
        Assert.Contains("Row 2 of 'dx' is row 0 of 'x'", error.Message, StringComparison.Ordinal);

        var shared = new double[2];
        error = AssertNames(() => Shadows.CheckShape(primal, "x", [shared, new double[2], shared], "dx"), "x", "dx");
        Assert.Contains("Rows 0 and 2 of 'dx'", error.Message, StringComparison.Ordinal);

        AssertNames(() => Shadows.CheckShape(primal, "x", primal, "dx"), "x", "dx");
    }

    [Fact]
    public void CheckShape_FindsSharedRows_InLargeArrays()
    {
        // More rows than the table kept on the stack: the table is rented.
        const int rows = 1_000;
        double[][] primal = NewRows(rows, 3);
        double[][] shadow = NewRows(rows, 3);
        Shadows.CheckShape(primal, "x", shadow, "dx");

        shadow[900] = shadow[17];
        var error = AssertNames(() => Shadows.CheckShape(primal, "x", shadow, "dx"), "x", "dx");
        Assert.Contains("Rows 17 and 900 of 'dx'", error.Message, StringComparison.Ordinal);

        shadow[900] = primal[499];
        error = AssertNames(() => Shadows.CheckShape(primal, "x", shadow, "dx"), "x", "dx");
        Assert.Contains("Row 900 of 'dx' is row 499 of 'x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckShape_Accepts_MatchingShapes_SharedEmptyRows_NullRowsAndAliasedPrimalRows()
    {
        var row = new double[3];
        double[][] primal = [row, row, [], null!, new double[1]]; // read-only rows may alias
        double[][] shadow = [new double[3], new double[3], [], null!, new double[1]];
        Shadows.CheckShape(primal, "x", shadow, "dx");

        double[] empty = [];
        Shadows.CheckShape([empty, empty], "x", [empty, empty], "dx");
        Shadows.CheckShape(Array.Empty<float[]>(), "x", Array.Empty<float[]>(), "dx");
    }

    [Fact]
    public void CheckShape_AllocatesNothing()
    {
        double[][] small = NewRows(10, 4);
        double[][] smallShadow = NewRows(10, 4);
        double[][] large = NewRows(1_000, 4);
        double[][] largeShadow = NewRows(1_000, 4);
        Shadows.CheckShape(small, "x", smallShadow, "dx");
        Shadows.CheckShape(large, "x", largeShadow, "dx"); // warm up: JIT, pool

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Shadows.CheckShape(small, "x", smallShadow, "dx");
            Shadows.CheckShape(large, "x", largeShadow, "dx");
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Accumulate_AddsElementwise()
    {
        for (int n = 0; n <= 37; n++)
        {
            double[] source = Enumerable.Range(0, n).Select(i => (i * 0.37) - 1).ToArray();
            double[] destination = Enumerable.Range(0, n).Select(i => i * 1.1).ToArray();
            double[] expected = destination.Select((d, i) => d + source[i]).ToArray();
            Shadows.Accumulate(source, destination);
            Assert.Equal(expected, destination);

            float[] sourceF = source.Select(x => (float)x).ToArray();
            float[] destinationF = Enumerable.Range(0, n).Select(i => i * 1.1f).ToArray();
            float[] expectedF = destinationF.Select((d, i) => d + sourceF[i]).ToArray();
            Shadows.Accumulate(sourceF, destinationF);
            Assert.Equal(expectedF, destinationF);
        }
    }

    [Fact]
    public void Accumulate_IntoItself_Doubles()
    {
        double[] data = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        Shadows.Accumulate(data, data);
        Assert.Equal([2, 4, 6, 8, 10, 12, 14, 16, 18], data);
    }

    [Fact]
    public void Accumulate_Throws_OnOtherLengthsOrAPartialOverlap()
    {
        Assert.Throws<ArgumentException>(() => Shadows.Accumulate(new double[3], new double[4]));
        Assert.Throws<ArgumentException>(() => Shadows.Accumulate(new float[4], new float[3]));
        var data = new double[10];
        Assert.Throws<ArgumentException>(() => Shadows.Accumulate(data.AsSpan(0, 5), data.AsSpan(1, 5)));
        Shadows.Accumulate(data.AsSpan(0, 5), data.AsSpan(5, 5));
    }

    private static void AssertShared(Action check, string firstName, string secondName)
    {
        var error = AssertNames(check, firstName, secondName);
        Assert.Contains("share memory", error.Message, StringComparison.Ordinal);
    }

    private static ArgumentException AssertNames(Action check, string primalName, string shadowName)
    {
        var error = Assert.Throws<ArgumentException>(check);
        Assert.Equal(shadowName, error.ParamName);
        Assert.Contains($"'{primalName}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{shadowName}'", error.Message, StringComparison.Ordinal);
        return error;
    }

    private static double[][] NewRows(int rows, int length)
    {
        var result = new double[rows][];
        for (int i = 0; i < rows; i++)
        {
            result[i] = new double[length];
        }

        return result;
    }

    [Fact]
    public void Rent_GivesZeroedScratch_AndReleaseAddsItBackThenReturnsIt()
    {
        double[] scratch = Shadows.Rent<double>(3);
        Assert.True(scratch.Length >= 3);
        Assert.Equal([0.0, 0, 0], scratch[..3]);
        scratch[0] = 1;
        scratch[2] = -2;

        double[] shadow = [10, 20, 30];
        Shadows.Release(scratch, shadow);
        Assert.Equal([11.0, 20, 28], shadow);

        // Rented again (possibly the same array), it is zeroed again.
        double[] again = Shadows.Rent<double>(3);
        Assert.Equal([0.0, 0, 0], again[..3]);
        Shadows.Return(again);
    }

    [Fact]
    public void Release_OfFloatScratch_Adds()
    {
        float[] scratch = Shadows.Rent<float>(2);
        scratch[1] = 0.5f;
        float[] shadow = [1, 1];
        Shadows.Release(scratch, shadow);
        Assert.Equal([1f, 1.5f], shadow);
    }
}
