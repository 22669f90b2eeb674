namespace Differentiable;

/// <summary>
/// Stops a derivative on purpose. In a <c>[Differentiable]</c> method, <c>NoDerivative.Of(x)</c> is x's value
/// treated as a constant: nothing is differentiated through it. Use it to say that a value used by a
/// function without a derivative, or by an integer conversion or rounding, is meant to carry none.
/// </summary>
public static class NoDerivative
{
    /// <summary>Returns <paramref name="value"/>; its derivative is zero.</summary>
    public static double Of(double value) => value;

    /// <summary>Returns <paramref name="value"/>; its derivative is zero.</summary>
    public static float Of(float value) => value;
}
