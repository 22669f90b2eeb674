using System.Collections.Generic;
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

    protected DerivativeTransform(IrFunction primal)
    {
        Function = Flatten.Apply(primal);
        Activity = Activity.Analyze(Function);
        Names = NameScope.Of(Function);
    }

    protected IrFunction Function { get; }

    protected Activity Activity { get; }

    protected NameScope Names { get; }

    /// <summary>The derivatives handed out so far: tangents in forward mode, adjoints in reverse mode.</summary>
    protected IEnumerable<Variable> Derivatives => derivatives.Values;

    protected bool HasDerivative(Variable variable) => derivatives.ContainsKey(variable);

    /// <summary>The derivative of <paramref name="variable"/>: <c>dx</c> for <c>x</c>, suffixed if taken.</summary>
    protected Variable DerivativeOf(Variable variable)
    {
        if (!derivatives.TryGetValue(variable, out Variable? derivative))
        {
            derivative = Names.Fresh("d" + variable.Name, variable.Type);
            derivatives[variable] = derivative;
        }

        return derivative;
    }
}
