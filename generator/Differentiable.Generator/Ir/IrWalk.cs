using System.Collections.Generic;
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
        switch (statement)
        {
            case Let let:
                foreach (Variable v in Targets(let.Target)) yield return v;
                foreach (Variable v in Reads(let.Value)) yield return v;
                break;
            case Assign assign:
                foreach (Variable v in Targets(assign.Target)) yield return v;
                foreach (Variable v in Reads(assign.Value)) yield return v;
                break;
            case Declare declare:
                yield return declare.Variable;
                break;
            case If branch:
                foreach (Variable v in Reads(branch.Condition)) yield return v;
                foreach (Variable v in Variables(branch.Then)) yield return v;
                foreach (Variable v in Variables(branch.Else)) yield return v;
                break;
            case Return { Value: { } value }:
                foreach (Variable v in Reads(value)) yield return v;
                break;
            case Evaluate evaluate:
                foreach (Variable v in Reads(evaluate.Value)) yield return v;
                break;
        }
    }

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
            case Call call when call.Type.HasFloating:
                foreach (Expr argument in call.Arguments)
                {
                    if (argument.Type.HasFloating)
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
        }
    }

    /// <summary>The variables whose derivatives flow into <paramref name="expr"/>'s value.</summary>
    public static IEnumerable<Variable> DifferentiableReads(Expr expr)
    {
        if (expr is Ref r)
        {
            if (r.Type.HasFloating)
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
            default:
                return [];
        }
    }
}
