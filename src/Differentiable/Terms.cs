using System.ComponentModel;
using System.Runtime.Intrinsics;

namespace Differentiable;

/// <summary>
/// What generated code calls for one term <c>partial · derivative</c> of a rule whose partial can be infinite or NaN where
/// its value is finite (<c>Sqrt</c>, <c>Cbrt</c>, <c>RootN</c> at 0, <c>Asin</c>/<c>Acos</c> at ±1, <c>Acosh</c> at 1,
/// <c>Atan2</c> at the origin, <c>Pow</c>): the term is exactly 0 where the tangent or cotangent is 0, so a direction that
/// does not move the operand, or an output that does not depend on the value, gets 0 instead of ∞ · 0 = NaN.
/// </summary>
/// <remarks>
/// Where the partial is finite this is the product itself, so its own derivative is the product rule
/// (<c>MultiplyWhereNonZero(ṗ, d) + MultiplyWhereNonZero(p, ḋ)</c>), which keeps second derivatives exact where a
/// cotangent is 0 but its tangent is not (at a minimum).
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Terms
{
    /// <summary><paramref name="partial"/> · <paramref name="derivative"/>, and exactly 0 where the derivative is 0 (even where the partial is infinite or NaN).</summary>
    public static double MultiplyWhereNonZero(double partial, double derivative) => derivative == 0 ? 0 : partial * derivative;

    /// <summary><paramref name="partial"/> · <paramref name="derivative"/>, and exactly 0 where the derivative is 0 (even where the partial is infinite or NaN).</summary>
    public static float MultiplyWhereNonZero(float partial, float derivative) => derivative == 0 ? 0 : partial * derivative;

    /// <summary>The same lane by lane: exactly 0 in the lanes where the derivative is 0.</summary>
    public static Vector256<double> MultiplyWhereNonZero(double partial, Vector256<double> derivative) =>
        Vector256.ConditionalSelect(Vector256.Equals(derivative, Vector256<double>.Zero), Vector256<double>.Zero, derivative * partial);

    /// <summary>The same lane by lane: exactly 0 in the lanes where the derivative is 0.</summary>
    public static Vector256<float> MultiplyWhereNonZero(float partial, Vector256<float> derivative) =>
        Vector256.ConditionalSelect(Vector256.Equals(derivative, Vector256<float>.Zero), Vector256<float>.Zero, derivative * partial);
}
