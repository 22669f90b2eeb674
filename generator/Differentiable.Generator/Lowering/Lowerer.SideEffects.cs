using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Lowering;

/// <summary>
/// Assignments, compound assignments and increments used as values (<c>while (n-- != 0)</c>, <c>(++i) * t</c>,
/// <c>a = b = 3</c>, <c>x * (y = x)</c>, <c>s += (a[i] *= 5)</c>): the write is lowered as its own statement, just
/// before the statement that uses it, in the order C# evaluates them, and the value is what C# gives (the new value, or
/// the old one for a postfix increment). Inside the right operand of <c>&amp;&amp;</c> or <c>||</c>, or a branch of a
/// conditional that is a tree (an int or bool value), a write would not run on every path: it is reported.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>Where a write inside an integer or bool expression goes: the statements being lowered, or null (none may be).</summary>
    private List<Stmt>? treeEffects;

    /// <summary>True for an assignment, a compound assignment or an increment.</summary>
    private static bool IsWrite(IOperation operation) =>
        operation is IAssignmentOperation or IIncrementOrDecrementOperation;

    /// <summary>True when <paramref name="operation"/> writes a variable or an element somewhere inside.</summary>
    private static bool HasWrite(IOperation operation) => operation.DescendantsAndSelf().Any(IsWrite);

    /// <summary>
    /// A write used as a value: lowered into <paramref name="output"/> as a statement; the value it gives, read back.
    /// </summary>
    private Expr LowerWriteAsValue(IOperation write, Env env, List<Stmt> output)
    {
        IOperation target = write switch
        {
            IAssignmentOperation assignment => assignment.Target,
            IIncrementOrDecrementOperation step => step.Target,
            _ => write,
        };
        if (target is not (ILocalReferenceOperation or IParameterReferenceOperation) && !IsElementAccess(target))
        {
            return Unsupported(write, "This assignment used as a value");
        }

        // A postfix increment gives the value from before it.
        Expr? before = write is IIncrementOrDecrementOperation { IsPostfix: true } ? Current(target, env, output) : null;
        List<Stmt>? saved = treeEffects;
        treeEffects = output;
        (Expr Buffer, Expr Index)? element = IsElementAccess(target)
            ? LowerElementWrite(write, target, env, output, OriginOf(write))
            : null;
        if (!IsElementAccess(target))
        {
            LowerExpressionStatement(write, env, output);
        }

        treeEffects = saved;
        if (before is not null)
        {
            return before;
        }

        return element is var (buffer, index) ? Atom(new Load(buffer, index, TypeOf(target.Type!)!), output, OriginOf(write)) : Lookup(target, env);
    }

    /// <summary>The current value of a local or an element, as an atom (an element is loaded into a local).</summary>
    private Expr Current(IOperation target, Env env, List<Stmt> output)
    {
        if (!IsElementAccess(target))
        {
            return Lookup(target, env);
        }

        if (target is not ILocalReferenceOperation && HasWrite(target))
        {
            return Unsupported(target, "An element whose index has a side effect, used before and after an increment");
        }

        return LowerElementAccess(target, env) is var (buffer, index) ? Atom(new Load(buffer, index, TypeOf(target.Type!)!), output, OriginOf(target)) : Const.Zero(IrType.Double);
    }

    /// <summary>A value in a local of its own (an element read now, before a later write changes it).</summary>
    private Expr Atom(Expr value, List<Stmt> output, Origin origin)
    {
        if (value.IsAtom)
        {
            return value;
        }

        Variable local = names.Fresh("t", value.Type);
        output.Add(new Let(new VariableBinding(local), value, origin));
        return new Ref(local);
    }

    /// <summary>A write inside an integer or bool expression: into <see cref="treeEffects"/>, or reported where it cannot go.</summary>
    private Expr LowerWriteInTree(IOperation write, Env env) =>
        treeEffects is { } output
            ? LowerWriteAsValue(write, env, output)
            : Unsupported(write, "An assignment or increment where it would not run on every path (in the right operand of && or ||, or a branch of ?:)");
}
