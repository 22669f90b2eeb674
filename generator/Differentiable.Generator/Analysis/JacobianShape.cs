using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;

namespace Differentiable.Generator.Analysis;

/// <summary>
/// The flattening of a method's inputs and outputs that <c>{M}Jacobian</c> follows (docs/design.md): the n inputs are the
/// differentiable parameters it reads, in parameter order (a floating value one, an array or span its elements, a <c>ref</c>
/// parameter its value on entry); the m outputs are the result (a floating value is one row, a tuple its floating elements, an array its elements), then, in parameter order,
/// every <c>ref</c> and <c>out</c> floating parameter and every differentiable array or span it writes (their values on exit).
/// </summary>
internal sealed record JacobianShape(IrType Element, IReadOnlyList<Parameter> Inputs, bool ResultRow, IReadOnlyList<Parameter> Outputs)
{
    /// <summary>
    /// The shape of a method's Jacobian, or null when it has none (no input or no output) or its shape is not supported yet
    /// (tuple parameters, nested tuples, jagged arrays, <c>float</c> mixed with <c>double</c>).
    /// </summary>
    public static JacobianShape? Of(IrFunction primal) => Of(primal.Parameters, primal.ReturnType, Activity.WrittenBuffers(primal.Body).Contains);

    /// <summary>
    /// The shape as far as the signature tells it (every array or span parameter taken as written): whether a method of this
    /// signature may get a <c>{M}Jacobian</c>, and of which element type, before its body is lowered (DIFF0017).
    /// </summary>
    public static JacobianShape? OfSignature(IReadOnlyList<Parameter> parameters, IrType returnType) => Of(parameters, returnType, _ => true);

    private static JacobianShape? Of(IReadOnlyList<Parameter> parameters, IrType returnType, System.Func<Variable, bool> written)
    {
        var inputs = new List<Parameter>();
        var outputs = new List<Parameter>();
        foreach (Parameter parameter in parameters)
        {
            IrType type = parameter.Variable.Type;
            if (type.Kind == ValueKind.Tuple || (type.IsBuffer && type.ElementType.IsBuffer) || (parameter.Kind == ParameterKind.Out && type.IsFloating && !parameter.IsDifferentiable))
            {
                return null;
            }

            bool differentiable = parameter.IsDifferentiable && (type.IsFloating || type.IsDifferentiableBuffer);
            if (differentiable && parameter.Kind != ParameterKind.Out)
            {
                inputs.Add(parameter);
            }

            if (differentiable && (parameter.Kind is ParameterKind.Ref or ParameterKind.Out || (type.IsBuffer && written(parameter.Variable))))
            {
                outputs.Add(parameter);
            }
        }

        IrType result = returnType;
        bool resultRow = result.IsFloating || (result.Kind == ValueKind.Array && result.ElementType.IsFloating)
            || (result.Kind == ValueKind.Tuple && result.Elements.Any(e => e.IsFloating) && result.Elements.All(e => !e.CarriesDerivative || e.IsFloating));
        if (!resultRow && result.Kind != ValueKind.Void)
        {
            return null; // a nested tuple, a jagged array or a result without derivative
        }

        var resultScalars = result.Kind == ValueKind.Tuple ? result.Elements.Where(e => e.IsFloating) : resultRow ? [result.Scalar()] : [];
        var elements = inputs.Concat(outputs).Select(p => p.Variable.Type.Scalar().Kind).Concat(resultScalars.Select(t => t.Kind)).Distinct().ToList();
        if (inputs.Count == 0 || (!resultRow && outputs.Count == 0) || elements.Count != 1)
        {
            return null;
        }

        return new JacobianShape(elements[0] == ValueKind.Float ? IrType.Float : IrType.Double, inputs, resultRow, outputs) { ResultType = returnType };
    }

    /// <summary>
    /// True when the method may have more outputs than one (a written parameter, an array result, or more than one output):
    /// only then can its Jacobian be built by columns (forward mode) or take more than one row, for which it gets widened
    /// sweeps.
    /// </summary>
    public bool ManyOutputs => Outputs.Count + ResultScalars > 1 || Outputs.Any(p => p.Variable.Type.IsBuffer) || ResultIsArray;

    /// <summary>True when the result is an array: its rows are its elements, so m is known only once the method has run.</summary>
    public bool ResultIsArray => ResultRow && ResultType.IsBuffer;

    /// <summary>The rows of a scalar or tuple result: 1, or its floating elements; 0 for an array result or none.</summary>
    public int ResultScalars => !ResultRow || ResultIsArray ? 0 : ResultType.Kind == ValueKind.Tuple ? ResultType.Elements.Count(e => e.IsFloating) : 1;

    /// <summary>The method's result type.</summary>
    public IrType ResultType { get; init; } = IrType.Void;
}
