using System;
using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;

namespace Differentiable.Generator.Analysis;

/// <summary>How reverse mode runs a counted loop's indices backwards.</summary>
internal enum LoopReversal
{
    /// <summary>
    /// From the primal's last index back to its first: <c>for (int i = n - 1; i &gt;= 0; i--)</c>. Neither the last index
    /// (<c>n - 1</c>) nor one step past the first can wrap.
    /// </summary>
    InPlace,

    /// <summary>
    /// The same loop, run only when the primal's ran at least once: <c>if (from &lt; n) for (int i = n - 1; i &gt;= from; i--)</c>.
    /// One step past the first index cannot wrap; <c>n - 1</c> could only for an <c>n</c> the test rules out.
    /// </summary>
    Guarded,

    /// <summary>
    /// The first index may sit at an end of int, so the reverse counts the index's successor instead, which no value steps
    /// past: <c>for (int iNext = n; iNext &gt; from; iNext--) { int i = iNext - 1; … }</c>.
    /// </summary>
    Successor,
}

/// <summary>
/// What is known at build time of an int's range: a constant, a <c>Length</c> (never negative), a counted loop's index,
/// a local defined once from one of those, plus or minus a constant, or divided. Reverse mode uses it to write a reversed
/// loop the way a person would (<c>for (int i = n - 1; i &gt;= 0; i--)</c>) wherever no index can step past an end of int.
/// </summary>
internal static class IntRanges
{
    /// <summary>How the reverse of <paramref name="loop"/> runs its indices so that none wraps, whatever the bounds.</summary>
    public static LoopReversal HowToReverse(For loop, IrFunction function)
    {
        var known = new Known(function.Body);
        (long Min, long Max)? bound = known.Of(loop.Bound), from = known.Of(loop.From);
        bool ascending = loop.Compare is BinaryOp.Less or BinaryOp.LessOrEqual;
        bool firstSafe = ascending ? from is { Min: > int.MinValue } : from is { Max: < int.MaxValue };
        bool lastSafe = loop.Compare switch
        {
            BinaryOp.Less => bound is { Min: > int.MinValue },
            BinaryOp.Greater => bound is { Max: < int.MaxValue },
            _ => true, // the last index is the bound itself
        };
        return !firstSafe ? LoopReversal.Successor : lastSafe ? LoopReversal.InPlace : LoopReversal.Guarded;
    }

    /// <summary>The int locals defined once and the counted loops' indices of one function, with what is known of them.</summary>
    private sealed class Known
    {
        private readonly Dictionary<Variable, Expr> definitions = new();
        private readonly Dictionary<Variable, For> loops = new();

        public Known(Block body)
        {
            var redefined = new HashSet<Variable>();
            foreach (Stmt statement in IrWalk.Statements(body))
            {
                if (statement is For loop && !loops.ContainsKey(loop.Index) && !redefined.Contains(loop.Index))
                {
                    loops[loop.Index] = loop;
                    continue;
                }

                foreach (Variable v in IrWalk.Defined(statement).Where(v => v.Type.Kind == ValueKind.Integer))
                {
                    if (statement is Let { Target: VariableBinding, Value: var value } && !definitions.ContainsKey(v) && !loops.ContainsKey(v) && !redefined.Contains(v))
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
                loops.Remove(v);
            }
        }

        /// <summary>The range of an int expression, or null when nothing is known.</summary>
        public (long Min, long Max)? Of(Expr expr, int depth = 0)
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
                    return Of(value, depth + 1);
                case Ref { Variable: var v } when loops.TryGetValue(v, out For? loop):
                    return IndexOf(loop, depth + 1);
                case Binary { Op: BinaryOp.Add or BinaryOp.Subtract, Right: Const c } sum when Of(sum.Left, depth + 1) is var (min, max):
                {
                    long shift = sum.Op == BinaryOp.Add ? (long)c.Value : -(long)c.Value;
                    return min + shift >= int.MinValue && max + shift <= int.MaxValue ? (min + shift, max + shift) : null;
                }

                case Binary { Op: BinaryOp.Divide, Right: Const { Value: > 0 } c } quotient when Of(quotient.Left, depth + 1) is var (min, max):
                    return (min / (long)c.Value, max / (long)c.Value);
                case Binary { Op: BinaryOp.Divide } quotient when Of(quotient.Left, depth + 1) is var (min, max) && min > int.MinValue:
                {
                    // Dividing by any int but 0 (which throws) keeps the magnitude at most the dividend's.
                    long magnitude = Math.Max(-min, Math.Abs(max));
                    return (-magnitude, magnitude);
                }

                default:
                    return null;
            }
        }

        /// <summary>A counted loop's index runs from its first value to the last its bound lets through.</summary>
        private (long Min, long Max)? IndexOf(For loop, int depth)
        {
            if (Of(loop.From, depth) is not var (fromMin, fromMax) || Of(loop.Bound, depth) is not var (boundMin, boundMax))
            {
                return null;
            }

            return loop.Compare switch
            {
                BinaryOp.Less => (fromMin, Math.Max(fromMin, boundMax - 1)),
                BinaryOp.LessOrEqual => (fromMin, Math.Max(fromMin, boundMax)),
                BinaryOp.Greater => (Math.Min(fromMax, boundMin + 1), fromMax),
                _ => (Math.Min(fromMax, boundMin), fromMax),
            };
        }
    }
}
