using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>One built-in function each, for their derivatives at special points (0, the ends of their domains, ±∞).</summary>
public static partial class SpecialPoints
{
    [Differentiable]
    public static double SqrtOf(double x) => Math.Sqrt(x);

    [Differentiable]
    public static double CbrtOf(double x) => Math.Cbrt(x);

    [Differentiable]
    public static double LogOf(double x) => Math.Log(x);

    [Differentiable]
    public static double Log10Of(double x) => Math.Log10(x);

    [Differentiable]
    public static double AsinOf(double x) => Math.Asin(x);

    [Differentiable]
    public static double AcosOf(double x) => Math.Acos(x);

    [Differentiable]
    public static double AtanOf(double x) => Math.Atan(x);

    [Differentiable]
    public static double ExpOf(double x) => Math.Exp(x);

    [Differentiable]
    public static double TanhOf(double x) => Math.Tanh(x);

    [Differentiable]
    public static double AbsOf(double x) => Math.Abs(x);

    [Differentiable]
    public static double Atan2Of(double y, double x) => Math.Atan2(y, x);

    [Differentiable]
    public static double Quotient(double x, double y) => x / y;

    /// <summary>
    /// A function with a vertical tangent (or Pow) next to a product: at the special point the first output's partial is
    /// infinite or NaN, the second output is differentiable everywhere, and its row must not be NaN.
    /// </summary>
    [Differentiable]
    public static void SpecialAndProduct(int which, double x, double y, out double special, out double product)
    {
        special = which switch
        {
            0 => Math.Sqrt(x),
            1 => Math.Cbrt(x),
            2 => Math.Asin(x),
            3 => Math.Acos(x),
            4 => Math.Acosh(x),
            5 => Math.Atan2(x, y),
            6 => Math.Pow(x, 0.5),
            7 => Math.Pow(x, y),
            _ => double.RootN(x, 3),
        };
        product = x * y;
    }
}
