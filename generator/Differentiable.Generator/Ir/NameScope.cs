using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Generator.Ir;

/// <summary>
/// Hands out names that no other name in a function uses: <c>dx</c>, then <c>dx1</c>, <c>dx2</c>… A C# keyword counts as
/// taken (a local <c>o</c> gets the tangent <c>do1</c>, never <c>do</c>), so a generated name is always a plain identifier.
/// </summary>
internal sealed class NameScope
{
    private readonly HashSet<string> taken;

    public NameScope(IEnumerable<string> taken) => this.taken = new HashSet<string>(taken);

    public bool IsTaken(string name) => taken.Contains(name);

    public void Reserve(string name) => taken.Add(name);

    public string Fresh(string name)
    {
        if (!IsReserved(name) && taken.Add(name))
        {
            return name;
        }

        for (int i = 1; ; i++)
        {
            string candidate = name + i;
            if (taken.Add(candidate))
            {
                return candidate;
            }
        }
    }

    public Variable Fresh(string name, IrType type) => new(Fresh(name), type);

    /// <summary>
    /// True for the names the generator never invents: C# keywords, and the contextual ones that would change what
    /// generated code means (<c>nameof</c>, which the argument checks call, and the discard <c>_</c>).
    /// </summary>
    public static bool IsReserved(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || name is "nameof" or "_";

    /// <summary>A name as written in C#: a user's local named with a keyword (<c>@double</c>) keeps its '@'.</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A scope holding every name that <paramref name="function"/> declares or reads.</summary>
    public static NameScope Of(IrFunction function)
    {
        var names = new HashSet<string>();
        foreach (Parameter parameter in function.Parameters)
        {
            names.Add(parameter.Variable.Name);
        }

        foreach (Variable variable in IrWalk.Variables(function.Body))
        {
            names.Add(variable.Name);
        }

        return new NameScope(names);
    }
}
