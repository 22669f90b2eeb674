using System;
using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Lowering;

/// <summary>
/// <c>switch</c> statements and expressions, as chains of <c>if</c>s: each section (arm) is tested in order with the
/// condition its labels (patterns) and guard make, the default section last. Patterns over values that carry no derivative
/// are supported: constants, relational (<c>&lt; 0</c>), <c>and</c>/<c>or</c>/<c>not</c>, discards, and <c>var</c> or
/// type patterns of the value's own type. A switch whose sections only end in their <c>break</c> merges like an
/// <c>if</c>; one whose sections return, throw or jump carries the statements after it into the sections that fall through.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>One section: its condition (null for the default section) and the bindings its patterns declare.</summary>
    private sealed record Section(Expr? Condition, List<(ISymbol Symbol, Expr Value)> Bindings, IReadOnlyList<IOperation> Body);

    /// <summary>Lowers a switch statement; returns true when it lowered the rest of the block too (a switch with jumps).</summary>
    private bool LowerSwitch(ISwitchOperation switchOperation, Continuation rest, Env env, List<Stmt> output)
    {
        Origin origin = OriginOf(switchOperation);
        Expr value = Frozen(LowerTree(switchOperation.Value, env), "switchValue", output, origin);
        var sections = new List<Section>();
        Section? defaultSection = null;
        foreach (ISwitchCaseOperation section in switchOperation.Cases)
        {
            var bindings = new List<(ISymbol, Expr)>();
            Expr? condition = null;
            bool isDefault = false;
            foreach (ICaseClauseOperation clause in section.Clauses)
            {
                Expr? test = clause switch
                {
                    IDefaultCaseClauseOperation => null,
                    ISingleValueCaseClauseOperation single => Build.Compare(BinaryOp.Equal, value, LowerTree(single.Value, env)),
                    IPatternCaseClauseOperation pattern => Guarded(Matches(pattern.Pattern, value, bindings, env), pattern.Guard, bindings, env),
                    _ => Unsupported(clause, "This case label"),
                };
                isDefault |= test is null;
                condition = test is null ? condition : condition is null ? test : new Binary(BinaryOp.Or, condition, test, IrType.Bool);
            }

            var lowered = new Section(isDefault ? null : condition, bindings, section.Body);
            if (isDefault)
            {
                defaultSection = lowered;
            }
            else
            {
                sections.Add(lowered);
            }
        }

        if (failed)
        {
            return false;
        }

        if (defaultSection is not null)
        {
            sections.Add(defaultSection); // tested last, whatever its place
        }

        // Sections that only end in their break merge like an if; otherwise each carries the rest after the switch.
        bool simple = switchOperation.Cases.All(c => c.Body.Length > 0
            && c.Body[c.Body.Length - 1] is IBranchOperation { BranchKind: BranchKind.Break } last
            && SymbolEqualityComparer.Default.Equals(last.Target, switchOperation.ExitLabel)
            && c.Body.Take(c.Body.Length - 1).All(o => !ContainsJump(o)));
        if (simple)
        {
            LowerSectionsMerging(sections, 0, origin, env, output);
            return false;
        }

        loops.Push(new LoopContext(switchOperation.ExitLabel, null, Next: null, Exit: (end, statements) => LowerStatements(rest.Operations, rest.Index, rest.Next, end, statements)));
        LowerSectionsCarrying(sections, 0, origin, rest, env, output);
        loops.Pop();
        return true;
    }

    private void LowerSectionsMerging(List<Section> sections, int index, Origin origin, Env env, List<Stmt> output)
    {
        if (index == sections.Count)
        {
            return;
        }

        Section section = sections[index];
        void Body(Env bodyEnv, List<Stmt> body)
        {
            Bind(section, bodyEnv);
            LowerStatements(section.Body.Take(section.Body.Count - 1).ToList(), 0, null, bodyEnv, body); // without its break
        }

        if (section.Condition is null or Const { Value: 1 })
        {
            Body(env, output);
            return;
        }

        LowerMergingBranches(section.Condition, origin, Body, (elseEnv, otherwise) => LowerSectionsMerging(sections, index + 1, origin, elseEnv, otherwise), env, output);
    }

    private void LowerSectionsCarrying(List<Section> sections, int index, Origin origin, Continuation rest, Env env, List<Stmt> output)
    {
        if (index == sections.Count)
        {
            LowerStatements(rest.Operations, rest.Index, rest.Next, env, output); // no section matched
            return;
        }

        Section section = sections[index];
        if (section.Condition is null or Const { Value: 1 })
        {
            Bind(section, env);
            LowerStatements(section.Body, 0, rest, env, output);
            return;
        }

        var then = new List<Stmt>();
        var otherwise = new List<Stmt>();
        Env thenEnv = env.Clone();
        Bind(section, thenEnv);
        branchDepth++;
        LowerStatements(section.Body, 0, rest, thenEnv, then);
        LowerSectionsCarrying(sections, index + 1, origin, rest, env.Clone(), otherwise);
        branchDepth--;
        output.Add(new If(section.Condition, ToBlock(then), ToBlock(otherwise), origin));
    }

    private static void Bind(Section section, Env env)
    {
        foreach ((ISymbol symbol, Expr value) in section.Bindings)
        {
            env[symbol] = value;
        }
    }

    /// <summary>
    /// A switch expression whose value is assigned to <paramref name="target"/> (floating values: only the arm taken is
    /// evaluated); an arm may throw; no arm matching throws SwitchExpressionException, as C# does.
    /// </summary>
    private void LowerSwitchExpressionInto(Variable target, ISwitchExpressionOperation switchExpression, Env env, List<Stmt> output)
    {
        Origin origin = OriginOf(switchExpression);
        Expr value = Frozen(LowerTree(switchExpression.Value, env), "switchValue", output, origin);
        LowerArms(0, output);

        void LowerArms(int index, List<Stmt> into)
        {
            if (index == switchExpression.Arms.Length)
            {
                Unmatched(value, into, origin);
                return;
            }

            ISwitchExpressionArmOperation arm = switchExpression.Arms[index];
            var bindings = new List<(ISymbol, Expr)>();
            Expr condition = Guarded(Matches(arm.Pattern, value, bindings, env), arm.Guard, bindings, env);
            List<Stmt> Arm(Env armEnv)
            {
                var statements = new List<Stmt>();
                foreach ((ISymbol symbol, Expr bound) in bindings)
                {
                    armEnv[symbol] = bound;
                }

                if (WithoutConversion(arm.Value) is IThrowOperation thrown)
                {
                    LowerThrow(thrown, armEnv, statements);
                }
                else
                {
                    Expr lowered = LowerValue(arm.Value, armEnv, statements);
                    statements.Add(new Assign(new VariableBinding(target), Build.ConvertTo(target.Type, lowered), origin));
                }

                return statements;
            }

            if (condition is Const { Value: 1 })
            {
                into.AddRange(Arm(env.Clone()));
                return;
            }

            List<Stmt> then = Arm(env.Clone());
            var otherwise = new List<Stmt>();
            LowerArms(index + 1, otherwise);
            into.Add(new If(condition, ToBlock(then), ToBlock(otherwise), origin));
        }
    }

    /// <summary>A switch expression as a tree (an int or bool value in a condition): nested conditionals, every arm a tree.</summary>
    private Expr LowerSwitchExpressionTree(ISwitchExpressionOperation switchExpression, IrType type, Env env)
    {
        Expr value = LowerTree(switchExpression.Value, env);
        Expr? result = null;
        for (int i = switchExpression.Arms.Length - 1; i >= 0; i--)
        {
            ISwitchExpressionArmOperation arm = switchExpression.Arms[i];
            var bindings = new List<(ISymbol, Expr)>();
            Expr condition = Guarded(Matches(arm.Pattern, value, bindings, env), arm.Guard, bindings, env);
            Env armEnv = env.Clone();
            foreach ((ISymbol symbol, Expr bound) in bindings)
            {
                armEnv[symbol] = bound;
            }

            Expr armValue = LowerTree(arm.Value, armEnv);
            if (result is null && condition is not Const { Value: 1 })
            {
                return Unsupported(switchExpression, "A switch expression that may match no arm, inside a condition");
            }

            result = result is null ? armValue : new Conditional(condition, armValue, result, type);
        }

        return result ?? Unsupported(switchExpression, "An empty switch expression");
    }

    /// <summary>No arm matched: <c>throw new SwitchExpressionException(value)</c>, as the compiled primal does.</summary>
    private static void Unmatched(Expr value, List<Stmt> output, Origin origin)
    {
        var exception = IrType.Scalar(ValueKind.Other, "global::System.Runtime.CompilerServices.SwitchExpressionException");
        output.Add(new Throw(new New(exception, EquatableArray.Of(value)), origin));
    }

    /// <summary>The condition a pattern makes of the value; <c>var</c> and declaration patterns add bindings.</summary>
    private Expr Matches(IPatternOperation pattern, Expr value, List<(ISymbol Symbol, Expr Value)> bindings, Env env)
    {
        switch (pattern)
        {
            case IDiscardPatternOperation:
                return Const.True;
            case IConstantPatternOperation constant when constant.Value.ConstantValue is { HasValue: true, Value: double or float } number
                && double.IsNaN(System.Convert.ToDouble(number.Value, System.Globalization.CultureInfo.InvariantCulture)):
                return Unsupported(pattern, "A NaN pattern (test double.IsNaN instead)");
            case IConstantPatternOperation constant:
                return Build.Compare(BinaryOp.Equal, value, LowerTree(constant.Value, env));
            case IRelationalPatternOperation relational:
            {
                BinaryOp? op = relational.OperatorKind switch
                {
                    BinaryOperatorKind.LessThan => BinaryOp.Less,
                    BinaryOperatorKind.LessThanOrEqual => BinaryOp.LessOrEqual,
                    BinaryOperatorKind.GreaterThan => BinaryOp.Greater,
                    BinaryOperatorKind.GreaterThanOrEqual => BinaryOp.GreaterOrEqual,
                    BinaryOperatorKind.Equals => BinaryOp.Equal,
                    BinaryOperatorKind.NotEquals => BinaryOp.NotEqual,
                    _ => null,
                };
                return op is null ? Unsupported(pattern, "This relational pattern") : Build.Compare(op.Value, value, LowerTree(relational.Value, env));
            }

            case IBinaryPatternOperation binary:
            {
                Expr left = Matches(binary.LeftPattern, value, bindings, env), right = Matches(binary.RightPattern, value, bindings, env);
                return new Binary(binary.OperatorKind == BinaryOperatorKind.Or ? BinaryOp.Or : BinaryOp.And, left, right, IrType.Bool);
            }

            case INegatedPatternOperation negated:
                return new Unary(UnaryOp.Not, Matches(negated.Pattern, value, bindings, env), IrType.Bool);
            case IDeclarationPatternOperation { DeclaredSymbol: var symbol } declaration when SameType(declaration.MatchedType, declaration.InputType):
                if (symbol is not null)
                {
                    bindings.Add((symbol, value));
                }

                return Const.True;
            case ITypePatternOperation typePattern when SameType(typePattern.MatchedType, typePattern.InputType):
                return Const.True;
            default:
                return Unsupported(pattern, "This pattern (patterns over the switched value's own type are supported: constants, <, and, or, not, var)");
        }

        static bool SameType(ITypeSymbol? matched, ITypeSymbol input) =>
            matched is null || (SymbolEqualityComparer.Default.Equals(matched, input) && input.IsValueType);
    }

    /// <summary>A pattern's condition and its <c>when</c> guard, which reads the pattern's bindings.</summary>
    private Expr Guarded(Expr condition, IOperation? guard, List<(ISymbol Symbol, Expr Value)> bindings, Env env)
    {
        if (guard is null)
        {
            return condition;
        }

        Env guardEnv = env.Clone();
        foreach ((ISymbol symbol, Expr value) in bindings)
        {
            guardEnv[symbol] = value;
        }

        Expr test = LowerTree(guard, guardEnv);
        return condition is Const { Value: 1 } ? test : new Binary(BinaryOp.And, condition, test, IrType.Bool);
    }

    /// <summary>A value tested many times, in a local of its own unless it is already a variable or a constant.</summary>
    private Expr Frozen(Expr value, string name, List<Stmt> output, Origin origin)
    {
        if (value.IsAtom || value is FieldRead { Receiver: null })
        {
            return value;
        }

        Variable local = names.Fresh(name, value.Type);
        output.Add(new Let(new VariableBinding(local), value, origin));
        return new Ref(local);
    }
}
