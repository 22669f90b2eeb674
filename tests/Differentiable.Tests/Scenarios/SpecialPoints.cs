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
}
