using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;

namespace Differentiable.Generator.Analysis;

/// <summary>
/// What is known at build time of an int's range: a constant, a <c>Length</c> (never negative), a local defined once from
/// one of those, plus or minus a constant. Reverse mode uses it to write a reversed loop the way a person would
/// (<c>for (int i = n - 1; i &gt;= 0; i--)</c>) only where no index can step past an end of int.
/// </summary>
internal static class IntRanges
{
    /// <summary>
    /// True when the reverse of <paramref name="loop"/> can run its own index from the primal's last value back to its first:
    /// computing the last value (<c>Bound ∓ 1</c>) cannot wrap, and stepping once past the first value cannot either.
    /// </summary>
    public static bool CanReverseInPlace(For loop, IrFunction function)
    {
        var definitions = SingleDefinitions(function.Body);
        (long Min, long Max)? bound = Of(loop.Bound, definitions), from = Of(loop.From, definitions);
        return loop.Compare switch
        {
            BinaryOp.Less => bound is { Min: > int.MinValue } && from is { Min: > int.MinValue },
            BinaryOp.LessOrEqual => from is { Min: > int.MinValue },
            BinaryOp.Greater => bound is { Max: < int.MaxValue } && from is { Max: < int.MaxValue },
            _ => from is { Max: < int.MaxValue },
        };
    }

    /// <summary>The range of an int expression, or null when nothing is known.</summary>
    private static (long Min, long Max)? Of(Expr expr, Dictionary<Variable, Expr> definitions, int depth = 0)
    {
        if (depth > 8)
        {
            return null;
        }

        switch (expr)
        {
            case Const c:
                return ((long)c.Value, (long)c.Value);
            case Length:
                return (0, int.MaxValue);
            case Ref { Variable: var v } when definitions.TryGetValue(v, out Expr? value):
                return Of(value, definitions, depth + 1);
            case Binary { Op: BinaryOp.Add or BinaryOp.Subtract, Right: Const c } sum when Of(sum.Left, definitions, depth + 1) is var (min, max):
            {
                long shift = sum.Op == BinaryOp.Add ? (long)c.Value : -(long)c.Value;
                return min + shift >= int.MinValue && max + shift <= int.MaxValue ? (min + shift, max + shift) : null;
            }

            default:
                return null;
        }
    }

    /// <summary>The int locals defined once (a Let) and never assigned, with their values.</summary>
    private static Dictionary<Variable, Expr> SingleDefinitions(Block body)
    {
        var definitions = new Dictionary<Variable, Expr>();
        var redefined = new HashSet<Variable>();
        foreach (Stmt statement in IrWalk.Statements(body))
        {
            foreach (Variable v in IrWalk.Defined(statement).Where(v => v.Type.Kind == ValueKind.Integer))
            {
                if (statement is Let { Target: VariableBinding, Value: var value } && !definitions.ContainsKey(v) && !redefined.Contains(v))
                {
                    definitions[v] = value;
                }
                else
                {
                    redefined.Add(v);
                }
            }
        }

        foreach (Variable v in redefined)
        {
            definitions.Remove(v);
        }

        return definitions;
    }
}
