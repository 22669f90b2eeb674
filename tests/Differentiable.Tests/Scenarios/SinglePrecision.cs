using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>float methods with MathF, and conversions between float, double and integers.</summary>
public static partial class SinglePrecision
{
    [Differentiable]
    public static float Wave(float x, float y) => MathF.Sin(x) * MathF.Exp(-y) + MathF.Sqrt(x * x + 1f) + Math.Abs(y);

    [Differentiable]
    public static float MixedPrecision(float x, double y)
    {
        double wide = x * y;
        float narrow = (float)Math.Log(wide * wide + 1);
        return narrow * x + MathF.Pow(x, 3f);
    }

    [Differentiable]
    public static double FromIntegers(double x, int n, long k) => x * n + (double)k / (n + 1) + (float)x;

    [Differentiable]
    public static float Clamped(float x, float lo) => Math.Clamp(x, lo, lo + 2f) + MathF.Max(x, 0f);
}
