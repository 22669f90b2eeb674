using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;

namespace Differentiable.Generator.Analysis;

/// <summary>
/// Activity analysis: a variable is active when it is <em>varied</em> (its value depends on a
/// differentiable input) and <em>useful</em> (the result or an out parameter depends on it). Only
/// active variables get tangents and adjoints; an inactive operand contributes no term, so the rule
/// of an inactive exponent in <c>Math.Pow(x, 2.0)</c> is never evaluated.
/// </summary>
/// <remarks>
/// Flow-insensitive over the whole function and iterated to a fixed point: conservative (a
/// variable assigned a varied value anywhere is varied everywhere), never wrong.
/// </remarks>
internal sealed class Activity
{
    private readonly HashSet<Variable> varied;
    private readonly HashSet<Variable> useful;

    private Activity(HashSet<Variable> varied, HashSet<Variable> useful)
    {
        this.varied = varied;
        this.useful = useful;
    }

    public bool IsActive(Variable variable) => varied.Contains(variable) && useful.Contains(variable);

    public bool IsActive(Expr expr) => expr is Ref r && IsActive(r.Variable);

    public bool IsVaried(Variable variable) => varied.Contains(variable);

    public static Activity Analyze(IrFunction function)
    {
        var definitions = new List<(Binding Target, Expr Value)>();
        var outputs = new List<Expr>();
        Collect(function.Body, definitions, outputs);

        var varied = new HashSet<Variable>(function.Parameters
            .Where(p => p.IsDifferentiable && p.Kind != ParameterKind.Out && p.Variable.Type.HasFloating)
            .Select(p => p.Variable));
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach ((Binding target, Expr value) in definitions)
            {
                if (value.Type.HasFloating && IrWalk.DifferentiableReads(value).Any(varied.Contains))
                {
                    foreach (Variable v in IrWalk.Targets(target).Where(v => v.Type.HasFloating))
                    {
                        changed |= varied.Add(v);
                    }
                }
            }
        }

        var useful = new HashSet<Variable>(function.Parameters
            .Where(p => p.Kind == ParameterKind.Out && p.Variable.Type.HasFloating)
            .Select(p => p.Variable));
        foreach (Expr output in outputs)
        {
            useful.UnionWith(IrWalk.DifferentiableReads(output));
        }

        changed = true;
        while (changed)
        {
            changed = false;
            foreach ((Binding target, Expr value) in definitions)
            {
                if (IrWalk.Targets(target).Any(useful.Contains))
                {
                    foreach (Variable v in IrWalk.DifferentiableReads(value))
                    {
                        changed |= useful.Add(v);
                    }
                }
            }
        }

        return new Activity(varied, useful);
    }

    private static void Collect(Block block, List<(Binding, Expr)> definitions, List<Expr> outputs)
    {
        foreach (Stmt statement in block.Statements)
        {
            if (IrWalk.Definition(statement) is { } definition)
            {
                definitions.Add(definition);
                continue;
            }

            switch (statement)
            {
                case If branch:
                    Collect(branch.Then, definitions, outputs);
                    Collect(branch.Else, definitions, outputs);
                    break;
                case Return { Value: { } value }:
                    outputs.Add(value);
                    break;
            }
        }
    }
}
