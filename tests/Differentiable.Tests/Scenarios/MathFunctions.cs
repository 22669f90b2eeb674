using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Every System.Math function with a rule, in double precision.</summary>
public static partial class MathFunctions
{
    [Differentiable]
    public static double Trigonometric(double x) => Math.Sin(x) + Math.Cos(2 * x) + Math.Tan(x / 3);

    [Differentiable]
    public static double InverseTrigonometric(double x, double y) => Math.Asin(x) + Math.Acos(x / 2) + Math.Atan(y) + Math.Atan2(y, x + 2);

    [Differentiable]
    public static double Hyperbolic(double x) => Math.Sinh(x) * Math.Cosh(x / 2) + Math.Tanh(x);

    [Differentiable]
    public static double ExponentialsAndLogarithms(double x, double b) =>
        Math.Exp(x) + Math.Log(x) + Math.Log(x, b) + Math.Log10(x) + Math.Log2(x);

    [Differentiable]
    public static double Roots(double x) => Math.Sqrt(x) + Math.Cbrt(x);

    [Differentiable]
    public static double Powers(double x, double y) => Math.Pow(x, y) + Math.Pow(x, 2.0) + Math.Pow(x, 1.0) + Math.Pow(2.0, y);

    // These two test zero derivatives through Sign, Floor, Ceiling, Round and Truncate on purpose.
#pragma warning disable DIFF0014
    [Differentiable]
    public static double NonSmooth(double x, double y, double lo) =>
        Math.Abs(x) + Math.Max(x, y) + Math.Min(x, 2 * y) + Math.Clamp(y, lo, lo + 1) + Math.Sign(x) * y;

    [Differentiable]
    public static double PiecewiseConstant(double x) =>
        Math.Floor(x) + Math.Ceiling(x) + Math.Round(x) + Math.Truncate(x) + x;
#pragma warning restore DIFF0014

    /// <summary>y's value scales x, but no derivative flows through NoDerivative.Of(y): ∂/∂y is 1, not x + 1.</summary>
    [Differentiable]
    public static double StopGradient(double x, double y) => x * NoDerivative.Of(y) + y + (int)NoDerivative.Of(x);

    /// <summary>Pow with both operands differentiated, for its special points (0, negative bases, infinities).</summary>
    [Differentiable]
    public static double PowerOf(double x, double y) => Math.Pow(x, y);

    /// <summary>Pow with a constant exponent at a negative base: the exponent's rule (x^y · ln x) must not run.</summary>
    [Differentiable]
    public static double SquareOfNegative(double x) => Math.Pow(x, 2.0);

    /// <summary>The functions Math has beyond the basic ones: inverse hyperbolics, FusedMultiplyAdd, ScaleB, CopySign, IEEERemainder.</summary>
    [Differentiable]
    public static double MoreMath(double x, double y) =>
        Math.Asinh(x) + Math.Acosh(1 + y * y) + Math.Atanh(x / 3) + Math.FusedMultiplyAdd(x, y, x * x)
        + Math.ScaleB(x, 3) + Math.CopySign(x, -2.0) + Math.IEEERemainder(x * 7, y + 3) + Math.BitIncrement(y)
        + Math.MaxMagnitude(x, y) + Math.MinMagnitude(x, -y) + Math.Round(NoDerivative.Of(x) * 3, 2) + Math.Round(NoDerivative.Of(y), MidpointRounding.AwayFromZero);

    /// <summary>Generic-math spellings on double: the same functions as Math's, and the ones only double has.</summary>
    [Differentiable]
    public static double GenericMath(double x, double y) =>
        double.Sqrt(x * x + 1) + double.Sin(y) * double.Exp(x / 2) + double.Hypot(x, y) + double.Exp2(x) + double.Exp10(y / 4)
        + double.ExpM1(x) + double.LogP1(y * y) + double.Log2(2 + x * x) + double.RootN(2 + y * y, 3) + double.Lerp(x, y, 0.25)
        + double.SinPi(x) * double.CosPi(y) + double.TanPi(x / 8) + double.DegreesToRadians(y) + double.RadiansToDegrees(x)
        + double.MaxNumber(x, y) + double.MinNumber(x, y) + double.Atan2(y, x + 3) + double.Cbrt(x) + double.Pow(2 + x * x, y);

    /// <summary>The same on float, through MathF and float's statics.</summary>
    [Differentiable]
    public static float GenericMathF(float x, float y) =>
        float.Sqrt(x * x + 1) + MathF.Asinh(x) + float.Hypot(x, y) + MathF.FusedMultiplyAdd(x, y, 1f) + float.Lerp(x, y, 0.5f) + float.Exp2(y);

    /// <summary>double.Hypot alone, for its derivative at the origin.</summary>
    [Differentiable]
    public static double HypotOf(double x, double y) => double.Hypot(x, y);
}
