using System;

namespace Differentiable;

/// <summary>
/// Marks a method whose derivatives the Differentiable generator emits at build time: for a method
/// <c>M</c>, forward mode <c>MJvp</c>, reverse mode <c>MVjp</c> and, for a scalar result,
/// <c>MGradient</c>, added to the same partial type.
/// </summary>
/// <remarks>
/// Floating-point parameters (<see cref="double"/>, <see cref="float"/>) are differentiated unless marked
/// <see cref="NoDerivativeAttribute"/>; integer and boolean parameters are passed through.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
    /// <summary>
    /// The highest derivative order to generate members for: 1 (default) or 2. Order 2, on a method with a scalar result,
    /// adds <c>MHvp</c> (the value, the gradient and a Hessian-vector product in one sweep) and <c>MHessian</c>.
    /// </summary>
    public int Order { get; set; } = 1;
}
