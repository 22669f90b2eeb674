using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;

namespace Differentiable.Generator.Emit;

/// <summary>
/// Values flattened into one vector of scalars, as C#: a floating value is one entry, an array or span its elements, in
/// order. Gives the vector's length (<c>2 + a.Length</c>) and where each value starts (<c>0</c>, <c>1</c>, <c>2</c>, …).
/// </summary>
internal sealed class Flattened
{
    private Flattened(string size, IReadOnlyList<string> offsets)
    {
        Size = size;
        Offsets = offsets;
    }

    /// <summary>The number of scalars, as a C# expression.</summary>
    public string Size { get; }

    /// <summary>Where each value's first scalar is, as C# expressions.</summary>
    public IReadOnlyList<string> Offsets { get; }

    /// <summary>
    /// The flattening of <paramref name="values"/>, after <paramref name="leading"/> scalars that precede them (a result row).
    /// </summary>
    public static Flattened Of(IEnumerable<Variable> values, int leading = 0)
    {
        int scalars = leading;
        var lengths = new List<string>();
        var offsets = new List<string>();
        foreach (Variable value in values)
        {
            offsets.Add(Sum(scalars, lengths));
            if (value.Type.IsBuffer)
            {
                lengths.Add(CSharpPrinter.Name(value) + ".Length");
            }
            else
            {
                scalars++;
            }
        }

        return new Flattened(Sum(scalars, lengths), offsets);
    }

    /// <summary>A count of scalars plus array lengths, as C#: <c>2 + a.Length</c>, <c>b.Length</c>, <c>0</c>.</summary>
    private static string Sum(int scalars, IReadOnlyList<string> lengths) =>
        string.Join(" + ", (scalars > 0 || lengths.Count == 0 ? [scalars.ToString(System.Globalization.CultureInfo.InvariantCulture)] : System.Array.Empty<string>()).Concat(lengths));
}
