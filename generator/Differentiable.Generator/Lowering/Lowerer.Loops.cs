using System;
using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Lowering;

/// <summary>
/// Loops. A local assigned inside a loop and defined before it is <em>carried</em>: it gets a header variable, which
/// the body reads and which is assigned at the end of every iteration (and at every <c>continue</c>). A loop with a
/// <c>break</c> also gets an exit variable per carried local, assigned wherever the loop ends. A <c>for</c> loop over
/// an int index with a fixed bound and step ±1, and a <c>foreach</c> over an array or span, become a counted
/// <see cref="For"/>; every other loop (a <c>foreach</c> with a <c>break</c> or a <c>return</c> too, over an index of its
/// own) becomes a general <see cref="Loop"/> whose paths end in <see cref="Break"/>.
/// </summary>
internal sealed partial class Lowerer
{
    private readonly Stack<LoopContext> loops = new();

    private void LowerLoop(ILoopOperation loop, Env env, List<Stmt> output)
    {
        switch (loop)
        {
            case IForLoopOperation forLoop when CountedShape(forLoop) is { } shape:
                LowerCounted(loop, shape.Index, LowerTree(shape.From, env), shape.Compare, LowerTree(shape.Bound, env), shape.Step, null, env, output);
                break;
            case IForLoopOperation forLoop:
                LowerStatements(forLoop.Before, 0, null, env, output);
                LowerGeneralLoop(loop, forLoop.Condition, conditionAtTop: true, forLoop.AtLoopBottom, env, output);
                break;
            case IWhileLoopOperation { ConditionIsUntil: false } whileLoop:
                LowerGeneralLoop(loop, whileLoop.Condition, whileLoop.ConditionIsTop, [], env, output);
                break;
            case IForEachLoopOperation forEach:
                LowerForEach(forEach, env, output);
                break;
            default:
                Unsupported(loop, "This loop");
                break;
        }
    }

    // ------------------------------------------------------------ counted loops

    private sealed record Counted(ILocalSymbol Index, IOperation From, BinaryOp Compare, IOperation Bound, int Step);

    /// <summary>
    /// <c>for (int i = from; i &lt; bound; i++)</c> and its variants (&lt;=, &gt;, &gt;=, i--, i += 1): the body does not
    /// assign i or anything the bound reads, and has no break. Null for any other shape.
    /// </summary>
    private Counted? CountedShape(IForLoopOperation loop)
    {
        if (loop.Before.Length != 1
            || loop.Before[0] is not IVariableDeclarationGroupOperation { Declarations.Length: 1 } group
            || group.Declarations[0].Declarators.Length != 1
            || group.Declarations[0].Declarators[0] is not { Symbol: { Type.SpecialType: SpecialType.System_Int32 } index } declarator
            || declarator.GetVariableInitializer()?.Value is not { } from
            || loop.Condition is not IBinaryOperation { OperatorMethod: null } condition
            || HasWrite(condition)
            || loop.AtLoopBottom.Length != 1
            || loop.AtLoopBottom[0] is not IExpressionStatementOperation { Operation: var increment })
        {
            return null;
        }

        bool IsIndex(IOperation operation) => operation is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, index);

        BinaryOp? compare = condition.OperatorKind switch
        {
            BinaryOperatorKind.LessThan => BinaryOp.Less,
            BinaryOperatorKind.LessThanOrEqual => BinaryOp.LessOrEqual,
            BinaryOperatorKind.GreaterThan => BinaryOp.Greater,
            BinaryOperatorKind.GreaterThanOrEqual => BinaryOp.GreaterOrEqual,
            _ => null,
        };
        IOperation bound;
        if (compare is null)
        {
            return null;
        }
        else if (IsIndex(condition.LeftOperand))
        {
            bound = condition.RightOperand;
        }
        else if (IsIndex(condition.RightOperand))
        {
            bound = condition.LeftOperand;
            compare = compare switch
            {
                BinaryOp.Less => BinaryOp.Greater,
                BinaryOp.LessOrEqual => BinaryOp.GreaterOrEqual,
                BinaryOp.Greater => BinaryOp.Less,
                _ => BinaryOp.LessOrEqual,
            };
        }
        else
        {
            return null;
        }

        int step = increment switch
        {
            IIncrementOrDecrementOperation { Target: var target } unit when IsIndex(target) => unit.Kind == OperationKind.Increment ? 1 : -1,
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract, Value.ConstantValue: { HasValue: true, Value: 1 } } unit
                when IsIndex(unit.Target) => unit.OperatorKind == BinaryOperatorKind.Add ? 1 : -1,
            _ => 0,
        };
        bool ascending = compare is BinaryOp.Less or BinaryOp.LessOrEqual;
        if (step == 0 || ascending != (step > 0))
        {
            return null;
        }

        var assigned = AssignedSymbols(loop.Body);
        bool boundChanges = bound.DescendantsAndSelf().Any(o =>
            o is IInvocationOperation
            || o is ILocalReferenceOperation local && assigned.Contains(local.Local)
            || o is IParameterReferenceOperation parameter && assigned.Contains(parameter.Parameter));
        if (assigned.Contains(index) || boundChanges || HasBreak(loop) || ContainsReturn(loop))
        {
            return null;
        }

        return new Counted(index, from, compare.Value, bound, step);
    }

    /// <summary>Lowers a counted loop; <paramref name="element"/> binds a foreach variable to the current element.</summary>
    private void LowerCounted(ILoopOperation loop, ISymbol indexSymbol, Expr from, BinaryOp compare, Expr bound, int step, Action<Variable, Env, List<Stmt>>? element, Env env, List<Stmt> output)
    {
        Origin origin = OriginOf(loop);
        var carried = CarriedVariables(loop, env, output, origin);
        Variable index = indexSymbol is ILocalSymbol ? NextVersion(indexSymbol, IrType.Int) : names.Fresh("index", IrType.Int);
        Env bodyEnv = env.Clone();
        if (indexSymbol is ILocalSymbol)
        {
            bodyEnv[indexSymbol] = new Ref(index);
        }

        var body = new List<Stmt>();
        element?.Invoke(index, bodyEnv, body);
        void EndIteration(Env end, List<Stmt> statements) => AssignCarried(carried, end, statements, origin);
        loops.Push(new LoopContext(loop.ExitLabel, loop.ContinueLabel, EndIteration, Exit: null));
        LowerStatements([loop.Body], 0, new Continuation([], 0, null, EndIteration), bodyEnv, body);
        loops.Pop();
        output.Add(new For(index, from, compare, bound, step, ToBlock(body), origin));
    }

    private void LowerForEach(IForEachLoopOperation loop, Env env, List<Stmt> output)
    {
        IOperation collection = loop.Collection is IConversionOperation { Operand.Type: { } operandType } conversion && TypeOf(operandType) is { IsBuffer: true }
            ? conversion.Operand
            : loop.Collection;
        if (collection.Type is null || TypeOf(collection.Type) is not { IsBuffer: true } collectionType
            || loop.LoopControlVariable is not IVariableDeclaratorOperation { Symbol: var variable })
        {
            Unsupported(loop, "A foreach over anything but an array or a span");
            return;
        }

        Expr buffer = RangeParts(collection) is not null ? RangeCopy(collection, collectionType.ElementType, env, output) : LowerBuffer(collection, env);
        IrType elementType = collectionType.ElementType;
        void Element(Variable index, Env bodyEnv, List<Stmt> body)
        {
            if (variable.RefKind != RefKind.None)
            {
                DefineElementAlias(variable, buffer, index); // foreach (ref double e in span): e is span[index]
                return;
            }

            var load = new Load(buffer, new Ref(index), elementType);
            if (elementType.IsBuffer)
            {
                bodyEnv[variable] = load; // a row of a jagged array: a name for it, not a copy
                return;
            }

            Variable current = NextVersion(variable, elementType);
            body.Add(new Let(new VariableBinding(current), load, OriginOf(loop)));
            bodyEnv[variable] = new Ref(current);
        }

        if (HasBreak(loop) || ContainsReturn(loop))
        {
            // A break or a return ends it early: a general loop over an index, as for (int i = 0; i < a.Length; i++) is.
            LowerGeneralLoop(loop, null, conditionAtTop: true, [], env, output, new ForEachIndex(new Length(buffer), Element));
            return;
        }

        LowerCounted(loop, loop.Collection.Type!, Const.Zero(IrType.Int), BinaryOp.Less, new Length(buffer), 1, Element, env, output);
    }

    /// <summary>
    /// The index of a <c>foreach</c> lowered as a general loop: it runs from 0 while below <see cref="Length"/>, and
    /// <see cref="Element"/> binds the loop variable at the top of each iteration.
    /// </summary>
    private sealed record ForEachIndex(Expr Length, Action<Variable, Env, List<Stmt>> Element);

    // ------------------------------------------------------------ general loops

    /// <summary>
    /// while, do and for loops of any other shape: the body runs until a <see cref="Break"/>. The test at the top (or,
    /// for a do loop, at the bottom) leaves the loop when false; a <c>break</c> leaves it where it is.
    /// </summary>
    private void LowerGeneralLoop(ILoopOperation loop, IOperation? condition, bool conditionAtTop, IReadOnlyList<IOperation> atBottom, Env env, List<Stmt> output, ForEachIndex? forEach = null)
    {
        Origin origin = OriginOf(loop);
        if (condition is { ConstantValue: { HasValue: true, Value: true } })
        {
            condition = null; // while (true) and do … while (true) leave only by break: no test (its else would be unreachable)
        }

        var carried = CarriedVariables(loop, env, output, origin);
        var exits = new List<(ISymbol Symbol, Variable Exit)>();

        // Where the loop ends somewhere other than after its carried assignments (a break, or a test that writes, as in
        // while (n-- > 0), whose last write happens as it ends), each carried local leaves through an exit variable.
        if (HasBreak(loop) || condition is not null && HasWrite(condition))
        {
            foreach ((ISymbol symbol, Variable header) in carried)
            {
                Variable exit = NextVersion(symbol, header.Type);
                output.Add(new Declare(exit, origin));
                exits.Add((symbol, exit));
            }
        }

        // A foreach's index is carried too, under the loop's own continue label (a symbol no local can be): it counts from
        // 0 and goes up by one at the end of every iteration. Nothing reads it after the loop, so it has no exit variable.
        ISymbol indexKey = loop.ContinueLabel;
        if (forEach is not null)
        {
            Variable index = names.Fresh("index", IrType.Int);
            output.Add(new Let(new VariableBinding(index), Const.Zero(IrType.Int), origin));
            env[indexKey] = new Ref(index);
            carried.Add((indexKey, index));
        }

        void Exit(Env end, List<Stmt> statements)
        {
            foreach ((ISymbol symbol, Variable exit) in exits)
            {
                statements.Add(new Assign(new VariableBinding(exit), end[symbol], origin));
            }

            statements.Add(new Break(origin));
        }

        void EndIteration(Env end, List<Stmt> statements)
        {
            LowerStatements(atBottom, 0, null, end, statements);
            if (forEach is not null)
            {
                end[indexKey] = Build.Add(end[indexKey], Const.One(IrType.Int));
            }

            AssignCarried(carried, end, statements, origin);
        }

        // A do loop's continue goes to its test; the test comes after the carried assignments, which leave the new
        // values in the header variables for it to read.
        void TestAtBottom(Env end, List<Stmt> statements)
        {
            List<Stmt>? saved = treeEffects;
            treeEffects = statements;
            Expr test;
            if (HasWrite(condition!))
            {
                // A test that writes (while (k++ < n)) runs before the carried assignments, which carry its writes.
                test = LowerTree(condition!, end);
                EndIteration(end, statements);
            }
            else
            {
                // After the carried assignments the headers hold the new values: the test reads them, so that it can be
                // written as the loop's own condition, outside the body's scope.
                EndIteration(end, statements);
                Env afterward = end.Clone();
                foreach ((ISymbol symbol, Variable header) in carried)
                {
                    afterward[symbol] = new Ref(header);
                }

                test = LowerTree(condition!, afterward);
            }

            treeEffects = saved;
            var leave = new List<Stmt>();
            Exit(end, leave);
            statements.Add(new If(test, Block.Empty, ToBlock(leave), OriginOf(condition!)));
        }

        Action<Env, List<Stmt>> next = condition is not null && !conditionAtTop ? TestAtBottom : EndIteration;
        loops.Push(new LoopContext(loop.ExitLabel, loop.ContinueLabel, next, Exit));
        Env bodyEnv = env.Clone();
        var body = new List<Stmt>();
        var endOfBody = new Continuation([], 0, null, next);
        if (condition is not null && conditionAtTop)
        {
            List<Stmt>? saved = treeEffects;
            treeEffects = body; // a test that writes (while (n-- > 0)) does so in every iteration, before the test
            Expr test = LowerTree(condition, bodyEnv);
            treeEffects = saved;
            var then = new List<Stmt>();
            LowerStatements([loop.Body], 0, endOfBody, bodyEnv.Clone(), then);
            var leave = new List<Stmt>();
            Exit(bodyEnv, leave);
            body.Add(new If(test, ToBlock(then), ToBlock(leave), OriginOf(condition)));
        }
        else if (forEach is not null)
        {
            var then = new List<Stmt>();
            Env thenEnv = bodyEnv.Clone();
            forEach.Element(((Ref)bodyEnv[indexKey]).Variable, thenEnv, then);
            LowerStatements([loop.Body], 0, endOfBody, thenEnv, then);
            var leave = new List<Stmt>();
            Exit(bodyEnv, leave);
            body.Add(new If(Build.Compare(BinaryOp.Less, bodyEnv[indexKey], forEach.Length), ToBlock(then), ToBlock(leave), origin));
        }
        else
        {
            LowerStatements([loop.Body], 0, endOfBody, bodyEnv, body);
        }

        loops.Pop();
        output.Add(new Loop(ToBlock(body), origin));
        foreach ((ISymbol symbol, Variable exit) in exits)
        {
            env[symbol] = new Ref(exit);
        }
    }

    private void LowerJump(IBranchOperation jump, Env env, List<Stmt> output)
    {
        LoopContext? context = loops.FirstOrDefault(c =>
            SymbolEqualityComparer.Default.Equals(c.ExitLabel, jump.Target) || SymbolEqualityComparer.Default.Equals(c.ContinueLabel, jump.Target));
        if (context is null || (jump.BranchKind == BranchKind.Break ? context.Exit : context.Next) is not { } target)
        {
            Unsupported(jump, jump.BranchKind == BranchKind.Break ? "This break" : "This continue");
            return;
        }

        target(env, output);
    }

    // ------------------------------------------------------------ returns inside loops

    /// <summary>
    /// The flag and value of a <c>return</c> inside a loop: the return sets them and leaves its loop; after each loop of
    /// the nest, a set flag leaves the loop around it, and after the outermost one, returns the value.
    /// </summary>
    private sealed record ReturnContext(Variable Returned, Variable? Value);

    private readonly Stack<ReturnContext> returnContexts = new();

    /// <summary>True when a <c>return</c> of this method is inside <paramref name="operation"/> (not in a lambda or local function).</summary>
    private static bool ContainsReturn(IOperation operation) =>
        operation.Descendants().Any(d => d is IReturnOperation && !Enclosing(d, operation).Any(a => a is IAnonymousFunctionOperation or ILocalFunctionOperation));

    /// <summary>The operations around <paramref name="operation"/>, up to (not including) <paramref name="root"/>.</summary>
    private static IEnumerable<IOperation> Enclosing(IOperation operation, IOperation root)
    {
        for (IOperation? parent = operation.Parent; parent is not null && parent != root; parent = parent.Parent)
        {
            yield return parent;
        }
    }

    /// <summary>
    /// A loop with a <c>return</c> inside, then the rest of the block: <c>if (returned) { return value; }</c> (or, for a
    /// loop nested in another, leave that one too) <c>else { …the rest… }</c>.
    /// </summary>
    private void LowerReturningLoop(ILoopOperation loop, Continuation rest, Env env, List<Stmt> output)
    {
        Origin origin = OriginOf(loop);
        bool outermost = returnContexts.Count == 0;
        if (outermost)
        {
            IrType resultType = method.ReturnsVoid ? IrType.Void : TypeOf(method.ReturnType)!;
            if (resultType.Kind == ValueKind.Tuple || resultType.IsBuffer)
            {
                Unsupported(loop, "A return of a tuple or an array inside a loop (break out of the loop, then return)");
                return;
            }

            Variable returned = names.Fresh("returned", IrType.Bool);
            Variable? value = resultType.Kind == ValueKind.Void ? null : names.Fresh("returnValue", resultType);
            output.Add(new Declare(returned, origin));
            if (value is not null)
            {
                output.Add(new Declare(value, origin));
            }

            returnContexts.Push(new ReturnContext(returned, value));
        }

        ReturnContext context = returnContexts.Peek();
        LowerLoop(loop, env, output);
        if (outermost)
        {
            returnContexts.Pop();
        }

        if (failed)
        {
            return;
        }

        var then = new List<Stmt>();
        if (outermost)
        {
            WriteBack(env, then);
            then.Add(new Return(context.Value is null ? null : new Ref(context.Value), origin));
        }
        else
        {
            LeaveInnermostLoop(env.Clone(), then);
        }

        var otherwise = new List<Stmt>();
        LowerStatements(rest.Operations, rest.Index, rest.Next, env.Clone(), otherwise);
        output.Add(new If(new Ref(context.Returned), ToBlock(then), ToBlock(otherwise), origin));
    }

    /// <summary>A <c>return</c> inside a loop: the value and the flag are set, and the innermost loop is left.</summary>
    private void LowerReturnInLoop(IReturnOperation ret, Env env, List<Stmt> output)
    {
        ReturnContext context = returnContexts.Peek();
        Origin origin = OriginOf(ret);
        if (ret.ReturnedValue is { } returned && context.Value is { } slot)
        {
            Expr value = LowerValue(returned, env, output);
            output.Add(new Assign(new VariableBinding(slot), Build.ConvertTo(slot.Type, value), origin));
        }

        output.Add(new Assign(new VariableBinding(context.Returned), Const.True, origin));
        LeaveInnermostLoop(env, output);
    }

    /// <summary>Leaves the innermost loop (not a switch), as its break does.</summary>
    private void LeaveInnermostLoop(Env env, List<Stmt> output)
    {
        if (loops.FirstOrDefault(c => c.ContinueLabel is not null) is { Exit: { } exit })
        {
            exit(env, output);
        }
        else
        {
            failed = true; // not reached: a loop with a return is lowered as a general loop, which has an exit
        }
    }

    // ------------------------------------------------------------ carried variables

    /// <summary>
    /// The header variables of the locals a loop assigns that are defined before it. A local's current version
    /// serves as the header when nothing else refers to it; otherwise the header is a copy.
    /// </summary>
    private List<(ISymbol Symbol, Variable Header)> CarriedVariables(ILoopOperation loop, Env env, List<Stmt> output, Origin origin)
    {
        var carried = new List<(ISymbol, Variable)>();
        var symbols = AssignedSymbols(loop).Where(env.ContainsKey)
            .OrderBy(s => s.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0).ThenBy(s => s.Name, StringComparer.Ordinal);
        foreach (ISymbol symbol in symbols)
        {
            Expr initial = env[symbol];
            if (initial.Type.IsBuffer)
            {
                continue; // reassigning a buffer is reported where it happens
            }

            if (initial is TupleExpr)
            {
                Unsupported(loop, $"Assigning the tuple '{symbol.Name}' inside a loop");
                continue;
            }

            Variable header;
            if (initial is Ref { Variable: var current }
                && owners.TryGetValue(current, out ISymbol? owner) && SymbolEqualityComparer.Default.Equals(owner, symbol)
                && !env.Any(e => !SymbolEqualityComparer.Default.Equals(e.Key, symbol) && IrWalk.Reads(e.Value).Contains(current)))
            {
                header = current;
            }
            else
            {
                header = NextVersion(symbol, initial.Type);
                output.Add(new Let(new VariableBinding(header), initial, origin));
            }

            env[symbol] = new Ref(header);
            carried.Add((symbol, header));
        }

        return carried;
    }

    /// <summary>The end of an iteration: each carried local's header takes its current value.</summary>
    private static void AssignCarried(List<(ISymbol Symbol, Variable Header)> carried, Env env, List<Stmt> output, Origin origin)
    {
        foreach ((ISymbol symbol, Variable header) in carried)
        {
            Expr value = env[symbol];
            if (!value.Equals(new Ref(header)))
            {
                output.Add(new Assign(new VariableBinding(header), Build.ConvertTo(header.Type, value), origin));
            }
        }
    }

    /// <summary>Locals and parameters assigned anywhere in <paramref name="root"/>.</summary>
    private HashSet<ISymbol> AssignedSymbols(IOperation root)
    {
        var assigned = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        void Add(IOperation target)
        {
            switch (target)
            {
                case ILocalReferenceOperation or IParameterReferenceOperation:
                    assigned.Add(SymbolOf(target)); // through a ref local, what it names
                    break;
                case IDeclarationExpressionOperation declaration:
                    Add(declaration.Expression);
                    break;
                case ITupleOperation tuple:
                    foreach (IOperation element in tuple.Elements)
                    {
                        Add(element);
                    }

                    break;
            }
        }

        foreach (IOperation operation in root.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IAssignmentOperation assignment:
                    Add(assignment.Target);
                    break;
                case IIncrementOrDecrementOperation step:
                    Add(step.Target);
                    break;
                case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref } argument:
                    Add(argument.Value);
                    break;
            }
        }

        return assigned;
    }

    /// <summary>True when a break leaves <paramref name="loop"/> itself (not a loop nested in it).</summary>
    private static bool HasBreak(ILoopOperation loop) =>
        loop.Body.DescendantsAndSelf().OfType<IBranchOperation>().Any(b => SymbolEqualityComparer.Default.Equals(b.Target, loop.ExitLabel));

    /// <summary>
    /// The loop (or switch) a break or continue refers to, by its labels: <see cref="Next"/> ends the iteration (a continue;
    /// null for a switch), <see cref="Exit"/> leaves the loop or switch (a break; null for a counted loop, which has none).
    /// </summary>
    private sealed record LoopContext(ILabelSymbol ExitLabel, ILabelSymbol? ContinueLabel, Action<Env, List<Stmt>>? Next, Action<Env, List<Stmt>>? Exit);
}
