using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Small [Differentiable] callees are inlined; a chain deeper than the inlining depth keeps its last calls.</summary>
public static partial class Chain
{
    [Differentiable]
    public static double Level4(double x) => x * Math.Sin(x);

    [Differentiable]
    public static double Level3(double x) => Level4(x) + x * x;

    [Differentiable]
    public static double Level2(double x) => Level3(x) * 0.5 + 1;

    [Differentiable]
    public static double Level1(double x) => Level2(x) - x;
}

public static partial class Inlining
{
    /// <summary>Inlined from another type: the calls left in the inlined body name their type.</summary>
    [Differentiable]
    public static double ThroughAnotherType(double x, double y) => Chain.Level1(x) * y;
}
