using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Analysis;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Transforms;

/// <summary>
/// Reverse mode, IR → IR. The result is one function holding two sweeps: the forward sweep runs the
/// primal (branch decisions kept in <c>bool</c> locals, values defined inside branches declared up
/// front so the reverse sweep can read them); the reverse sweep walks the statements backwards and
/// adds partial · cotangent to the adjoint of each active operand. Straight-line code needs no tape:
/// every value the reverse sweep reads is still in its local. The function takes the result's
/// cotangent after the parameters, then one out adjoint per differentiable parameter, and returns
/// the primal result.
/// </summary>
internal sealed class Adjoint : DerivativeTransform
{
    /// <summary>Declarations of values defined inside branches, placed before the outermost branch.</summary>
    private readonly List<Stmt> hoisted = new();
    private readonly HashSet<Variable> parameterAdjoints = new();
    private Variable? resultSlot;
    private Expr? resultCotangent;

    private Adjoint(IrFunction primal)
        : base(primal)
    {
    }

    public static IrFunction Apply(IrFunction primal, string name) => new Adjoint(primal).Run(name);

    private IrFunction Run(string name)
    {
        IrFunction function = Function;
        var parameters = function.Parameters.Where(p => p.Kind != ParameterKind.Out).ToList();
        var outs = new List<Parameter>();
        foreach (Parameter parameter in parameters)
        {
            if (parameter.IsDifferentiable && parameter.Variable.Type.IsFloating)
            {
                Variable adjoint = DerivativeOf(parameter.Variable);
                parameterAdjoints.Add(adjoint);
                outs.Add(new Parameter(adjoint, ParameterKind.Out, false));
            }
        }

        bool returnsValue = function.ReturnType.Kind != ValueKind.Void;
        Variable? dResult = returnsValue ? Names.Fresh("dResult", function.ReturnType) : null;
        if (dResult is not null)
        {
            parameters.Add(new Parameter(dResult, ParameterKind.Value, true));
            resultCotangent = new Ref(dResult);
        }

        parameters.AddRange(outs);

        // Only a body that returns from inside a branch needs a slot for the result.
        bool returnsAtEnd = function.Body.Statements.Count > 0 && function.Body.Statements[function.Body.Statements.Count - 1] is Return;
        var prologue = new List<Stmt>();
        if (returnsValue && !returnsAtEnd)
        {
            resultSlot = Names.Fresh("result", function.ReturnType);
            prologue.Add(new Declare(resultSlot, null));
        }

        Block forward = Forward(function.Body, insideBranch: false);
        var reverse = new List<Stmt>();
        Expr? returned = null;
        var forwardStatements = forward.Statements.ToList();
        if (returnsAtEnd && forwardStatements[forwardStatements.Count - 1] is Return { Value: var value })
        {
            forwardStatements.RemoveAt(forwardStatements.Count - 1);
            returned = value;
            if (value is not null)
            {
                reverse.AddRange(Seed(value, resultCotangent!));
            }
        }

        reverse.AddRange(Reverse(new Block(forwardStatements.ToEquatableArray())));

        var body = new List<Stmt>();
        body.AddRange(prologue);
        body.AddRange(forwardStatements);
        body.Add(new Comment("reverse sweep"));
        body.AddRange(AdjointDeclarations(outs, reverse));
        if (returned is not null || resultSlot is not null)
        {
            body.Add(new Return(returned ?? new Ref(resultSlot!), null));
        }

        return new IrFunction(name, parameters.ToEquatableArray(), function.ReturnType, new Block(body.ToEquatableArray()));
    }

    // ------------------------------------------------------------ forward sweep

    private Block Forward(Block block, bool insideBranch)
    {
        var output = new List<Stmt>();
        foreach (Stmt statement in block.Statements)
        {
            switch (statement)
            {
                case Declare declare when insideBranch:
                    hoisted.Add(declare); // as for a Let: the reverse sweep, outside the branch, may read it
                    break;
                case Let let when insideBranch:
                    // Declared before the branches so the reverse sweep, outside them, can read it.
                    foreach (Variable v in IrWalk.Targets(let.Target))
                    {
                        hoisted.Add(new Declare(v, let.Origin));
                    }

                    output.Add(new Assign(let.Target, let.Value, let.Origin));
                    break;
                case If branch:
                {
                    int before = output.Count;
                    Expr condition = branch.Condition;
                    if (condition is not Ref)
                    {
                        Variable decision = Names.Fresh("branch", IrType.Bool);
                        if (insideBranch)
                        {
                            hoisted.Add(new Declare(decision, branch.Origin));
                            output.Add(new Assign(new VariableBinding(decision), condition, branch.Origin));
                        }
                        else
                        {
                            output.Add(new Let(new VariableBinding(decision), condition, branch.Origin));
                        }

                        condition = new Ref(decision);
                    }

                    output.Add(new If(condition, Forward(branch.Then, true), Forward(branch.Else, true), branch.Origin));
                    if (!insideBranch)
                    {
                        output.InsertRange(before, hoisted);
                        hoisted.Clear();
                    }

                    break;
                }

                case Return { Value: var value } ret when resultSlot is not null:
                    output.Add(new Assign(new VariableBinding(resultSlot), value!, ret.Origin));
                    break;
                default:
                    output.Add(statement);
                    break;
            }
        }

        return new Block(output.ToEquatableArray());
    }

    // ------------------------------------------------------------ reverse sweep

    private List<Stmt> Reverse(Block block)
    {
        var output = new List<Stmt>();
        for (int i = block.Statements.Count - 1; i >= 0; i--)
        {
            Stmt statement = block.Statements[i];
            switch (statement)
            {
                case Assign { Target: VariableBinding { Variable: var slot }, Value: var value } when slot == resultSlot:
                    output.AddRange(Seed(value, resultCotangent!));
                    break;
                case Let { Value: Call { Callee: MethodCallee callee } call } let:
                    output.AddRange(ReverseCall(let.Target, callee, call, let.Origin));
                    break;
                case Assign { Value: Call { Callee: MethodCallee callee } call } assign:
                    output.AddRange(ReverseCall(assign.Target, callee, call, assign.Origin));
                    break;
                case Let { Target: VariableBinding { Variable: var v }, Value: var value } let:
                    output.AddRange(ReverseOperation(v, value, let.Origin));
                    break;
                case Assign { Target: VariableBinding { Variable: var v }, Value: var value } assign:
                    output.AddRange(ReverseOperation(v, value, assign.Origin));
                    break;
                case If branch:
                {
                    var then = Reverse(branch.Then);
                    var otherwise = Reverse(branch.Else);
                    if (then.Count > 0 || otherwise.Count > 0)
                    {
                        output.Add(new If(branch.Condition, new Block(then.ToEquatableArray()), new Block(otherwise.ToEquatableArray()), branch.Origin));
                    }

                    break;
                }

                case Evaluate:
                    throw new TransformException(DiagnosticDescriptors.UnsupportedConstruct.Id, "reverse mode of a call evaluated for its out arguments");
            }
        }

        return output;
    }

    /// <summary>The cotangent of a returned value flows into its atoms.</summary>
    private IEnumerable<Stmt> Seed(Expr? value, Expr cotangent)
    {
        switch (value)
        {
            case Ref { Variable: var v } when Activity.IsActive(v):
                yield return Accumulate(v, cotangent, null);
                break;
            case TupleExpr tuple:
                for (int i = 0; i < tuple.Elements.Count; i++)
                {
                    if (tuple.Elements[i] is Ref { Variable: var element } && Activity.IsActive(element))
                    {
                        yield return Accumulate(element, new Element(cotangent, i, tuple.Type.Elements[i]), null);
                    }
                }

                break;
        }
    }

    private IEnumerable<Stmt> ReverseOperation(Variable target, Expr value, Origin? origin)
    {
        if (!Activity.IsActive(target))
        {
            yield break;
        }

        Expr cotangent = new Ref(DerivativeOf(target));
        foreach ((Expr operand, Expr partial) in ScalarRules.Partials(value, new Ref(target)))
        {
            if (operand is Ref { Variable: var v } && Activity.IsActive(v))
            {
                yield return Accumulate(v, Build.ConvertTo(v.Type, Build.Multiply(partial, cotangent)), origin);
            }
        }
    }

    /// <summary>
    /// Joint mode: the callee's Vjp re-runs its primal and returns the adjoints of its differentiable
    /// parameters, which are added to the arguments' adjoints.
    /// </summary>
    private IEnumerable<Stmt> ReverseCall(Binding target, MethodCallee callee, Call call, Origin? origin)
    {
        var results = IrWalk.Targets(target).ToList();
        bool anyActiveResult = results.Any(Activity.IsActive);
        bool anyActiveArgument = call.Arguments.Any(Activity.IsActive);
        if (!anyActiveResult || !anyActiveArgument)
        {
            yield break;
        }

        if (callee.Derivatives?.Vjp is not { } vjp)
        {
            throw new TransformException(DiagnosticDescriptors.NoDerivative.Id, callee.Name, callee.Site);
        }

        var arguments = new List<Expr>(call.Arguments) { CotangentOf(target) };
        var accumulations = new List<Stmt>();
        for (int i = 0; i < callee.Parameters.Count; i++)
        {
            if (!callee.Parameters[i].IsDifferentiable)
            {
                continue;
            }

            if (call.Arguments[i] is Ref { Variable: var v } && Activity.IsActive(v))
            {
                Variable part = Names.Fresh("d" + v.Name + "_" + callee.Parameters[i].Name, callee.Parameters[i].Type);
                arguments.Add(new OutArgument(part));
                accumulations.Add(Accumulate(v, Build.ConvertTo(v.Type, new Ref(part)), origin));
            }
            else
            {
                arguments.Add(new OutArgument(new Variable("_", callee.Parameters[i].Type)));
            }
        }

        var vjpCallee = new MethodCallee(callee.Key, vjp.Owner, vjp.Name, callee.Receiver, EquatableArray<ParameterInfo>.Empty, null, callee.Site);
        yield return new Evaluate(new Call(vjpCallee, arguments.ToEquatableArray(), call.Type), origin);
        foreach (Stmt accumulation in accumulations)
        {
            yield return accumulation;
        }
    }

    private Expr CotangentOf(Binding target)
    {
        switch (target)
        {
            case VariableBinding { Variable: var v } when v.Type.IsFloating && Activity.IsActive(v):
                return new Ref(DerivativeOf(v));
            case VariableBinding { Variable: var v }:
                return v.Type.IsFloating ? Const.Zero(v.Type) : new DefaultValue(v.Type);
            case TupleBinding tuple:
            {
                var elements = tuple.Elements.Select(CotangentOf).ToEquatableArray();
                return new TupleExpr(elements, IrType.Tuple(elements.Select(e => e.Type).ToEquatableArray(), EquatableArray<string>.Empty));
            }

            default:
                return new DefaultValue(IrType.Void);
        }
    }

    private Stmt Accumulate(Variable variable, Expr contribution, Origin? origin)
    {
        Variable adjoint = DerivativeOf(variable);
        return new Assign(new VariableBinding(adjoint), Build.Add(new Ref(adjoint), contribution), origin);
    }

    // ------------------------------------------------------------ adjoint declarations

    /// <summary>
    /// Declares each adjoint where it is first needed. Out adjoints start the reverse sweep at zero.
    /// A local adjoint is declared in the innermost block holding all its uses: where its first use
    /// there is an accumulation, the two merge into one definition (<c>double dy = …;</c>).
    /// </summary>
    private List<Stmt> AdjointDeclarations(List<Parameter> outs, List<Stmt> reverse)
    {
        var statements = new List<Stmt>(reverse);
        var declarations = new List<Stmt>();
        foreach (Variable adjoint in outs.Select(o => o.Variable))
        {
            if (!FoldFirstAccumulation(statements, adjoint, isOut: true))
            {
                declarations.Add(new Assign(new VariableBinding(adjoint), Const.Zero(adjoint.Type), null));
            }
        }

        foreach (Variable adjoint in Derivatives.Where(a => !parameterAdjoints.Contains(a)))
        {
            statements = Place(statements, adjoint);
        }

        declarations.AddRange(statements);
        return declarations;
    }

    private static List<Stmt> Place(List<Stmt> statements, Variable adjoint)
    {
        var uses = statements.Select((s, i) => (s, i)).Where(p => IrWalk.Variables(p.s).Contains(adjoint)).Select(p => p.i).ToList();
        if (uses.Count == 0)
        {
            return statements;
        }

        if (uses.Count == 1 && statements[uses[0]] is If branch)
        {
            bool inThen = IrWalk.Variables(branch.Then).Contains(adjoint), inElse = IrWalk.Variables(branch.Else).Contains(adjoint);
            if (inThen != inElse)
            {
                statements[uses[0]] = inThen
                    ? branch with { Then = new Block(Place(branch.Then.Statements.ToList(), adjoint).ToEquatableArray()) }
                    : branch with { Else = new Block(Place(branch.Else.Statements.ToList(), adjoint).ToEquatableArray()) };
                return statements;
            }
        }

        if (!FoldFirstAccumulation(statements, adjoint, isOut: false))
        {
            statements.Insert(uses[0], new Declare(adjoint, null));
        }

        return statements;
    }

    /// <summary>Turns the first use of an adjoint, when it is an accumulation in this block, into its definition.</summary>
    private static bool FoldFirstAccumulation(List<Stmt> statements, Variable adjoint, bool isOut)
    {
        int first = statements.FindIndex(s => IrWalk.Variables(s).Contains(adjoint));
        if (first < 0
            || statements[first] is not Assign { Target: VariableBinding { Variable: var target }, Value: Binary binary } assign
            || target != adjoint
            || binary.Left != new Ref(adjoint)
            || binary.Op is not (BinaryOp.Add or BinaryOp.Subtract))
        {
            return false;
        }

        Expr value = binary.Op == BinaryOp.Add ? binary.Right : Build.Negate(binary.Right);
        statements[first] = isOut ? new Assign(assign.Target, value, assign.Origin) : new Let(assign.Target, value, assign.Origin);
        return true;
    }
}
