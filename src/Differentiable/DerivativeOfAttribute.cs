using System;

namespace Differentiable;

/// <summary>
/// Registers a hand-written derivative of a function, used wherever that function is called from a
/// <c>[Differentiable]</c> method. The function may be the user's own or one whose body the generator
/// cannot see (a method of a referenced assembly, a P/Invoke, a special function).
/// </summary>
/// <remarks>
/// The marked method must be static and have the shape the generator would have emitted, under any name.
/// For <c>static double Erf(double x)</c>:
/// <list type="bullet">
/// <item><description>forward mode: <c>static (double Value, double Tangent) ErfJvp(double x, double dx)</c></description></item>
/// <item><description>reverse mode: <c>static double ErfVjp(double x, double dResult, out double dx)</c></description></item>
/// </list>
/// Which mode a registration provides follows from its shape. A function with only a reverse-mode
/// registration can be used in reverse mode only.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DerivativeOfAttribute : Attribute
{
    /// <summary>Registers the marked method as a derivative of <paramref name="type"/>.<paramref name="methodName"/>.</summary>
    /// <param name="type">The type that declares the function.</param>
    /// <param name="methodName">The function's name; use <c>nameof</c>.</param>
    public DerivativeOfAttribute(Type type, string methodName)
    {
        Type = type;
        MethodName = methodName;
    }

    /// <summary>The type that declares the function.</summary>
    public Type Type { get; }

    /// <summary>The function's name.</summary>
    public string MethodName { get; }
}
