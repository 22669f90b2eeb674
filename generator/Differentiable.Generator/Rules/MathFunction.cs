namespace Differentiable.Generator.Rules;

/// <summary>The scalar primitives of <c>System.Math</c> and <c>System.MathF</c> that have rules.</summary>
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
    Exp,
    Log,
    Log10,
    Log2,
    Sqrt,
    Cbrt,
    Pow,
    Abs,
    Max,
    Min,
    Clamp,
    Sign,
    Floor,
    Ceiling,
    Round,
    Truncate,

    /// <summary><c>Differentiable.NoDerivative.Of(x)</c>: x's value, derivative zero (a stop-gradient).</summary>
    NoDerivative,
}
