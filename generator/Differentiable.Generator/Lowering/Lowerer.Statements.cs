using System;
using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Lowering;

/// <summary>Statements: locals, assignments, branches and returns.</summary>
internal sealed partial class Lowerer
{
    /// <summary>
    /// Lowers <paramref name="operations"/> from <paramref name="index"/> on, then the continuation.
    /// Stops at a return: what follows it on this path is unreachable.
    /// </summary>
    private void LowerStatements(IReadOnlyList<IOperation> operations, int index, Continuation? continuation, Env env, List<Stmt> output)
    {
        List<Stmt>? saved = treeEffects;
        treeEffects = output; // writes inside a statement's conditions and indices go just before it
        try
        {
            LowerStatementsWithEffects(operations, index, continuation, env, output);
        }
        finally
        {
            treeEffects = saved;
        }
    }

    private void LowerStatementsWithEffects(IReadOnlyList<IOperation> operations, int index, Continuation? continuation, Env env, List<Stmt> output)
    {
        for (int i = index; i < operations.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IOperation operation = operations[i];
            switch (operation)
            {
                case IReturnOperation ret when returnContexts.Count > 0:
                    LowerReturnInLoop(ret, env, output);
                    return;
                case IReturnOperation ret:
                    LowerReturn(ret, env, output);
                    return;
                case IThrowOperation thrown:
                    LowerThrow(thrown, env, output);
                    return;
                case IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue } jump:
                    LowerJump(jump, env, output);
                    return;
                case IConditionalOperation { Type: null } branch when ContainsJump(branch):
                {
                    // The rest of the block continues in whichever branch falls through.
                    var rest = new Continuation(operations, i + 1, continuation);
                    Expr condition = LowerTree(branch.Condition, env);
                    var then = new List<Stmt>();
                    var otherwise = new List<Stmt>();
                    branchDepth++;
                    LowerStatements([branch.WhenTrue], 0, rest, env.Clone(), then);
                    LowerStatements(branch.WhenFalse is null ? [] : [branch.WhenFalse], 0, rest, env.Clone(), otherwise);
                    branchDepth--;
                    output.Add(new If(condition, ToBlock(then), ToBlock(otherwise), OriginOf(branch.Condition)));
                    return;
                }

                case IConditionalOperation { Type: null } branch:
                    LowerMergingIf(branch, env, output);
                    break;
                case IBlockOperation block when ContainsJump(block):
                    LowerStatements(block.Operations, 0, new Continuation(operations, i + 1, continuation), env, output);
                    return;
                case IBlockOperation block:
                    LowerStatements(block.Operations, 0, null, env, output);
                    break;
                case ILoopOperation loop when ContainsReturn(loop):
                    LowerReturningLoop(loop, new Continuation(operations, i + 1, continuation), env, output);
                    return;
                case ILoopOperation loop:
                    LowerLoop(loop, env, output);
                    break;
                case ISwitchOperation switchOperation:
                    if (LowerSwitch(switchOperation, new Continuation(operations, i + 1, continuation), env, output))
                    {
                        return; // its sections carried the rest of the block
                    }

                    break;
                default:
                    LowerSimpleStatement(operation, env, output);
                    break;
            }

            if (failed)
            {
                return;
            }
        }

        if (continuation?.Finish is { } finish)
        {
            finish(env, output);
        }
        else if (continuation is not null)
        {
            LowerStatements(continuation.Operations, continuation.Index, continuation.Next, env, output);
        }
    }

    /// <summary>
    /// True when <paramref name="operation"/> can leave its path early: a return, or a break or continue of a loop
    /// around it. The statements after it then continue only in the paths that fall through.
    /// </summary>
    private static bool ContainsJump(IOperation operation)
    {
        var inner = new HashSet<ILabelSymbol>(SymbolEqualityComparer.Default);
        foreach (ILoopOperation loop in operation.DescendantsAndSelf().OfType<ILoopOperation>())
        {
            inner.Add(loop.ExitLabel);
            inner.Add(loop.ContinueLabel);
        }

        foreach (ISwitchOperation inside in operation.DescendantsAndSelf().OfType<ISwitchOperation>())
        {
            inner.Add(inside.ExitLabel); // a switch's own breaks end its sections
        }

        return operation.DescendantsAndSelf().Any(d => d is IReturnOperation or IThrowOperation
            || d is IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue } jump && !inner.Contains(jump.Target));
    }

    private static Block ToBlock(List<Stmt> statements) => new(statements.ToEquatableArray());

    private void LowerReturn(IReturnOperation ret, Env env, List<Stmt> output)
    {
        if (ret.ReturnedValue is null)
        {
            WriteBack(env, output);
            output.Add(new Return(null, OriginOf(ret)));
            return;
        }

        Expr value = LowerValue(ret.ReturnedValue, env, output);
        if (value.Type.IsBuffer && !(value is Ref { Variable: var array } && createdArrays.Contains(array)))
        {
            Unsupported(ret.ReturnedValue, "Returning an array this method did not create with 'new'");
            return;
        }

        if (!value.IsAtom && value is not TupleExpr && value.Type.HasFloating)
        {
            Variable result = names.Fresh("result", value.Type);
            output.Add(new Let(new VariableBinding(result), value, OriginOf(ret)));
            value = new Ref(result);
        }

        WriteBack(env, output);
        output.Add(new Return(value, OriginOf(ret)));
    }

    /// <summary>
    /// An <c>if</c> with no return inside: both branches are lowered on copies of the environment,
    /// and every local they leave with different values gets a merge variable.
    /// </summary>
    private void LowerMergingIf(IConditionalOperation branch, Env env, List<Stmt> output) =>
        LowerMergingBranches(
            LowerTree(branch.Condition, env),
            OriginOf(branch.Condition),
            (thenEnv, then) => LowerStatements([branch.WhenTrue], 0, null, thenEnv, then),
            (elseEnv, otherwise) => LowerStatements(branch.WhenFalse is null ? [] : [branch.WhenFalse], 0, null, elseEnv, otherwise),
            env,
            output);

    /// <summary>
    /// Two alternatives that both continue after them: each is lowered on a copy of the environment, and every local they
    /// leave with different values gets a merge variable, declared before the <c>if</c> and assigned at the end of each.
    /// </summary>
    private void LowerMergingBranches(Expr condition, Origin origin, Action<Env, List<Stmt>> lowerThen, Action<Env, List<Stmt>> lowerElse, Env env, List<Stmt> output)
    {
        Env thenEnv = env.Clone(), elseEnv = env.Clone();
        var then = new List<Stmt>();
        var otherwise = new List<Stmt>();
        branchDepth++;
        lowerThen(thenEnv, then);
        lowerElse(elseEnv, otherwise);
        branchDepth--;

        var candidates = env.Keys.Concat(thenEnv.Keys.Where(elseEnv.ContainsKey)).Distinct(SymbolEqualityComparer.Default).ToList();
        foreach (ISymbol symbol in candidates)
        {
            Expr whenTrue = thenEnv[symbol], whenFalse = elseEnv[symbol];
            env[symbol] = Merge(symbol, whenTrue, whenFalse, output, then, otherwise, origin);
        }

        output.Add(new If(condition, ToBlock(then), ToBlock(otherwise), origin));
    }

    private Expr Merge(ISymbol symbol, Expr whenTrue, Expr whenFalse, List<Stmt> before, List<Stmt> then, List<Stmt> otherwise, Origin origin)
    {
        if (whenTrue.Equals(whenFalse))
        {
            return whenTrue;
        }

        if (whenTrue is TupleExpr trueTuple && whenFalse is TupleExpr falseTuple)
        {
            var elements = trueTuple.Elements.Select((e, i) => Merge(symbol, e, falseTuple.Elements[i], before, then, otherwise, origin));
            return trueTuple with { Elements = elements.ToEquatableArray() };
        }

        Variable merged = NextVersion(symbol, whenTrue.Type);
        before.Add(new Declare(merged, origin));
        then.Add(new Assign(new VariableBinding(merged), whenTrue, origin));
        otherwise.Add(new Assign(new VariableBinding(merged), whenFalse, origin));
        return new Ref(merged);
    }

    private void LowerSimpleStatement(IOperation operation, Env env, List<Stmt> output)
    {
        switch (operation)
        {
            case IVariableDeclarationGroupOperation group:
                foreach (IVariableDeclarationOperation declaration in group.Declarations)
                {
                    foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                    {
                        IVariableInitializerOperation? initializer = declarator.GetVariableInitializer();
                        if (declarator.Symbol.RefKind != RefKind.None)
                        {
                            DefineRefLocal(declarator.Symbol, initializer?.Value ?? declarator, env, output, OriginOf(declaration));
                        }
                        else if (initializer is not null)
                        {
                            Define(declarator.Symbol, initializer.Value, env, output, OriginOf(declaration));
                        }
                    }
                }

                break;
            case IExpressionStatementOperation { Operation: var expression }:
                LowerExpressionStatement(expression, env, output);
                break;
            case IEmptyOperation:
                break;
            default:
                Unsupported(operation, Describe(operation));
                break;
        }
    }

    private void LowerExpressionStatement(IOperation expression, Env env, List<Stmt> output)
    {
        Origin origin = OriginOf(expression);
        switch (expression)
        {
            case ISimpleAssignmentOperation { IsRef: true } refAssignment:
                Unsupported(refAssignment, "Reassigning a ref local ('= ref …'): declare another ref local instead");
                break;
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation or IParameterReferenceOperation } assignment when !IsElementAlias(assignment.Target):
                Define(SymbolOf(assignment.Target), assignment.Value, env, output, origin);
                break;
            case ICompoundAssignmentOperation { Target: ILocalReferenceOperation or IParameterReferenceOperation } compound when !IsElementAlias(compound.Target):
            {
                if (compound.OperatorMethod is not null || compound.InConversion is { IsIdentity: false } || compound.OutConversion is { IsIdentity: false })
                {
                    Unsupported(compound, "A compound assignment that converts its operands");
                    break;
                }

                Expr current = LowerAtom(compound.Target, env, output);
                Expr value = LowerBinary(compound, compound.OperatorKind, current, compound.Value, compound.Target.Type!, env, output);
                DefineValue(SymbolOf(compound.Target), value, env, output, origin);
                break;
            }

            case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation or IParameterReferenceOperation } step when !IsElementAlias(step.Target):
            {
                Expr current = LowerAtom(step.Target, env, output);
                Expr one = Const.One(current.Type);
                BinaryOp op = step.Kind == OperationKind.Increment ? BinaryOp.Add : BinaryOp.Subtract;
                DefineValue(SymbolOf(step.Target), InContext(step, new Binary(op, current, one, current.Type)), env, output, origin);
                break;
            }

            case IDeconstructionAssignmentOperation deconstruction:
                LowerDeconstruction(deconstruction, env, output, origin);
                break;
            case ISimpleAssignmentOperation { Target: var element } when IsElementAccess(element):
                _ = LowerElementWrite(expression, element, env, output, origin);
                break;
            case ICompoundAssignmentOperation { Target: var element } when IsElementAccess(element):
                _ = LowerElementWrite(expression, element, env, output, origin);
                break;
            case IIncrementOrDecrementOperation { Target: var element } when IsElementAccess(element):
                _ = LowerElementWrite(expression, element, env, output, origin);
                break;
            case ISimpleAssignmentOperation { Target: IFieldReferenceOperation field }:
                Unsupported(expression, $"Writing to field '{field.Field.Name}'");
                break;
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                Unsupported(expression, "Assignment to anything but a local or parameter");
                break;
            case IInvocationOperation invocation when invocation.TargetMethod.Parameters.Any(p => p.RefKind is RefKind.Out or RefKind.Ref):
                // A call for its out or ref arguments (its result, if any, unused): it defines them.
                _ = LowerInvocation(invocation, env, output, null, asTree: false);
                break;
            case IInvocationOperation { TargetMethod.ReturnsVoid: true } invocation when invocation.TargetMethod.Parameters.Length > 0:
            {
                // A void call acts through the arrays and spans it writes.
                Expr call = LowerInvocation(invocation, env, output, null, asTree: false);
                if (!failed)
                {
                    output.Add(new Evaluate(call, origin));
                }

                break;
            }

            case IInvocationOperation invocation:
                Unsupported(expression, $"A call whose result is discarded ('{invocation.TargetMethod.Name}')");
                break;
            default:
                Unsupported(expression, Describe(expression));
                break;
        }
    }

    /// <summary>A new definition of a local: <c>double y = …;</c>, or a tuple local bound element-wise.</summary>
    private void Define(ISymbol symbol, IOperation value, Env env, List<Stmt> output, Origin origin)
    {
        ITypeSymbol? declared = symbol switch { ILocalSymbol local => local.Type, IParameterSymbol parameter => parameter.Type, _ => null };
        if (declared is not null && TypeOf(declared) is { IsBuffer: true } bufferType)
        {
            DefineBuffer(symbol, bufferType, value, env, output, origin);
            return;
        }

        IrType? type = value.Type is { } valueType ? TypeOf(valueType) : declared is null ? null : TypeOf(declared);
        if (value is IConditionalOperation { Type: not null } or ISwitchExpressionOperation && type is { IsFloating: true })
        {
            // double y = c ? a : b; becomes a declared y assigned in an if, so only the taken branch runs (a switch
            // expression, in a chain of ifs).
            Variable target = NextVersion(symbol, type);
            output.Add(new Declare(target, origin));
            if (value is IConditionalOperation conditional)
            {
                LowerConditionalInto(target, conditional, env, output);
            }
            else
            {
                LowerSwitchExpressionInto(target, (ISwitchExpressionOperation)value, env, output);
            }

            env[symbol] = new Ref(target);
            return;
        }

        // var r = G(x); with a tuple result names its elements after the local: r_Sum, r_Product.
        Variable ElementTarget(int index, IrType elementType) =>
            names.Fresh(symbol.Name + "_" + (type?.ElementAccessName(index) ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture)), elementType);

        DefineValue(symbol, LowerValue(value, env, output, ElementTarget), env, output, origin);
    }

    private void DefineValue(ISymbol symbol, Expr value, Env env, List<Stmt> output, Origin origin)
    {
        if (value is TupleExpr)
        {
            env[symbol] = value; // a tuple local is a bundle of atoms
            return;
        }

        Variable target = NextVersion(symbol, value.Type);
        output.Add(new Let(new VariableBinding(target), value, origin));
        env[symbol] = new Ref(target);
    }

    private void LowerDeconstruction(IDeconstructionAssignmentOperation deconstruction, Env env, List<Stmt> output, Origin origin)
    {
        IOperation target = deconstruction.Target is IDeclarationExpressionOperation declaration ? declaration.Expression : deconstruction.Target;
        if (target is not ITupleOperation targets)
        {
            Unsupported(deconstruction, "This deconstruction");
            return;
        }

        // The call's results are bound straight to the locals: var (p, q) = G(x); keeps p and q.
        var bound = new Dictionary<int, (ISymbol Symbol, Variable Variable)>();
        Variable ElementTarget(int index, IrType type)
        {
            IOperation element = targets.Elements[index] is IDeclarationExpressionOperation d ? d.Expression : targets.Elements[index];
            if (element is ILocalReferenceOperation or IParameterReferenceOperation && !IsElementAlias(element))
            {
                ISymbol symbol = SymbolOf(element);
                Variable variable = NextVersion(symbol, type);
                bound[index] = (symbol, variable);
                return variable;
            }

            return names.Fresh("t", type);
        }

        Expr value = LowerValue(deconstruction.Value, env, output, ElementTarget);
        if (value is not TupleExpr tuple || tuple.Elements.Count != targets.Elements.Length)
        {
            Unsupported(deconstruction, "Deconstruction of a value that is not a tuple");
            return;
        }

        for (int i = 0; i < targets.Elements.Length; i++)
        {
            IOperation element = targets.Elements[i] is IDeclarationExpressionOperation d ? d.Expression : targets.Elements[i];
            if (bound.TryGetValue(i, out var binding))
            {
                env[binding.Symbol] = new Ref(binding.Variable);
            }
            else if (element is ILocalReferenceOperation or IParameterReferenceOperation && !IsElementAlias(element))
            {
                DefineValue(SymbolOf(element), tuple.Elements[i], env, output, origin);
            }
            else if (element is not IDiscardOperation)
            {
                Unsupported(element, "Deconstruction into anything but locals");
                return;
            }
        }
    }

    /// <summary><c>target = c ? a : b</c> as an if, so the branch not taken is not evaluated; a branch may throw.</summary>
    private void LowerConditionalInto(Variable target, IConditionalOperation conditional, Env env, List<Stmt> output)
    {
        Origin origin = OriginOf(conditional);
        Expr condition = LowerTree(conditional.Condition, env);
        List<Stmt> Branch(IOperation value)
        {
            var statements = new List<Stmt>();
            if (WithoutConversion(value) is IThrowOperation thrown)
            {
                LowerThrow(thrown, env.Clone(), statements); // c ? v : throw new …: that path ends here
            }
            else
            {
                Expr lowered = LowerValue(value, env.Clone(), statements);
                statements.Add(new Assign(new VariableBinding(target), Build.ConvertTo(target.Type, lowered), origin));
            }

            return statements;
        }

        output.Add(new If(condition, ToBlock(Branch(conditional.WhenTrue)), ToBlock(Branch(conditional.WhenFalse!)), origin));
    }

    /// <summary>
    /// <c>throw new E(…);</c>: the exception is created from trees (constants, <c>nameof</c>, interpolated strings, the
    /// current values of locals), so every sweep throws the primal's exception where the primal throws it.
    /// </summary>
    private void LowerThrow(IThrowOperation thrown, Env env, List<Stmt> output)
    {
        if (thrown.Exception is null || WithoutConversion(thrown.Exception) is not IObjectCreationOperation { Constructor: { } constructor } creation)
        {
            Unsupported(thrown, "A throw of anything but a new exception ('throw new E(…)')");
            return;
        }

        var arguments = creation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => LowerTree(a.Value, env)).ToEquatableArray();
        var type = IrType.Scalar(ValueKind.Other, constructor.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
        output.Add(new Throw(new New(type, arguments), OriginOf(thrown)));
    }

    private static IOperation WithoutConversion(IOperation operation) =>
        operation is IConversionOperation { IsImplicit: true } conversion ? WithoutConversion(conversion.Operand) : operation;
}
