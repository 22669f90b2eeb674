using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Ir;

/// <summary>Read-only walks over the IR used by the analyses and transforms.</summary>
internal static class IrWalk
{
    /// <summary>Every variable a block defines, assigns or reads.</summary>
    public static IEnumerable<Variable> Variables(Block block)
    {
        foreach (Stmt statement in block.Statements)
        {
            foreach (Variable variable in Variables(statement))
            {
                yield return variable;
            }
        }
    }

    public static IEnumerable<Variable> Variables(Stmt statement)
    {
        foreach (Variable v in Defined(statement))
        {
            yield return v;
        }

        foreach (Expr expr in Expressions(statement))
        {
            foreach (Variable v in Reads(expr))
            {
                yield return v;
            }
        }

        foreach (Block block in Blocks(statement))
        {
            foreach (Variable v in Variables(block))
            {
                yield return v;
            }
        }
    }

    /// <summary>The variables a statement itself defines or assigns (not those of nested blocks).</summary>
    public static IEnumerable<Variable> Defined(Stmt statement) => statement switch
    {
        Let let => Targets(let.Target),
        Assign assign => Targets(assign.Target),
        Declare declare => [declare.Variable],
        For loop => [loop.Index],
        TapeScope scope => [scope.Tape, scope.Mark],
        _ => [],
    };

    /// <summary>The expressions a statement evaluates itself (not those of nested blocks).</summary>
    public static IEnumerable<Expr> Expressions(Stmt statement) => statement switch
    {
        Let let => [let.Value],
        Assign assign => [assign.Value],
        If branch => [branch.Condition],
        Return { Value: { } value } => [value],
        Throw thrown => [thrown.Exception],
        Evaluate evaluate => [evaluate.Value],
        Store store => [store.Buffer, store.Index, store.Value],
        For loop => [loop.From, loop.Bound],
        Save save => [new Ref(save.Tape), save.Value],
        Reload reload => [new Ref(reload.Tape), reload.Buffer],
        _ => [],
    };

    /// <summary>The blocks nested in a statement.</summary>
    public static IEnumerable<Block> Blocks(Stmt statement) => statement switch
    {
        If branch => [branch.Then, branch.Else],
        For loop => [loop.Body],
        Loop loop => [loop.Body],
        TapeScope scope => [scope.Body],
        _ => [],
    };

    /// <summary>Every statement of a block, nested ones included, in order (a statement before those nested in it).</summary>
    public static IEnumerable<Stmt> Statements(Block block)
    {
        foreach (Stmt statement in block.Statements)
        {
            yield return statement;
            foreach (Block nested in Blocks(statement))
            {
                foreach (Stmt inner in Statements(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>The buffer variable under a buffer expression: <c>a</c> for <c>a</c> and for the row <c>a[i]</c>; null for others.</summary>
    public static Variable? Root(Expr buffer) => buffer switch
    {
        Ref { Variable: var v } when v.Type.IsBuffer => v,
        Load load when load.Type.IsBuffer => Root(load.Buffer),
        _ => null,
    };

    /// <summary>An expression and every expression inside it, outermost first.</summary>
    public static IEnumerable<Expr> Subexpressions(Expr expr)
    {
        var stack = new Stack<Expr>();
        stack.Push(expr);
        while (stack.Count > 0)
        {
            Expr current = stack.Pop();
            yield return current;
            foreach (Expr child in Children(current, out _))
            {
                stack.Push(child);
            }
        }
    }

    /// <summary>The calls inside an expression, outermost first.</summary>
    public static IEnumerable<Call> Calls(Expr expr) => Subexpressions(expr).OfType<Call>();

    /// <summary>True for a buffer allocation: <c>new T[n]</c>, <c>stackalloc T[n]</c>, or a choice between such.</summary>
    public static bool IsAllocation(Expr value) => value switch
    {
        NewBuffer => true,
        Conditional choice => IsAllocation(choice.WhenTrue) && IsAllocation(choice.WhenFalse),
        _ => false,
    };

    /// <summary>The element count of an allocation (a choice's branches must agree), or null.</summary>
    public static Expr? AllocatedCount(Expr allocation) => allocation switch
    {
        NewBuffer buffer => buffer.Count,
        Conditional { WhenTrue: var a, WhenFalse: var b } when AllocatedCount(a) is { } first && first.Equals(AllocatedCount(b)) => first,
        _ => null,
    };

    /// <summary>The target and value of a definition (Let) or an assignment (Assign), or null for other statements.</summary>
    public static (Binding Target, Expr Value)? Definition(Stmt statement) => statement switch
    {
        Let let => (let.Target, let.Value),
        Assign assign => (assign.Target, assign.Value),
        _ => null,
    };

    /// <summary>The same kind of statement (Let or Assign) with another target and value.</summary>
    public static Stmt Rebind(Stmt statement, Binding target, Expr value) => statement switch
    {
        Let let => let with { Target = target, Value = value },
        Assign assign => assign with { Target = target, Value = value },
        _ => throw new System.ArgumentException("not a Let or an Assign", nameof(statement)),
    };

    public static IEnumerable<Variable> Targets(Binding binding)
    {
        if (binding is VariableBinding single)
        {
            yield return single.Variable;
        }
        else if (binding is TupleBinding tuple)
        {
            foreach (Binding element in tuple.Elements)
            {
                foreach (Variable v in Targets(element))
                {
                    yield return v;
                }
            }
        }
    }

    /// <summary>Every variable an expression mentions (out arguments included).</summary>
    public static IEnumerable<Variable> Reads(Expr expr)
    {
        var stack = new Stack<Expr>();
        stack.Push(expr);
        while (stack.Count > 0)
        {
            IEnumerable<Expr> children = Children(stack.Pop(), out Variable? variable);
            foreach (Expr child in children)
            {
                stack.Push(child);
            }

            if (variable is not null)
            {
                yield return variable;
            }
        }
    }

    /// <summary>
    /// The operands through which derivatives flow: the floating operands of arithmetic and calls and
    /// the branches of a conditional, never a condition, a comparison or an integer operand.
    /// </summary>
    public static IEnumerable<Expr> DifferentiableOperands(Expr expr)
    {
        switch (expr)
        {
            case Unary u when u.Type.IsFloating:
                yield return u.Operand;
                break;
            case Binary b when b.Type.IsFloating:
                yield return b.Left;
                yield return b.Right;
                break;
            case Convert c when c.Type.IsFloating && c.Operand.Type.IsFloating:
                yield return c.Operand;
                break;
            case Conditional c when c.Type.HasFloating:
                yield return c.WhenTrue;
                yield return c.WhenFalse;
                break;
            case Call { Callee: Primitive { Function: MathFunction.NoDerivative } }:
                break; // a stop-gradient: nothing flows through it
            case Call call:
                foreach (Expr argument in call.Arguments)
                {
                    if (argument.Type.CarriesDerivative)
                    {
                        yield return argument;
                    }
                }

                break;
            case TupleExpr tuple:
                foreach (Expr element in tuple.Elements)
                {
                    if (element.Type.HasFloating)
                    {
                        yield return element;
                    }
                }

                break;
            case Element element when element.Type.IsFloating:
                yield return element.Tuple;
                break;
            case Load load when load.Type.CarriesDerivative:
                yield return load.Buffer;
                break;
        }
    }

    /// <summary>The variables whose derivatives flow into <paramref name="expr"/>'s value.</summary>
    public static IEnumerable<Variable> DifferentiableReads(Expr expr)
    {
        if (expr is Ref r)
        {
            if (r.Type.CarriesDerivative)
            {
                yield return r.Variable;
            }

            yield break;
        }

        foreach (Expr operand in DifferentiableOperands(expr))
        {
            foreach (Variable v in DifferentiableReads(operand))
            {
                yield return v;
            }
        }
    }

    private static IEnumerable<Expr> Children(Expr expr, out Variable? variable)
    {
        variable = null;
        switch (expr)
        {
            case Ref r:
                variable = r.Variable;
                return [];
            case OutArgument o:
                variable = o.Variable;
                return [];
            case Unary u:
                return [u.Operand];
            case Binary b:
                return [b.Left, b.Right];
            case Convert c:
                return [c.Operand];
            case Overflow o:
                return [o.Operand];
            case Conditional c:
                return [c.Condition, c.WhenTrue, c.WhenFalse];
            case Call call:
                return call.Callee is MethodCallee { Receiver: { } receiver }
                    ? [receiver, .. call.Arguments]
                    : call.Arguments;
            case TupleExpr tuple:
                return tuple.Elements;
            case Element element:
                return [element.Tuple];
            case FieldRead { Receiver: { } fieldReceiver }:
                return [fieldReceiver];
            case Load load:
                return [load.Buffer, load.Index];
            case Length length:
                return [length.Buffer];
            case Slice slice:
                return [slice.Buffer, slice.Start, slice.Count];
            case NewBuffer buffer:
                return [buffer.Count];
            case Restored restored:
                variable = restored.Tape;
                return [];
            case NameOf name:
                variable = name.Variable;
                return [];
            case New created:
                return created.Arguments;
            case Interpolated text:
                return text.Parts;
            case Hole hole:
                return [hole.Value];
            default:
                return [];
        }
    }
}
