using System.Collections.Generic;

namespace Differentiable.Generator.Ir;

/// <summary>Hands out names that no other name in a function uses: <c>dx</c>, then <c>dx1</c>, <c>dx2</c>…</summary>
internal sealed class NameScope
{
    private readonly HashSet<string> taken;

    public NameScope(IEnumerable<string> taken) => this.taken = new HashSet<string>(taken);

    public bool IsTaken(string name) => taken.Contains(name);

    public void Reserve(string name) => taken.Add(name);

    public string Fresh(string name)
    {
        if (taken.Add(name))
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
