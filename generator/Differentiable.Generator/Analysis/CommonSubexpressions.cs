using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Analysis;

/// <summary>
/// Reuses a value computed twice: <c>x[i] * x[i]</c> loads <c>x[i]</c> once. A definition whose value was already
/// computed into a local, with nothing it reads assigned or written since, becomes that local. Only pure values count
/// (arithmetic, conversions, Math functions, element loads and lengths) and only locals defined once; a load stops
/// counting as computed when its buffer is written. Both sweeps then read one value, and reverse mode saves it once.
/// </summary>
internal static class CommonSubexpressions
{
    public static IrFunction Apply(IrFunction function)
    {
        var assigned = new HashSet<Variable>(IrWalk.Statements(function.Body).OfType<Assign>().SelectMany(a => IrWalk.Targets(a.Target)));
        var replaced = new Dictionary<Variable, Variable>();
        Block body = Rewrite(function.Body, new Dictionary<Expr, Variable>(), assigned, replaced);
        return replaced.Count == 0 ? function : function with { Body = body };
    }

    private static Block Rewrite(Block block, Dictionary<Expr, Variable> available, HashSet<Variable> assigned, Dictionary<Variable, Variable> replaced)
    {
        var output = new List<Stmt>();
        foreach (Stmt original in block.Statements)
        {
            Stmt statement = Substitute(original, replaced);
            if (statement is Let { Target: VariableBinding { Variable: var v }, Value: var value } && !assigned.Contains(v) && IsPure(value) && !value.IsAtom)
            {
                if (available.TryGetValue(value, out Variable? earlier))
                {
                    replaced[v] = earlier;
                    continue;
                }

                output.Add(statement);
                available[value] = v;
                continue;
            }

            switch (statement)
            {
                case If branch:
                    statement = branch with
                    {
                        Then = Rewrite(branch.Then, new Dictionary<Expr, Variable>(available), assigned, replaced),
                        Else = Rewrite(branch.Else, new Dictionary<Expr, Variable>(available), assigned, replaced),
                    };
                    break;
                case For or Loop or TapeScope:
                {
                    // A loop body runs again after its own writes: what it writes is not available anywhere in it.
                    Block body = IrWalk.Blocks(statement).Single();
                    var inside = new Dictionary<Expr, Variable>(available);
                    Invalidate(inside, body.Statements);
                    Block rewritten = Rewrite(body, inside, assigned, replaced);
                    statement = statement switch
                    {
                        For loop => loop with { Body = rewritten },
                        Loop loop => loop with { Body = rewritten },
                        TapeScope scope => scope with { Body = rewritten },
                        _ => statement,
                    };
                    break;
                }
            }

            Invalidate(available, [statement]);
            output.Add(statement);
        }

        return new Block(output.ToEquatableArray());
    }

    /// <summary>Forgets the values that read a variable the statements assign or a buffer they write.</summary>
    private static void Invalidate(Dictionary<Expr, Variable> available, IEnumerable<Stmt> statements)
    {
        var all = statements.SelectMany(s => new[] { s }.Concat(IrWalk.Blocks(s).SelectMany(IrWalk.Statements))).ToList();
        var variables = new HashSet<Variable>(all.Where(s => s is not Let).SelectMany(IrWalk.Defined));
        var buffers = new HashSet<Variable>(Activity.WrittenBuffers(new Block(all.ToEquatableArray())));
        foreach (Expr key in available.Keys.ToList())
        {
            if (variables.Contains(available[key]) || IrWalk.Reads(key).Any(variables.Contains) || LoadsFrom(key).Any(buffers.Contains))
            {
                available.Remove(key);
            }
        }
    }

    private static IEnumerable<Variable> LoadsFrom(Expr expr) =>
        expr is Load load && IrWalk.Root(load.Buffer) is { } root ? [root] : [];

    /// <summary>A value with no effect that depends only on what it reads.</summary>
    private static bool IsPure(Expr expr) => expr switch
    {
        Const or Ref or Length or DefaultValue or Literal => true,
        Unary u => IsPure(u.Operand),
        Binary b => IsPure(b.Left) && IsPure(b.Right),
        Convert c => IsPure(c.Operand),
        Overflow o => IsPure(o.Operand),
        Conditional c => IsPure(c.Condition) && IsPure(c.WhenTrue) && IsPure(c.WhenFalse),
        Load load => load.Buffer is Ref or Load && IsPure(load.Index),
        Element element => IsPure(element.Tuple),
        Call { Callee: Primitive } call => call.Arguments.All(IsPure),
        _ => false,
    };

    private static Stmt Substitute(Stmt statement, Dictionary<Variable, Variable> replaced)
    {
        if (replaced.Count == 0)
        {
            return statement;
        }

        Expr Map(Expr e) => e is Ref { Variable: var v } && replaced.TryGetValue(v, out Variable? by) ? new Ref(by) : e;
        return IrRewrite.MapOwnExpressions(statement, Map);
    }
}
