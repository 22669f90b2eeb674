using System;

namespace Differentiable;

/// <summary>
/// Marks a floating-point parameter (or field) that is data, not a variable: the generated derivatives
/// take no tangent or adjoint for it and treat it as a constant.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Field, Inherited = false)]
public sealed class NoDerivativeAttribute : Attribute
{
}
