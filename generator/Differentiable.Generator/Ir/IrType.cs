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
    public static IrType ValueAndTangent(IrType type) =>
        Tuple(EquatableArray.Of(type, type), EquatableArray.Of("Value", "Tangent"));

    /// <summary>The name of tuple element <paramref name="index"/> as written in C#.</summary>
    public string ElementAccessName(int index) =>
        ElementNames.Count > index && ElementNames[index].Length > 0 ? ElementNames[index] : "Item" + (index + 1);

    public override string ToString() => CSharp;
}
