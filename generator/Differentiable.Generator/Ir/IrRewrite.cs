using System;
using System.Linq;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Ir;

/// <summary>Rebuilds a block with every expression mapped bottom-up.</summary>
internal static class IrRewrite
{
    public static Block MapExpressions(Block block, Func<Expr, Expr> map) =>
        new(block.Statements.Select(s => MapStatement(s, map)).ToEquatableArray());

    private static Stmt MapStatement(Stmt statement, Func<Expr, Expr> map) => MapOwnExpressions(statement, map) switch
    {
        If branch => branch with { Then = MapExpressions(branch.Then, map), Else = MapExpressions(branch.Else, map) },
        For loop => loop with { Body = MapExpressions(loop.Body, map) },
        Loop loop => loop with { Body = MapExpressions(loop.Body, map) },
        TapeScope scope => scope with { Body = MapExpressions(scope.Body, map) },
        var mapped => mapped,
    };

    /// <summary>Maps the expressions a statement evaluates itself, not those of the blocks nested in it.</summary>
    public static Stmt MapOwnExpressions(Stmt statement, Func<Expr, Expr> map) => statement switch
    {
        Let let => let with { Value = MapExpression(let.Value, map) },
        Assign assign => assign with { Value = MapExpression(assign.Value, map) },
        If branch => branch with { Condition = MapExpression(branch.Condition, map) },
        Return { Value: { } value } ret => ret with { Value = MapExpression(value, map) },
        Throw thrown => thrown with { Exception = MapExpression(thrown.Exception, map) },
        Evaluate evaluate => evaluate with { Value = MapExpression(evaluate.Value, map) },
        Store store => store with
        {
            Buffer = MapExpression(store.Buffer, map),
            Index = MapExpression(store.Index, map),
            Value = MapExpression(store.Value, map),
        },
        For loop => loop with { From = MapExpression(loop.From, map), Bound = MapExpression(loop.Bound, map) },
        Save save => save with { Value = MapExpression(save.Value, map) },
        Reload reload => reload with { Buffer = MapExpression(reload.Buffer, map) },
        _ => statement,
    };

    public static Expr MapExpression(Expr expr, Func<Expr, Expr> map)
    {
        Expr M(Expr e) => MapExpression(e, map);
        Expr rebuilt = expr switch
        {
            Unary u => u with { Operand = M(u.Operand) },
            Binary b => b with { Left = M(b.Left), Right = M(b.Right) },
            Convert c => c with { Operand = M(c.Operand) },
            Overflow o => o with { Operand = M(o.Operand) },
            Conditional c => c with { Condition = M(c.Condition), WhenTrue = M(c.WhenTrue), WhenFalse = M(c.WhenFalse) },
            Call call => call with { Arguments = call.Arguments.Select(M).ToEquatableArray() },
            TupleExpr tuple => tuple with { Elements = tuple.Elements.Select(M).ToEquatableArray() },
            Element element => element with { Tuple = M(element.Tuple) },
            Load load => load with { Buffer = M(load.Buffer), Index = M(load.Index) },
            Length length => length with { Buffer = M(length.Buffer) },
            Slice slice => slice with { Buffer = M(slice.Buffer), Start = M(slice.Start), Count = M(slice.Count) },
            NewBuffer buffer => buffer with { Count = M(buffer.Count) },
            New created => created with { Arguments = created.Arguments.Select(M).ToEquatableArray() },
            Interpolated text => text with { Parts = text.Parts.Select(M).ToEquatableArray() },
            Hole hole => hole with { Value = M(hole.Value) },
            _ => expr,
        };
        return map(rebuilt);
    }
}
