using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Analysis;

/// <summary>
/// Puts a function into the form the transforms take: the floating operands of every floating
/// operation become atoms (nested operations move into temporaries <c>t0</c>, <c>t1</c>…), and no
/// assignment reads its own target. Lowering already produces this form; a transform's output
/// (derivative expressions are trees) goes through here before the next transform.
/// </summary>
internal static class Flatten
{
    public static IrFunction Apply(IrFunction function)
    {
        NameScope names = NameScope.Of(function);
        return function with { Body = FlattenBlock(function.Body, names) };
    }

    private static Block FlattenBlock(Block block, NameScope names)
    {
        var output = new List<Stmt>();
        foreach (Stmt statement in block.Statements)
        {
            switch (statement)
            {
                case Let let:
                    output.Add(let with { Value = Root(let.Value, output, names, let.Origin) });
                    break;
                case Assign assign:
                {
                    Expr value = Root(assign.Value, output, names, assign.Origin);
                    var targets = IrWalk.Targets(assign.Target).ToList();
                    if (!value.IsAtom && IrWalk.Reads(value).Any(targets.Contains))
                    {
                        // v = f(v, …) becomes t = f(v, …); v = t, so rules that read operands see the old v.
                        Variable temporary = names.Fresh("t", value.Type);
                        output.Add(new Let(new VariableBinding(temporary), value, assign.Origin));
                        value = new Ref(temporary);
                    }

                    output.Add(assign with { Value = value });
                    break;
                }

                case If branch:
                    output.Add(branch with { Then = FlattenBlock(branch.Then, names), Else = FlattenBlock(branch.Else, names) });
                    break;
                case Return { Value: { } value } ret:
                    output.Add(ret with { Value = value is TupleExpr ? Root(value, output, names, ret.Origin) : Atomize(value, output, names, ret.Origin) });
                    break;
                case Evaluate evaluate:
                    output.Add(evaluate with { Value = Root(evaluate.Value, output, names, evaluate.Origin) });
                    break;
                case Store store:
                    output.Add(store with { Value = store.Value.Type.HasFloating ? Atomize(store.Value, output, names, store.Origin) : store.Value });
                    break;
                case For loop:
                    output.Add(loop with { Body = FlattenBlock(loop.Body, names) });
                    break;
                case Loop loop:
                    output.Add(loop with { Body = FlattenBlock(loop.Body, names) });
                    break;
                case TapeScope scope:
                    output.Add(scope with { Body = FlattenBlock(scope.Body, names) });
                    break;
                case Save save:
                    output.Add(save with { Value = save.Value.Type.HasFloating ? Atomize(save.Value, output, names, save.Origin) : save.Value });
                    break;
                default:
                    output.Add(statement);
                    break;
            }
        }

        return new Block(output.ToEquatableArray());
    }

    /// <summary>Keeps the root operation and makes its floating operands atoms.</summary>
    private static Expr Root(Expr expr, List<Stmt> output, NameScope names, Origin? origin)
    {
        if (!expr.Type.HasFloating && expr is not Call)
        {
            return expr; // bool and integer trees carry no derivative
        }

        Expr Operand(Expr e) => e.Type.HasFloating ? Atomize(e, output, names, origin) : e;

        return expr switch
        {
            Unary u => u with { Operand = Operand(u.Operand) },
            Binary b => b with { Left = Operand(b.Left), Right = Operand(b.Right) },
            Convert c => c with { Operand = Operand(c.Operand) },
            Conditional c => c with { WhenTrue = Operand(c.WhenTrue), WhenFalse = Operand(c.WhenFalse) },
            Call call => call with { Arguments = call.Arguments.Select(a => a is OutArgument ? a : Operand(a)).ToEquatableArray() },
            TupleExpr tuple => tuple with { Elements = tuple.Elements.Select(Operand).ToEquatableArray() },
            Element element => element with { Tuple = Operand(element.Tuple) },
            _ => expr,
        };
    }

    private static Expr Atomize(Expr expr, List<Stmt> output, NameScope names, Origin? origin)
    {
        if (expr.IsAtom || expr is OutArgument or DefaultValue or FieldRead or This or Restored)
        {
            return expr;
        }

        Expr root = Root(expr, output, names, origin);
        Variable temporary = names.Fresh("t", expr.Type);
        output.Add(new Let(new VariableBinding(temporary), root, origin));
        return new Ref(temporary);
    }
}
