using System.Globalization;
using Differentiable;
using Quickstart;

// The functions, and their generated Jacobians and gradient, are in QuickstartFunctions.cs.
// Each derivative is printed next to the one derived by hand and compared with finite differences.

// f: R² → R³ at (2, 1). FJacobian: one call, columns by forward mode.
Console.WriteLine("f(x0, x1) = (x0^2 + x1, x0*x1, sin x0 + cos x1) at (2, 1)");
PrintValue(QuickstartFunctions.FOfArray([2, 1]));
Compare(QuickstartFunctions.JacobianOfF(2, 1), "FJacobian",
    QuickstartFunctions.HandJacobianOfF(2, 1),
    FiniteDifferences.Jacobian(QuickstartFunctions.FOfArray, [2, 1]));
Compare(QuickstartFunctions.JacobianOfFByColumns(2, 1), "forward mode, FJvp",
    QuickstartFunctions.HandJacobianOfF(2, 1),
    FiniteDifferences.Jacobian(QuickstartFunctions.FOfArray, [2, 1]));

// g: R³ → R⁴ at (1, 2, 3). GJacobian, and the same rows from reverse mode (GVjp, one row per output).
Console.WriteLine("g(x0, x1, x2) = (x0*x1 + x2^2, x0^3 - x1*x2, exp x0 + sin x1 - x2, x0 + x1 + x2) at (1, 2, 3)");
PrintValue(QuickstartFunctions.GOfArray([1, 2, 3]));
Compare(QuickstartFunctions.JacobianOfG(1, 2, 3), "GJacobian",
    QuickstartFunctions.HandJacobianOfG(1, 2, 3),
    FiniteDifferences.Jacobian(QuickstartFunctions.GOfArray, [1, 2, 3]));
Compare(QuickstartFunctions.JacobianOfGByRows(1, 2, 3), "reverse mode, GVjp",
    QuickstartFunctions.HandJacobianOfG(1, 2, 3),
    FiniteDifferences.Jacobian(QuickstartFunctions.GOfArray, [1, 2, 3]));

// h: R² → R at (2, 1). Gradient from HGradient (one reverse pass).
Console.WriteLine("h(x0, x1) = (x0^2 + x1)^2 + (x0*x1)^2 at (2, 1)");
Console.WriteLine($"  value: {F6(QuickstartFunctions.H(2, 1))}");
Compare(Row(QuickstartFunctions.GradientOfH(2, 1)), "HGradient",
    Row(QuickstartFunctions.HandGradientOfH(2, 1)),
    Row(FiniteDifferences.Gradient(QuickstartFunctions.HOfArray, [2, 1])));

static void Compare(double[,] generated, string how, double[,] byHand, double[,] finiteDifferences)
{
    Print($"generated ({how})", generated);
    Print("derived by hand", byHand);
    Console.WriteLine($"  max |generated - by hand| = {E2(MaxDeviation(generated, byHand))}");

    // Finite differences are only approximations (here to about 1e-9, in digits that vary with the platform's
    // math library), so they are compared against a tolerance.
    bool agrees = MaxDeviation(generated, finiteDifferences) < 1e-6;
    Console.WriteLine($"  agrees with finite differences within 1e-6: {(agrees ? "yes" : "NO")}");
    if (!agrees)
    {
        Environment.ExitCode = 1;
    }

    Console.WriteLine();
}

static void Print(string title, double[,] m)
{
    Console.WriteLine($"  {title}:");
    for (int i = 0; i < m.GetLength(0); i++)
    {
        Console.WriteLine("    " + string.Join("  ", Enumerable.Range(0, m.GetLength(1)).Select(j => F6(m[i, j]).PadLeft(11))));
    }
}

static void PrintValue(double[] v) => Console.WriteLine($"  value: ({string.Join(", ", v.Select(F6))})");

static string F6(double value) => value.ToString("F6", CultureInfo.InvariantCulture);

static string E2(double value) => value.ToString("E2", CultureInfo.InvariantCulture);

static double[,] Row(double[] v)
{
    var m = new double[1, v.Length];
    for (int j = 0; j < v.Length; j++)
    {
        m[0, j] = v[j];
    }

    return m;
}

static double MaxDeviation(double[,] a, double[,] b)
{
    double max = 0;
    for (int i = 0; i < a.GetLength(0); i++)
    {
        for (int j = 0; j < a.GetLength(1); j++)
        {
            max = Math.Max(max, Math.Abs(a[i, j] - b[i, j]));
        }
    }

    return max;
}
