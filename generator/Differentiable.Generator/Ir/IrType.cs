using System.Linq;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Ir;

internal enum ValueKind
{
    Void,
    Double,
    Float,
    Integer,
    Boolean,
    Tuple,
    /// <summary><c>T[]</c>; the element type is <see cref="IrType.ElementType"/>.</summary>
    Array,
    /// <summary><c>Span&lt;T&gt;</c>.</summary>
    Span,
    /// <summary><c>ReadOnlySpan&lt;T&gt;</c>.</summary>
    ReadOnlySpan,
    /// <summary>Any other type: passed through, never differentiated (receivers, enums, chars).</summary>
    Other,

    /// <summary>
    /// <c>Vector256&lt;T&gt;</c> of a floating <c>T</c> (<see cref="IrType.ElementType"/>): the derivative of a floating value in a
    /// widened sweep, one lane per direction or cotangent.
    /// </summary>
    Lanes,
}

/// <summary>The type of an IR value. <see cref="CSharp"/> is how it is spelled in generated code.</summary>
internal sealed record IrType(ValueKind Kind, string CSharp, EquatableArray<IrType> Elements, EquatableArray<string> ElementNames)
{
    public static readonly IrType Void = new(ValueKind.Void, "void", EquatableArray<IrType>.Empty, EquatableArray<string>.Empty);
    public static readonly IrType Double = new(ValueKind.Double, "double", EquatableArray<IrType>.Empty, EquatableArray<string>.Empty);
    public static readonly IrType Float = new(ValueKind.Float, "float", EquatableArray<IrType>.Empty, EquatableArray<string>.Empty);
    public static readonly IrType Int = new(ValueKind.Integer, "int", EquatableArray<IrType>.Empty, EquatableArray<string>.Empty);
    public static readonly IrType Bool = new(ValueKind.Boolean, "bool", EquatableArray<IrType>.Empty, EquatableArray<string>.Empty);

    /// <summary>True for <c>double</c> and <c>float</c>, the types that carry derivatives.</summary>
    public bool IsFloating => Kind is ValueKind.Double or ValueKind.Float;

    /// <summary>True when the type is floating or a tuple with a floating element.</summary>
    public bool HasFloating => IsFloating || (Kind == ValueKind.Tuple && Elements.Any(e => e.HasFloating));

    /// <summary>True for arrays and spans: memory the method reads and writes by element.</summary>
    public bool IsBuffer => Kind is ValueKind.Array or ValueKind.Span or ValueKind.ReadOnlySpan;

    /// <summary>The element type of an array or span.</summary>
    public IrType ElementType => Elements[0];

    /// <summary>True for arrays and spans of <c>double</c> or <c>float</c>, and jagged arrays of them: they get shadows.</summary>
    public bool IsDifferentiableBuffer => IsBuffer && (ElementType.IsFloating || ElementType.IsDifferentiableBuffer);

    /// <summary>True when a value of this type carries a derivative: floating, a tuple with a floating element, or a differentiable buffer.</summary>
    public bool CarriesDerivative => HasFloating || IsDifferentiableBuffer;

    /// <summary>The floating type at the bottom of a (possibly jagged) buffer type.</summary>
    public IrType Scalar() => IsBuffer ? ElementType.Scalar() : this;

    public static IrType Array(IrType element) =>
        new(ValueKind.Array, element.CSharp + "[]", EquatableArray.Of(element), EquatableArray<string>.Empty);

    public static IrType Span(IrType element) =>
        new(ValueKind.Span, "global::System.Span<" + element.CSharp + ">", EquatableArray.Of(element), EquatableArray<string>.Empty);

    public static IrType ReadOnlySpan(IrType element) =>
        new(ValueKind.ReadOnlySpan, "global::System.ReadOnlySpan<" + element.CSharp + ">", EquatableArray.Of(element), EquatableArray<string>.Empty);

    /// <summary>The same kind of buffer over another element type.</summary>
    public IrType WithElement(IrType element) => Kind switch
    {
        ValueKind.Array => Array(element),
        ValueKind.Span => Span(element),
        _ => ReadOnlySpan(element),
    };

    public static IrType Scalar(ValueKind kind, string csharp) =>
        new(kind, csharp, EquatableArray<IrType>.Empty, EquatableArray<string>.Empty);

    /// <summary>A tuple type; element names may be empty strings (unnamed).</summary>
    public static IrType Tuple(EquatableArray<IrType> elements, EquatableArray<string> names)
    {
        string spelled = "(" + string.Join(", ", elements.Select((e, i) =>
            names.Count > i && names[i].Length > 0 ? e.CSharp + " " + names[i] : e.CSharp)) + ")";
        return new IrType(ValueKind.Tuple, spelled, elements, names);
    }

    /// <summary>The <c>(T Value, T Tangent)</c> pair a forward-mode function returns.</summary>
    public static IrType ValueAndTangent(IrType type) => ValueAndTangent(type, type);

    /// <summary>The <c>(T Value, D Tangent)</c> pair a forward-mode function returns, its tangent of type <paramref name="tangent"/>.</summary>
    public static IrType ValueAndTangent(IrType type, IrType tangent) =>
        Tuple(EquatableArray.Of(type, tangent), EquatableArray.Of("Value", "Tangent"));

    /// <summary>The number of lanes of a widened sweep over <paramref name="scalar"/>: <c>Vector256&lt;T&gt;.Count</c>.</summary>
    public static int LaneCount(IrType scalar) => scalar.Kind == ValueKind.Float ? 8 : 4;

    /// <summary><c>Vector256&lt;T&gt;</c> of a floating type: W lanes of derivatives, one per direction or cotangent.</summary>
    public static IrType Lanes(IrType scalar) =>
        new(ValueKind.Lanes, "global::System.Runtime.Intrinsics.Vector256<" + scalar.CSharp + ">", EquatableArray.Of(scalar), EquatableArray<string>.Empty);

    /// <summary>
    /// The type of a derivative of a value of this type in a sweep of <paramref name="width"/> lanes: the type itself for
    /// one lane; for more, <see cref="Lanes"/> of a floating type, and tuples and buffers of those element by element.
    /// </summary>
    public IrType Derivative(int width) => width == 1
        ? this
        : this switch
        {
            { IsFloating: true } => Lanes(this),
            { Kind: ValueKind.Tuple } => Tuple(Elements.Select(e => e.Derivative(width)).ToEquatableArray(), ElementNames),
            { IsBuffer: true } => WithElement(ElementType.Derivative(width)),
            _ => this,
        };

    /// <summary>The name of tuple element <paramref name="index"/> as written in C#.</summary>
    public string ElementAccessName(int index) =>
        ElementNames.Count > index && ElementNames[index].Length > 0 ? ElementNames[index] : "Item" + (index + 1);

    public override string ToString() => CSharp;
}
