using System;
using System.ComponentModel;

namespace Differentiable;

/// <summary>Which derivative a generated member computes.</summary>
public enum DerivativeMode
{
    /// <summary>Forward mode: <c>{M}Jvp</c>, a Jacobian-vector product.</summary>
    Jvp = 1,

    /// <summary>Reverse mode: <c>{M}Vjp</c>, a vector-Jacobian product.</summary>
    Vjp = 2,

    /// <summary>Second order: <c>{M}Hvp</c>, the gradient and a Hessian-vector product.</summary>
    Hvp = 3,

    /// <summary>Widened forward mode: the <c>{M}Jvp</c> overload whose tangents are <c>Vector256&lt;T&gt;</c>, W directions at once.</summary>
    WidenedJvp = 4,

    /// <summary>Widened reverse mode: the <c>{M}Vjp</c> overload whose cotangents and adjoints are <c>Vector256&lt;T&gt;</c>, W at once.</summary>
    WidenedVjp = 5,

    /// <summary>Widened second order: the <c>{M}Hvp</c> overload whose directions and products are <c>Vector256&lt;T&gt;</c>, W at once.</summary>
    WidenedHvp = 6,
}

/// <summary>
/// Marks a member the generator emitted as a derivative of the method <see cref="Primal"/> of the same
/// type, so that code in other assemblies finds it from metadata and chains through it.
/// </summary>
/// <remarks>
/// Written by the generator, never by hand. <see cref="MetadataVersion"/> is the layout of the generated
/// members: a generator reads derivatives only of the version it writes, and reports a library built
/// with another one (DIFF0013).
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class GeneratedDerivativeAttribute : Attribute
{
    /// <summary>The metadata version this runtime's generator writes.</summary>
    public const int CurrentMetadataVersion = 1;

    /// <summary>Marks a generated derivative of <paramref name="primal"/>.</summary>
    public GeneratedDerivativeAttribute(string primal, DerivativeMode mode, int metadataVersion)
    {
        Primal = primal;
        Mode = mode;
        MetadataVersion = metadataVersion;
    }

    /// <summary>The name of the method this member differentiates; its parameters lead this member's.</summary>
    public string Primal { get; }

    /// <summary>Forward or reverse mode.</summary>
    public DerivativeMode Mode { get; }

    /// <summary>The version of the generated-member layout.</summary>
    public int MetadataVersion { get; }
}

/// <summary>
/// Lists the types of an assembly that hold <see cref="DerivativeOfAttribute"/> registrations, so that
/// assemblies referencing it use them too. The generator writes it; there is no need to write it by hand.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class DerivativeRegistrationsAttribute : Attribute
{
    /// <summary>Lists types holding registrations.</summary>
    public DerivativeRegistrationsAttribute(params Type[] types) => Types = types;

    /// <summary>The types holding registrations.</summary>
    public Type[] Types { get; }
}
