namespace Differentiable.Generator.Rules;

/// <summary>
/// The scalar primitives with rules: the functions of <c>System.Math</c> and <c>System.MathF</c>, and the same and a few
/// more as static members of <c>double</c> and <c>float</c> (generic math).
/// </summary>
internal enum MathFunction
{
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Exp,
    Exp2,
    Exp10,
    ExpM1,
    Log,
    Log10,
    Log2,
    LogP1,
    Sqrt,
    Cbrt,
    RootN,
    Hypot,
    Pow,
    Abs,
    Max,
    Min,
    MaxNumber,
    MinNumber,
    MaxMagnitude,
    MinMagnitude,
    Clamp,
    CopySign,
    FusedMultiplyAdd,
    ScaleB,
    IEEERemainder,
    BitIncrement,
    BitDecrement,
    SinPi,
    CosPi,
    TanPi,
    DegreesToRadians,
    RadiansToDegrees,
    Lerp,
    Sign,
    Floor,
    Ceiling,
    Round,
    Truncate,

    /// <summary><c>Differentiable.NoDerivative.Of(x)</c>: x's value, derivative zero (a stop-gradient).</summary>
    NoDerivative,

    /// <summary>
    /// <c>Differentiable.Terms.MultiplyWhereNonZero(partial, derivative)</c>: a rule's term that is 0 where the derivative is
    /// 0 even where the partial is infinite or NaN (generated code only; see <c>ScalarRules.Term</c>).
    /// </summary>
    MultiplyWhereNonZero,
}
