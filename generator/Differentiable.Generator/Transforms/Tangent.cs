using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Analysis;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Transforms;

/// <summary>
/// Forward mode, IR → IR. Every active variable <c>v</c> gets a tangent <c>dv</c> computed right after
/// it from the rules' partials; the function takes one tangent per differentiable parameter after all
/// its parameters and returns <c>(Value, Tangent)</c>. Out parameters get out tangents.
/// </summary>
internal sealed class Tangent : DerivativeTransform
{
    private readonly IReadOnlyDictionary<Variable, string>? parameterTangentNames;
    private readonly bool returnsValueOnly;

    private Tangent(IrFunction primal, IReadOnlyDictionary<Variable, string>? parameterTangentNames = null, bool returnsValueOnly = false, int width = 1)
        : base(primal, width)
    {
        this.parameterTangentNames = parameterTangentNames;
        this.returnsValueOnly = returnsValueOnly;
    }

    public static IrFunction Apply(IrFunction primal, string name) => new Tangent(primal).Run(name);

    /// <summary>
    /// The widened forward sweep: every tangent is a <c>Vector256&lt;T&gt;</c> whose lanes carry W directions at once (4 for
    /// <c>double</c>, 8 for <c>float</c>), so one sweep computes W Jacobian-vector products. It is an overload of the
    /// single sweep (its tangent parameters differ in type). Calls left after inlining, jagged arrays and code that mixes
    /// <c>float</c> and <c>double</c> have no widened sweep (a <see cref="TransformException"/>).
    /// </summary>
    public static IrFunction Widened(IrFunction primal, string name) => new Tangent(primal, width: WidenedWidth(primal)).Run(name);

    /// <summary>
    /// Forward mode of a sweep whose result's tangent nobody reads (the Hessian-vector product's tangent of a reverse
    /// sweep): the parameters' tangents get the given names, the function returns the sweep's own value, and
    /// <paramref name="parameterTangents"/> tells which tangent parameter belongs to which parameter.
    /// </summary>
    /// <remarks>With a <paramref name="width"/> above 1 (<see cref="DerivativeTransform.WidenedWidth"/>), W directions at once.</remarks>
    public static IrFunction OfSweep(IrFunction sweep, string name, IReadOnlyDictionary<Variable, string> parameterTangentNames, out IReadOnlyDictionary<Variable, Variable> parameterTangents, int width = 1)
    {
        var tangent = new Tangent(sweep, parameterTangentNames, returnsValueOnly: true, width);
        IrFunction result = tangent.Run(name);
        parameterTangents = sweep.Parameters.Where(p => tangent.HasDerivative(p.Variable)).ToDictionary(p => p.Variable, p => tangent.DerivativeOf(p.Variable));
        return result;
    }

    protected override string DerivativeName(Variable variable) =>
        parameterTangentNames is not null && parameterTangentNames.TryGetValue(variable, out string? name) ? name : base.DerivativeName(variable);

    private IrFunction Run(string name)
    {
        IrFunction function = Function;

        // The inputs' tangents in parameter order (a ref parameter's by ref: the tangent of its initial value on entry, of
        // its final value on exit), then the out parameters' tangents.
        var parameters = new List<Parameter>(function.Parameters);
        var outTangents = new List<Parameter>();
        var prologue = new List<Stmt>();
        foreach (Parameter parameter in function.Parameters)
        {
            bool takesTangent = parameter.Kind == ParameterKind.Out
                ? parameter.Variable.Type.IsFloating
                : parameter.IsDifferentiable && parameter.Variable.Type.CarriesDerivative;
            if (!takesTangent)
            {
                continue;
            }

            Variable tangent = DerivativeOf(parameter.Variable);
            if (parameter.Kind == ParameterKind.Out)
            {
                outTangents.Add(new Parameter(tangent, ParameterKind.Out, false));
                prologue.Add(new Assign(new VariableBinding(tangent), Const.Zero(tangent.Type), null));
            }
            else
            {
                parameters.Add(new Parameter(tangent, parameter.Kind == ParameterKind.Ref ? ParameterKind.Ref : ParameterKind.Value, false));
            }
        }

        parameters.AddRange(outTangents);

        // A tangent is written when its parameter is: then it, and the parameter, must share memory with nothing else.
        var buffers = function.Parameters.Where(p => p.Variable.Type.IsBuffer).Select(p => (p.Variable, Written.Contains(p.Variable)))
            .Concat(function.Parameters.Where(p => p.Variable.Type.IsBuffer && HasDerivative(p.Variable)).Select(p => (DerivativeOf(p.Variable), Written.Contains(p.Variable))))
            .ToList();
        var shadows = function.Parameters.Where(p => p.Variable.Type.IsBuffer && HasDerivative(p.Variable)).Select(p => (p.Variable, DerivativeOf(p.Variable))).ToList();
        var zeros = shadows.Select(s => Unwanted(s.Variable, s.Item2, reverse: false)?.Substitution).OfType<Stmt>();
        if (!returnsValueOnly)
        {
            prologue.InsertRange(0, ArgumentChecks(buffers, shadows, zeros)); // a composed sweep's caller checks its own arguments
        }

        Block body = TransformBlock(function.Body);
        IrType returnType = function.ReturnType.Kind == ValueKind.Void || returnsValueOnly
            ? function.ReturnType
            : IrType.ValueAndTangent(function.ReturnType, DerivativeType(function.ReturnType));
        return new IrFunction(
            name,
            parameters.ToEquatableArray(),
            returnType,
            new Block(prologue.Concat(body.Statements).ToEquatableArray()))
        {
            CheckedByDefault = function.CheckedByDefault,
        };
    }

    /// <summary>
    /// In a reverse sweep (second order), the elements of an array saved before they are overwritten
    /// (<c>double t = y[i]; tape.Doubles.Push(t);</c>, brought back by <c>y[i] = tape.Doubles.Pop();</c>): their tangents
    /// are saved and brought back with them, though the saved copy itself reaches nothing but the tape.
    /// </summary>
    private HashSet<Variable> SavedElements => savedElements ??= FindSavedElements();

    private HashSet<Variable>? savedElements;

    private HashSet<Variable> FindSavedElements()
    {
        var statements = IrWalk.Statements(Function.Body).ToList();
        var restoredInto = new HashSet<Variable>(statements
            .Select(IrWalk.Definition).Where(d => d is (VariableBinding, Restored)).Select(d => ((VariableBinding)d!.Value.Target).Variable));
        var loadedFromShadowed = new HashSet<Variable>(statements
            .Select(IrWalk.Definition).Where(d => d is (VariableBinding, Load load) && HasShadow(load.Buffer)).Select(d => ((VariableBinding)d!.Value.Target).Variable));
        return new HashSet<Variable>(statements.OfType<Save>().Select(save => save.Value).OfType<Ref>().Select(r => r.Variable)
            .Where(v => v.Type.IsFloating && loadedFromShadowed.Contains(v) && !restoredInto.Contains(v)));
    }

    private Block TransformBlock(Block block)
    {
        var output = new List<Stmt>();
        foreach (Stmt statement in block.Statements)
        {
            switch (statement)
            {
                case Let { Target: VariableBinding { Variable: var buffer } result, Value: Call { Callee: MethodCallee arrayCallee } arrayCall } let when buffer.Type.IsBuffer:
                    if (NeedsDerivative(result, arrayCall))
                    {
                        // var (y, dy) = HJvp(args…, tangents…); an array result comes with its tangent array.
                        var after = new List<Stmt>();
                        Expr jvpCall = JvpCall(arrayCallee, arrayCall, output, after);
                        output.Add(let with { Target = new TupleBinding(EquatableArray.Of<Binding>(result, TangentBinding(result))), Value = jvpCall });
                        output.AddRange(after);
                    }
                    else
                    {
                        output.Add(let);
                    }

                    break;
                case Let { Target: VariableBinding { Variable: var buffer } } let when buffer.Type.IsBuffer:
                    output.AddRange(WithShadow(let));
                    break;
                case Let or Assign when IrWalk.Definition(statement) is (VariableBinding { Variable: var loaded }, Load load) && (Activity.IsActive(loaded) || SavedElements.Contains(loaded)) && HasShadow(load.Buffer):
                    // An element's tangent is the same element of the shadow (a Let, or an Assign to a variable a branch merges).
                    output.Add(statement);
                    output.Add(IrWalk.Rebind(statement, new VariableBinding(DerivativeOf(loaded)), load with { Buffer = ShadowOf(load.Buffer) }));
                    break;
                case Let or Assign when IrWalk.Definition(statement) is (VariableBinding { Variable: var popped }, Restored restored) && Activity.IsActive(popped):
                    // The forward sweep pushed the value, then its tangent: take them back in the opposite order.
                    output.Add(IrWalk.Rebind(statement, new VariableBinding(DerivativeOf(popped)), restored with { Type = DerivativeType(restored.Type) }));
                    output.Add(statement);
                    break;
                case Save save:
                    output.Add(save);
                    if (save.Value is Ref { Variable: var saved } && saved.Type.IsFloating && (Activity.IsActive(saved) || SavedElements.Contains(saved)))
                    {
                        output.Add(save with { Value = new Ref(DerivativeOf(saved)) });
                    }
                    else if (save.Value.Type.IsBuffer && HasShadow(save.Value))
                    {
                        output.Add(save with { Value = ShadowOf(save.Value) }); // a range of an array, and its tangents
                    }

                    break;
                case Reload reload when HasShadow(reload.Buffer):
                    // The forward sweep saved the range, then its tangents: take them back in the opposite order.
                    output.Add(reload with { Buffer = ShadowOf(reload.Buffer) });
                    output.Add(reload);
                    break;
                case Store { Value: Restored restoredElement } store when HasShadow(store.Buffer):
                    // An element a reverse sweep brings back from the tape (SavedElements): its tangent was pushed after it.
                    output.Add(store with { Buffer = ShadowOf(store.Buffer), Value = restoredElement with { Type = DerivativeType(restoredElement.Type) } });
                    output.Add(store);
                    break;
                case Store store:
                    output.Add(store);
                    if (HasShadow(store.Buffer))
                    {
                        Expr tangent = TangentValue(store.Value);
                        if (store.Kind == StoreKind.Set || !Build.IsZero(tangent))
                        {
                            output.Add(store with { Buffer = ShadowOf(store.Buffer), Value = tangent });
                        }
                    }

                    break;
                case For loop:
                    output.Add(loop with { Body = TransformBlock(loop.Body) });
                    break;
                case Loop loop:
                    output.Add(loop with { Body = TransformBlock(loop.Body) });
                    break;
                case TapeScope scope:
                    output.Add(scope with { Body = TransformBlock(scope.Body) });
                    break;
                case Evaluate { Value: Call { Callee: MethodCallee voidCallee, Type.Kind: ValueKind.Void } voidCall } evaluate
                    when voidCall.Arguments.Any(a => IrWalk.Root(a) is { } root && Activity.IsActive(root)):
                {
                    var after = new List<Stmt>();
                    Expr jvpCall = JvpCall(voidCallee, voidCall, output, after);
                    output.Add(evaluate with { Value = jvpCall });
                    output.AddRange(after);
                }

                    break;
                case Let or Assign when IrWalk.Definition(statement) is (var target, Call { Callee: MethodCallee } outputsCall) && CallOutputs.HasOutputParameters(outputsCall):
                    output.AddRange(TangentOfCallWithOutputs(statement, target, outputsCall));
                    break;
                case Let or Assign when IrWalk.Definition(statement) is var (target, value):
                    if (value is Call { Callee: MethodCallee callee } call && NeedsDerivative(target, call))
                    {
                        // var (v, dv) = GJvp(args…, tangents…);
                        var after = new List<Stmt>();
                        Expr jvpCall = JvpCall(callee, call, output, after);
                        output.Add(IrWalk.Rebind(statement, new TupleBinding(EquatableArray.Of(target, TangentBinding(target))), jvpCall));
                        output.AddRange(after);
                        break;
                    }

                    output.Add(statement);
                    if (target is VariableBinding { Variable: var v } && (Activity.IsActive(v) || HasDerivative(v)))
                    {
                        output.Add(IrWalk.Rebind(statement, new VariableBinding(DerivativeOf(v)), TangentExpression(value, new Ref(v))));
                    }

                    break;
                case Declare declare:
                    output.Add(declare);
                    if (Activity.IsActive(declare.Variable))
                    {
                        output.Add(new Declare(DerivativeOf(declare.Variable), declare.Origin));
                    }

                    break;
                case If branch:
                    output.Add(branch with { Then = TransformBlock(branch.Then), Else = TransformBlock(branch.Else) });
                    break;
                case Return { Value: null }:
                    output.Add(statement);
                    break;
                case Return { Value: { } } when returnsValueOnly:
                    output.Add(statement);
                    break;
                case Return { Value: { } value } ret:
                    output.Add(ret with
                    {
                        Value = new TupleExpr(EquatableArray.Of(value, TangentValue(value)), IrType.ValueAndTangent(value.Type, DerivativeType(value.Type))),
                    });
                    break;
                case Evaluate { Value: Call { Type.Kind: ValueKind.Void } }:
                    output.Add(statement); // a call for its effects on buffers without derivatives
                    break;
                case Evaluate { Value: Call { Callee: MethodCallee { Derivatives.Hvp: { } hvp } vjpCallee } vjpCall }:
                    output.AddRange(TangentOfVjpCall(vjpCallee, hvp, vjpCall));
                    break;
                case Evaluate evaluate:
                    throw new TransformException(
                        DiagnosticDescriptors.UnsupportedConstruct.Id,
                        $"forward mode of a call evaluated for its out arguments ({Describe(evaluate.Value)})");
                default:
                    output.Add(statement);
                    break;
            }
        }

        return new Block(output.ToEquatableArray());
    }

    private bool NeedsDerivative(Binding target, Call call) =>
        IrWalk.Targets(target).Any(Activity.IsActive) && call.Arguments.Any(Activity.IsActive);

    private Binding TangentBinding(Binding binding) => binding switch
    {
        VariableBinding { Variable: var v } when (v.Type.IsFloating || v.Type.IsDifferentiableBuffer) && Activity.IsActive(v) => new VariableBinding(DerivativeOf(v)),
        VariableBinding { Variable: var v } => new VariableBinding(new Variable("_", v.Type)),
        TupleBinding tuple => new TupleBinding(tuple.Elements.Select(TangentBinding).ToEquatableArray()),
        _ => binding,
    };

    /// <summary>
    /// A call with out or ref arguments (see <see cref="CallOutputs"/>): <c>var (t, dt) = FJvp(x, out y_1, ref z_1, dx, ref dz_1,
    /// out dy_1)</c>, as the contract orders them: the primal's arguments, the inputs' tangents (a ref argument's by
    /// reference: its tangent on entry, then on exit), then the out arguments' tangents.
    /// </summary>
    private IEnumerable<Stmt> TangentOfCallWithOutputs(Stmt statement, Binding target, Call call)
    {
        var callee = (MethodCallee)call.Callee;
        (Binding? result, Dictionary<int, Variable> outputs) = CallOutputs.Split(target, call);
        if (!NeedsDerivative(target, call))
        {
            // Nothing varied flows in: the outputs that have tangents get zero ones.
            yield return statement;
            foreach (Variable v in IrWalk.Targets(target).Where(v => v.Type.IsFloating && (Activity.IsActive(v) || HasDerivative(v))))
            {
                yield return IrWalk.Rebind(statement, new VariableBinding(DerivativeOf(v)), Const.Zero(DerivativeType(v.Type)));
            }

            yield break;
        }

        SingleSweepOnly(callee);

        var before = new List<Stmt>();
        var after = new List<Stmt>();
        MethodName jvp = JvpCallee(callee);
        var parameters = callee.Parameters.Select(p => p with { IsDifferentiable = false }).ToList();
        var arguments = new List<Expr>(call.Arguments);
        var bound = outputs.OrderBy(o => o.Key).Select(o => o.Value).ToList(); // the primal's outputs, in parameter order
        Variable OutputTangent(Variable output, bool byReference) =>
            Activity.IsActive(output) ? DerivativeOf(output) : byReference ? Names.Fresh("d" + output.Name, DerivativeType(output.Type)) : new Variable("_", DerivativeType(output.Type));
        for (int i = 0; i < callee.Parameters.Count; i++)
        {
            ParameterInfo parameter = callee.Parameters[i];
            if (!parameter.IsDifferentiable || parameter.Kind == ParameterKind.Out)
            {
                continue;
            }

            if (parameter.Kind == ParameterKind.Ref)
            {
                parameters.Add(new ParameterInfo("d" + parameter.Name, DerivativeType(parameter.Type), false, Kind: ParameterKind.Ref));
                arguments.Add(Build.ConvertTo(DerivativeType(parameter.Type), TangentValue(call.Arguments[i])));
                bound.Add(OutputTangent(outputs[i], byReference: true));
                continue;
            }

            parameters.Add(new ParameterInfo("d" + parameter.Name, DerivativeType(parameter.Type), false));
            arguments.Add(TangentArgument(callee, call, i, before, after));
        }

        // Every floating out parameter has a tangent in the callee's Jvp; a [NoDerivative] one carries none here (its
        // cotangent is not among its Vjp's parameters either), so its tangent is dropped and its output's is zero.
        var withoutDerivative = new List<Variable>();
        for (int i = 0; i < callee.Parameters.Count; i++)
        {
            ParameterInfo parameter = callee.Parameters[i];
            if (parameter.Kind == ParameterKind.Out && parameter.Type.IsFloating)
            {
                parameters.Add(new ParameterInfo("d" + parameter.Name, DerivativeType(parameter.Type), false, Kind: ParameterKind.Out));
                arguments.Add(new DefaultValue(DerivativeType(parameter.Type)));
                bound.Add(parameter.IsDifferentiable ? OutputTangent(outputs[i], byReference: false) : new Variable("_", DerivativeType(parameter.Type)));
            }

            if (outputs.TryGetValue(i, out Variable? output) && !parameter.IsDifferentiable && output.Type.IsFloating && (Activity.IsActive(output) || HasDerivative(output)))
            {
                withoutDerivative.Add(output);
            }
        }

        var jvpCallee = new MethodCallee(callee.Key, jvp.Owner, jvp.Name, callee.Receiver, parameters.ToEquatableArray(), null, callee.Site);
        IrType type = call.Type.Kind == ValueKind.Void ? IrType.Void : IrType.ValueAndTangent(call.Type);
        Binding? valueAndTangent = result is null ? null : new TupleBinding(EquatableArray.Of(result, TangentBinding(result)));
        foreach (Stmt rented in before)
        {
            yield return rented;
        }

        yield return IrWalk.Rebind(statement, CallOutputs.Bind(valueAndTangent, bound), new Call(jvpCallee, arguments.ToEquatableArray(), type));
        foreach (Variable output in withoutDerivative)
        {
            yield return IrWalk.Rebind(statement, new VariableBinding(DerivativeOf(output)), Const.Zero(DerivativeType(output.Type)));
        }

        foreach (Stmt released in after)
        {
            yield return released;
        }
    }

    private static MethodName JvpCallee(MethodCallee callee) => callee.Derivatives?.Jvp ?? throw (callee.Derivatives is null
        ? new TransformException(DiagnosticDescriptors.NoDerivative.Id, callee.Name, callee.Site)
        : new TransformException(DiagnosticDescriptors.ForwardModeUnavailable.Id, callee.Name, callee.Site));

    /// <summary>The tangent passed for argument <paramref name="i"/>; an array without a tangent gets a pooled zero one.</summary>
    private Expr TangentArgument(MethodCallee callee, Call call, int i, List<Stmt> before, List<Stmt> after)
    {
        Expr argument = call.Arguments[i];
        if (argument.Type.IsBuffer && !HasShadow(argument))
        {
            var (rent, span, release) = ScratchShadow(argument, "d" + (IrWalk.Root(argument)?.Name ?? "argument") + "_" + callee.Parameters[i].Name, null, null);
            before.Add(rent);
            after.Add(release);
            return span;
        }

        Expr tangent = TangentValue(argument);
        return callee.Parameters[i].Type.IsBuffer ? tangent : Build.ConvertTo(callee.Parameters[i].Type, tangent);
    }

    /// <summary>The callee's Jvp; an array argument without a tangent gets a pooled zero one (rented into <paramref name="before"/>).</summary>
    private Expr JvpCall(MethodCallee callee, Call call, List<Stmt> before, List<Stmt> after)
    {
        SingleSweepOnly(callee);

        MethodName jvp = JvpCallee(callee);
        var arguments = new List<Expr>(call.Arguments);
        for (int i = 0; i < callee.Parameters.Count; i++)
        {
            if (callee.Parameters[i].IsDifferentiable)
            {
                arguments.Add(TangentArgument(callee, call, i, before, after));
            }
        }

        var target = new MethodCallee(callee.Key, jvp.Owner, jvp.Name, callee.Receiver, EquatableArray<ParameterInfo>.Empty, null, callee.Site);
        return new Call(target, arguments.ToEquatableArray(), call.Type.Kind == ValueKind.Void ? IrType.Void : IrType.ValueAndTangent(call.Type));
    }

    protected override IrType ShadowType(Variable buffer)
    {
        if (buffer.Type.ElementType.IsBuffer || Function.Parameters.All(p => p.Variable != buffer))
        {
            return DerivativeType(buffer.Type); // a jagged array, or a local buffer: its tangent is the same kind of buffer
        }

        // A parameter's tangent: read-only unless the method writes the parameter (then it holds the final tangent).
        IrType element = DerivativeType(buffer.Type.ElementType);
        return Written.Contains(buffer) ? IrType.Span(element) : IrType.ReadOnlySpan(element);
    }

    /// <summary>The tangent of an atom or tuple of atoms: <c>dv</c> when active, else zero.</summary>
    private Expr TangentValue(Expr value)
    {
        switch (value)
        {
            case var buffer when buffer.Type.IsBuffer:
                return HasShadow(buffer)
                    ? ShadowOf(buffer)
                    : new NewBuffer(IrType.Array(DerivativeType(buffer.Type.ElementType)), new Length(buffer), OnStack: false); // zeros
            case Ref { Variable: var v } when v.Type.IsFloating && (Activity.IsActive(v) || HasDerivative(v)):
                return new Ref(DerivativeOf(v));
            case TupleExpr tuple:
                return new TupleExpr(tuple.Elements.Select(TangentValue).ToEquatableArray(), DerivativeType(tuple.Type));
            case Ref { Variable.Type.Kind: ValueKind.Tuple } tupleRef:
                return new DefaultValue(DerivativeType(tupleRef.Type));
            default:
                return value.Type.IsFloating ? Const.Zero(DerivativeType(value.Type)) : new DefaultValue(DerivativeType(value.Type));
        }
    }

    /// <summary>Σ ∂value/∂operand · d(operand) over the active operands.</summary>
    private Expr TangentExpression(Expr value, Expr result)
    {
        if (value is Call { Callee: MethodCallee callee } call && value.Type.IsFloating)
        {
            // A call of constants (G(0.1, 1.5)) is a constant, whatever the variable it lands in.
            return call.Arguments.Any(a => Activity.IsActive(a) || IrWalk.Root(a) is { } root && Activity.IsActive(root))
                ? throw new TransformException(DiagnosticDescriptors.NoDerivative.Id, callee.Name, callee.Site)
                : Const.Zero(DerivativeType(value.Type));
        }

        Expr sum = Const.Zero(DerivativeType(value.Type));
        foreach ((Expr operand, Expr partial) in ScalarRules.Partials(value, result))
        {
            if (operand is Ref { Variable: var v } && (Activity.IsActive(v) || HasDerivative(v)))
            {
                Expr term = ScalarRules.Term(value, operand, partial, new Ref(DerivativeOf(v)));
                sum = Build.Add(sum, AsDerivativeOf(value.Type, term));
            }
        }

        return sum;
    }

    /// <summary>
    /// Forward mode of a reverse sweep's call <c>GVjp(x, y, ct, out dx, out dy)</c> of a scalar function with a generated
    /// Hvp: <c>GHvp(x, y, ẋ, ẏ, out gx, out gy, out hx, out hy)</c> gives the gradient g and H·(ẋ, ẏ), so that
    /// <c>dx = ct·gx</c> and its tangent is <c>ċt·gx + ct·hx</c>.
    /// </summary>
    private IEnumerable<Stmt> TangentOfVjpCall(MethodCallee vjpCallee, MethodName hvp, Call vjpCall)
    {
        SingleSweepOnly(vjpCallee);

        int count = (vjpCall.Arguments.Count - 1) / 2;
        var inputs = vjpCall.Arguments.Take(count).ToList();
        Expr cotangent = vjpCall.Arguments[count];
        var parts = vjpCall.Arguments.Skip(count + 1).ToList();
        var gradient = inputs.Select(a => Names.Fresh("gradient", a.Type)).ToList();
        var product = inputs.Select(a => Names.Fresh("product", a.Type)).ToList();
        var arguments = inputs.Concat(inputs.Select(TangentValue))
            .Concat(gradient.Select(g => (Expr)new OutArgument(g)))
            .Concat(product.Select(h => (Expr)new OutArgument(h)));
        var hvpCallee = new MethodCallee(vjpCallee.Key, hvp.Owner, hvp.Name, vjpCallee.Receiver, EquatableArray<ParameterInfo>.Empty, null, vjpCallee.Site);
        yield return new Evaluate(new Call(hvpCallee, arguments.ToEquatableArray(), vjpCall.Type), null);
        Expr cotangentTangent = TangentValue(cotangent);
        for (int i = 0; i < count; i++)
        {
            if (parts[i] is OutArgument { Variable: var part } && part.Name != "_")
            {
                yield return new Let(new VariableBinding(part), Build.ConvertTo(part.Type, Build.Multiply(cotangent, new Ref(gradient[i]))), null);
                yield return new Let(
                    new VariableBinding(DerivativeOf(part)),
                    Build.ConvertTo(part.Type, Build.Add(Build.Multiply(cotangentTangent, new Ref(gradient[i])), Build.Multiply(cotangent, new Ref(product[i])))),
                    null);
            }
        }
    }

    private static string Describe(Expr expr) => expr is Call { Callee: MethodCallee m } ? m.Name : expr.GetType().Name;
}
