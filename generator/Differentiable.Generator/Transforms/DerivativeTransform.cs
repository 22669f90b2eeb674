using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Analysis;
using Differentiable.Generator.Ir;

namespace Differentiable.Generator.Transforms;

/// <summary>
/// What forward and reverse mode share: the function in flattened form, its activity, a name scope,
/// and one derivative variable per active variable, named <c>d</c> + its name.
/// </summary>
internal abstract class DerivativeTransform
{
    private readonly Dictionary<Variable, Variable> derivatives = new();

    protected DerivativeTransform(IrFunction primal, int width = 1)
    {
        Function = CommonSubexpressions.Apply(Flatten.Apply(primal));
        Activity = Activity.Analyze(Function);
        Names = NameScope.Of(Function);
        Width = width;
    }

    /// <summary>
    /// The sweep's width: 1 carries one derivative per value; a widened sweep carries <see cref="IrType.LaneCount"/> of them
    /// in the lanes of a <c>Vector256&lt;T&gt;</c> (<see cref="IrType.Derivative"/>).
    /// </summary>
    protected int Width { get; }

    /// <summary>
    /// A widened sweep calls no other method's derivatives (a registration or a referenced library may have no widened
    /// ones): its callees are inlined, or it has no widened sweep. Throws for a call to <paramref name="callee"/> when wide.
    /// </summary>
    protected void SingleSweepOnly(MethodCallee callee)
    {
        if (Width > 1)
        {
            throw new TransformException(Diagnostics.DiagnosticDescriptors.UnsupportedConstruct.Id, $"a widened sweep of a call to {callee.Name}", callee.Site);
        }
    }

    /// <summary>The type of the derivative of a value of type <paramref name="primal"/> in this sweep.</summary>
    protected IrType DerivativeType(IrType primal) => primal.Derivative(Width);

    /// <summary>
    /// A derivative term as the derivative of a value of type <paramref name="primal"/>: converted where a single sweep mixes
    /// <c>float</c> and <c>double</c>; a widened sweep never mixes them (<see cref="WidenedWidth"/>).
    /// </summary>
    protected Expr AsDerivativeOf(IrType primal, Expr term) => Width == 1 ? Build.ConvertTo(primal, term) : term;

    /// <summary>
    /// The width of a widened sweep of <paramref name="primal"/>: the lanes of a <c>Vector256</c> of its floating type. Jagged
    /// arrays and code that mixes <c>float</c> and <c>double</c> have no widened sweep (a <see cref="TransformException"/>).
    /// </summary>
    internal static int WidenedWidth(IrFunction primal)
    {
        var types = primal.Parameters.Select(p => p.Variable.Type)
            .Concat(IrWalk.Statements(primal.Body).SelectMany(IrWalk.Expressions).Select(e => e.Type))
            .Append(primal.ReturnType)
            .ToList();
        if (types.Any(t => t.IsBuffer && t.ElementType.IsBuffer))
        {
            throw new TransformException(Diagnostics.DiagnosticDescriptors.UnsupportedConstruct.Id, "a widened sweep of a jagged array");
        }

        var floating = types.SelectMany(Scalars).Where(t => t.IsFloating).Select(t => t.Kind).Distinct().ToList();
        return floating.Count == 1
            ? IrType.LaneCount(floating[0] == ValueKind.Float ? IrType.Float : IrType.Double)
            : throw new TransformException(Diagnostics.DiagnosticDescriptors.UnsupportedConstruct.Id, "a widened sweep of code that mixes float and double");

        static IEnumerable<IrType> Scalars(IrType type) =>
            type.Kind == ValueKind.Tuple ? type.Elements.SelectMany(Scalars) : [type.Scalar()];
    }

    protected IrFunction Function { get; }

    protected Activity Activity { get; }

    protected NameScope Names { get; }

    /// <summary>The derivatives handed out so far: tangents in forward mode, adjoints in reverse mode.</summary>
    protected IEnumerable<Variable> Derivatives => derivatives.Values;

    protected bool HasDerivative(Variable variable) => derivatives.ContainsKey(variable);

    /// <summary>The variable <paramref name="derivative"/> is the derivative of, or null.</summary>
    protected Variable? PrimalOf(Variable derivative) => derivatives.FirstOrDefault(d => d.Value == derivative).Key;

    /// <summary>
    /// The derivative of <paramref name="variable"/>: <c>dx</c> for <c>x</c>, suffixed if taken. A buffer's derivative
    /// is its shadow, of the type <see cref="ShadowType"/> gives.
    /// </summary>
    protected Variable DerivativeOf(Variable variable)
    {
        if (!derivatives.TryGetValue(variable, out Variable? derivative))
        {
            derivative = Names.Fresh(DerivativeName(variable), variable.Type.IsBuffer ? ShadowType(variable) : DerivativeType(variable.Type));
            derivatives[variable] = derivative;
        }

        return derivative;
    }

    /// <summary>The name a derivative is given before a suffix makes it unique: <c>d</c> + the variable's name.</summary>
    protected virtual string DerivativeName(Variable variable) => "d" + variable.Name;

    /// <summary>The type of a buffer's shadow (its tangent or adjoint).</summary>
    protected abstract IrType ShadowType(Variable buffer);

    /// <summary>The shadow of a buffer expression: <c>da</c> for <c>a</c>, the row <c>da[i]</c> for the row <c>a[i]</c>.</summary>
    protected Expr ShadowOf(Expr buffer) => buffer switch
    {
        Ref { Variable: var v } => new Ref(DerivativeOf(v)),
        Load load => load with { Buffer = ShadowOf(load.Buffer) },
        Slice slice => slice with { Buffer = ShadowOf(slice.Buffer) },
        _ => throw new System.InvalidOperationException("not a buffer expression: " + buffer),
    };

    /// <summary>True when a buffer expression's root has a shadow.</summary>
    protected bool HasShadow(Expr buffer) => IrWalk.Root(buffer is Slice slice ? slice.Buffer : buffer) is { } root && (Activity.IsActive(root) || HasDerivative(root));

    /// <summary>The buffer variables whose elements the function writes.</summary>
    protected HashSet<Variable> Written => written ??= Analysis.Activity.WrittenBuffers(Function.Body);

    private HashSet<Variable>? written;

    /// <summary>
    /// A buffer's definition and, when the buffer is active and allocated here, its shadow's: the same allocation,
    /// zeroed (<c>double[] dq = new double[n];</c>, or a cleared <c>stackalloc</c>, which SkipLocalsInit leaves dirty). An
    /// array a call returns gets a new zeroed array of its length.
    /// </summary>
    protected IEnumerable<Stmt> WithShadow(Let definition)
    {
        yield return definition;
        if (definition is { Target: VariableBinding { Variable: var result }, Value: Call } && HasShadow(new Ref(result)))
        {
            Variable shadow = DerivativeOf(result);
            yield return new Let(new VariableBinding(shadow), new NewBuffer(shadow.Type, new Length(new Ref(result)), OnStack: false), definition.Origin);
        }
        else if (definition is { Target: VariableBinding { Variable: var buffer }, Value: var allocation } && HasShadow(new Ref(buffer)) && IrWalk.IsAllocation(allocation))
        {
            Variable shadow = DerivativeOf(buffer);
            yield return new Let(new VariableBinding(shadow), ShadowAllocation(allocation, shadow.Type), definition.Origin);
            if (OnStack(allocation))
            {
                yield return Clear(shadow);
            }
        }
    }

    /// <summary>The same allocation as a buffer's (<c>new double[n]</c>, <c>stackalloc double[n]</c>…) for its shadow.</summary>
    private static Expr ShadowAllocation(Expr allocation, IrType type) => allocation switch
    {
        NewBuffer buffer => buffer with { Type = type },
        Conditional choice => choice with { WhenTrue = ShadowAllocation(choice.WhenTrue, type), WhenFalse = ShadowAllocation(choice.WhenFalse, type), Type = type },
        _ => throw new System.InvalidOperationException("not an allocation: " + allocation),
    };

    /// <summary><c>shadow.Clear();</c></summary>
    private static Stmt Clear(Variable shadow) =>
        new Evaluate(new Call(new MethodCallee("Clear", null, "Clear", new Ref(shadow), Model.EquatableArray<ParameterInfo>.Empty, null, null), Model.EquatableArray<Expr>.Empty, IrType.Void), null);

    /// <summary>
    /// The run-time checks a generated entry point makes before it touches memory: a buffer that is written (a written
    /// parameter, every adjoint shadow, a written tangent) shares no memory with any other buffer argument, and each
    /// shadow has its primal's length (for a jagged array, its shape). Two read-only buffers may alias.
    /// </summary>
    internal static IEnumerable<Stmt> ArgumentChecks(IReadOnlyList<(Variable Buffer, bool Written)> buffers, IEnumerable<(Variable Primal, Variable Shadow)> shadows, IEnumerable<Stmt>? unwanted = null)
    {
        // A null array is an ArgumentNullException naming it, before any work (a jagged array and its shadow: CheckShape).
        var shapeChecked = new HashSet<Variable>(shadows.Where(s => s.Primal.Type.ElementType.IsBuffer).SelectMany(s => new[] { s.Primal, s.Shadow }));
        foreach ((Variable buffer, _) in buffers.Where(b => b.Buffer.Type.Kind == ValueKind.Array && !shapeChecked.Contains(b.Buffer)))
        {
            yield return new Evaluate(
                new Call(new MethodCallee("ThrowIfNull", "global::System.ArgumentNullException", "ThrowIfNull", null, Model.EquatableArray<ParameterInfo>.Empty, null, null), Model.EquatableArray.Of<Expr>(new Ref(buffer)), IrType.Void),
                null);
        }

        foreach (Stmt substitution in unwanted ?? [])
        {
            yield return substitution;
        }

        foreach ((Variable primal, Variable shadow) in shadows)
        {
            yield return primal.Type.ElementType.IsBuffer
                ? Check("CheckShape<" + primal.Type.Scalar().CSharp + ">", new Ref(primal), new NameOf(primal), new Ref(shadow), new NameOf(shadow))
                : Check("CheckLength", new Length(new Ref(primal)), new NameOf(primal), new Length(new Ref(shadow)), new NameOf(shadow));
        }

        for (int i = 0; i < buffers.Count; i++)
        {
            for (int j = i + 1; j < buffers.Count; j++)
            {
                (Variable first, bool firstWritten) = buffers[i];
                (Variable second, bool secondWritten) = buffers[j];
                if ((firstWritten || secondWritten) && !first.Type.ElementType.IsBuffer && !second.Type.ElementType.IsBuffer
                    && first.Type.ElementType.Equals(second.Type.ElementType))
                {
                    yield return Check("CheckDistinct<" + first.Type.ElementType.CSharp + ">", new Ref(first), new NameOf(first), new Ref(second), new NameOf(second));
                }
            }
        }
    }

    /// <summary>
    /// An empty shadow for a non-empty array means "not wanted" (shared/DESIGN.md): in reverse mode a pooled scratch shadow
    /// stands in, <c>da = Shadows.OrScratch(da, a.Length, out double[]? daUnwanted);</c>, given back at the end (the
    /// release statement returned); in forward mode a read-only parameter's empty tangent is zeros,
    /// <c>da = Shadows.OrZeros(da, a.Length);</c>. Jagged arrays have no such stand-in: their shapes must match.
    /// </summary>
    protected (Stmt Substitution, Stmt? Release)? Unwanted(Variable primal, Variable shadow, bool reverse) => Unwanted(primal, shadow, reverse, Names);

    /// <summary>As above, with fresh names from <paramref name="names"/> (for a function composed of transforms: second order).</summary>
    internal static (Stmt Substitution, Stmt? Release)? Unwanted(Variable primal, Variable shadow, bool reverse, NameScope names)
    {
        if (primal.Type.ElementType.IsBuffer || !(reverse ? shadow.Type.Kind == ValueKind.Span : shadow.Type.Kind == ValueKind.ReadOnlySpan))
        {
            return null;
        }

        IrType element = shadow.Type.ElementType;
        if (!reverse)
        {
            return (new Assign(new VariableBinding(shadow), new Call(ShadowsMethod("OrZeros<" + element.CSharp + ">"), Model.EquatableArray.Of<Expr>(new Ref(shadow), new Length(new Ref(primal))), shadow.Type), null), null);
        }

        Variable scratch = names.Fresh(shadow.Name + "Unwanted", IrType.Scalar(ValueKind.Other, element.CSharp + "[]?"));
        var substitution = new Assign(
            new VariableBinding(shadow),
            new Call(ShadowsMethod("OrScratch<" + element.CSharp + ">"), Model.EquatableArray.Of<Expr>(new Ref(shadow), new Length(new Ref(primal)), new OutArgument(scratch)), shadow.Type),
            null);
        return (substitution, Check("Return", new Ref(scratch)));
    }

    /// <summary>
    /// A pooled, zeroed scratch shadow for a call argument that has none of its own (or that is passed twice): the
    /// statement renting it, the span to pass, and the statement giving it back, after adding it into
    /// <paramref name="into"/> when there is one.
    /// </summary>
    protected (Stmt Rent, Expr Span, Stmt Release) ScratchShadow(Expr argument, string name, Expr? into, Origin? origin)
    {
        IrType element = argument.Type.ElementType;
        Variable scratch = Names.Fresh(name, IrType.Array(element));
        MethodCallee rent = ShadowsMethod("Rent<" + element.CSharp + ">");
        var asSpan = new MethodCallee("AsSpan", "global::System.MemoryExtensions", "AsSpan", null, Model.EquatableArray<ParameterInfo>.Empty, null, null);
        return (
            new Let(new VariableBinding(scratch), new Call(rent, Model.EquatableArray.Of<Expr>(new Length(argument)), scratch.Type), origin),
            new Call(asSpan, Model.EquatableArray.Of<Expr>(new Ref(scratch), Const.Zero(IrType.Int), new Length(argument)), IrType.Span(element)),
            into is null ? Check("Return", new Ref(scratch)) : Check("Release", new Ref(scratch), into));
    }

    /// <summary>A call to <c>global::Differentiable.Shadows.{name}</c>, evaluated for its effect.</summary>
    protected static Stmt Check(string name, params Expr[] arguments) =>
        new Evaluate(new Call(ShadowsMethod(name), Model.EquatableArray.Of(arguments), IrType.Void), null);

    /// <summary><c>global::Differentiable.Shadows.{name}</c>.</summary>
    protected static MethodCallee ShadowsMethod(string name) =>
        new("Shadows." + name, "global::Differentiable.Shadows", name, null, Model.EquatableArray<ParameterInfo>.Empty, null, null);

    /// <summary>True when an allocation puts (part of) the buffer on the stack: its shadow must be cleared (SkipLocalsInit).</summary>
    private static bool OnStack(Expr allocation) => allocation switch
    {
        NewBuffer buffer => buffer.OnStack,
        Conditional choice => OnStack(choice.WhenTrue) || OnStack(choice.WhenFalse),
        _ => false,
    };
}
