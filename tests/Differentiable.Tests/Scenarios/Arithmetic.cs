using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Operators, literals, constants, locals, reassignment and compound assignment.</summary>
public static partial class Arithmetic
{
    private const double Half = 0.5;

    [Differentiable]
    public static double Polynomial(double x, double y) => 3 * x * x * y - 2 * y * y + x - 7;

    [Differentiable]
    public static double Quotient(double x, double y) => (x - y) / (x * y + 4.0);

    [Differentiable]
    public static double Negation(double x) => -x * -(x + 1);

    [Differentiable]
    public static double Constants(double r) => Half * Math.PI * r * r + Math.E;

    [Differentiable]
    public static double Reassignment(double x, double y)
    {
        double s = x * y;
        s = s * s + x;
        x = x / 2;
        double t = s - x;
        return t * y;
    }

    [Differentiable]
    public static double CompoundAssignment(double x, double y)
    {
        double a = x;
        a += y * y;
        a -= x / 3;
        a *= y;
        a /= x + 5;
        return a;
    }

    [Differentiable]
    public static double IntegerParameters(double x, int n, bool square)
    {
        int m = n * 2 + 1;
        m++;
        double scaled = x * m;
        return square ? scaled * scaled : scaled;
    }

    /// <summary>The floating-point remainder: a − b · trunc(a / b), with a's sign.</summary>
    [Differentiable]
    public static double Remainder(double x, double y)
    {
        double r = x % y + (x * 3) % 1.5;
        r %= 2.5;
        return r;
    }
}
