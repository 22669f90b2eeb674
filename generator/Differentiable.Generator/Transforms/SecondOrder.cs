using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Transforms;

/// <summary>
/// Second order, IR → IR: <c>{M}Hvp</c> is forward mode (along the direction v) of reverse mode with <c>dResult = 1</c>.
/// The reverse sweep computes the gradient; its tangent along v is the Hessian-vector product H·v.
/// </summary>
internal static class SecondOrder
{
    /// <summary>
    /// <c>double FHvp(x, a, n, vx, va, out dx, da, out hx, ha)</c> from <c>FVjp(x, a, n, dResult, out dx, da)</c>: the
    /// primal's parameters, a direction per differentiable input (<c>v</c> + name), the gradient as <c>{M}Gradient</c> gives it
    /// (<c>d</c> + name), and H·v by the same rules (<c>h</c> + name).
    /// </summary>
    /// <remarks>
    /// <paramref name="widened"/>: the directions and products are <c>Vector256&lt;T&gt;</c> lanes (W directions per sweep, for
    /// <c>{M}Hessian</c>); the gradient stays scalar.
    /// </remarks>
    public static IrFunction Hvp(IrFunction primal, string name, bool widened = false)
    {
        if (!primal.ReturnType.IsFloating)
        {
            throw new TransformException(DiagnosticDescriptors.SecondOrderUnavailable.Id, "a result that is not a double or a float (a Hessian needs a scalar result)");
        }

        if (primal.Parameters.FirstOrDefault(p => p.Kind is ParameterKind.Out or ParameterKind.Ref) is { } outOrRef)
        {
            throw new TransformException(DiagnosticDescriptors.SecondOrderUnavailable.Id, $"the {(outOrRef.Kind == ParameterKind.Out ? "out" : "ref")} parameter '{outOrRef.Variable.Name}' (second order supports value, array and span parameters)");
        }

        var written = Analysis.Activity.WrittenBuffers(primal.Body);
        foreach (Parameter parameter in primal.Parameters.Where(p => p.IsDifferentiable && p.Variable.Type.CarriesDerivative))
        {
            IrType type = parameter.Variable.Type;
            string? why = type switch
            {
                { IsBuffer: true } when written.Contains(parameter.Variable) =>
                    $"the parameter '{parameter.Variable.Name}', which it writes (second order supports parameters it only reads)",
                { IsBuffer: true, ElementType.IsFloating: false } or { Kind: ValueKind.Tuple } =>
                    $"the parameter '{parameter.Variable.Name}' of type {type.CSharp} (second order supports floating values, arrays and spans)",
                _ when (type.IsBuffer ? type.ElementType : type).Kind != primal.ReturnType.Kind =>
                    $"the parameter '{parameter.Variable.Name}' of type {type.CSharp}, which mixes float and double with its {primal.ReturnType.CSharp} result",
                _ => null,
            };
            if (why is not null)
            {
                throw new TransformException(DiagnosticDescriptors.SecondOrderUnavailable.Id, why);
            }
        }

        // FVjp's parameters: the primal's, dResult, then one adjoint per differentiable input. The Hvp checks its own arguments.
        IrFunction vjp = Adjoint.Apply(primal, name, argumentChecks: false);
        int count = primal.Parameters.Count;
        Parameter dResult = vjp.Parameters[count];
        var adjoints = vjp.Parameters.Skip(count + 1).ToList();
        var inputs = primal.Parameters.Where(p => p.IsDifferentiable && p.Variable.Type.CarriesDerivative).ToList();

        // dResult = 1 makes the reverse sweep a gradient; shadows carry derivatives of their own (H·v accumulates into ha).
        IrType resultType = primal.ReturnType;
        var seeded = vjp with
        {
            Parameters = vjp.Parameters.Where(p => p != dResult)
                .Select(p => adjoints.Contains(p) && p.Variable.Type.IsBuffer ? p with { IsDifferentiable = true } : p)
                .ToEquatableArray(),
            Body = new Block(new Stmt[] { new Let(new VariableBinding(dResult.Variable), Const.One(resultType), null) }.Concat(vjp.Body.Statements).ToEquatableArray()),
        };

        var names = new Dictionary<Variable, string>();
        for (int i = 0; i < inputs.Count; i++)
        {
            names[inputs[i].Variable] = "v" + inputs[i].Variable.Name;
            names[adjoints[i].Variable] = "h" + inputs[i].Variable.Name;
        }

        // A call with out or ref arguments is not inlined, and its Vjp has no forward mode of its own.
        if (IrWalk.Statements(primal.Body).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Calls).FirstOrDefault(CallOutputs.HasOutputParameters) is { Callee: MethodCallee withOutputs })
        {
            throw new TransformException(
                DiagnosticDescriptors.SecondOrderUnavailable.Id,
                $"the call to '{withOutputs.Name}' with out or ref arguments (second order does not go through them yet; return a tuple instead)",
                withOutputs.Site);
        }

        // The reverse sweep's calls of other methods' Vjp have no forward mode of their own yet.
        if (IrWalk.Statements(seeded.Body).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Calls)
                .Select(c => c.Callee).OfType<MethodCallee>().FirstOrDefault(c => c.Site is not null && c.Derivatives is null && c.Parameters.Count == 0) is { } call)
        {
            string callee = call.Key.Split('(')[0].Split('.').Last();
            throw new TransformException(
                DiagnosticDescriptors.SecondOrderUnavailable.Id,
                callee == primal.Name
                    ? $"the recursive call to '{callee}' (second order does not go through recursion: write it as a loop)"
                    : $"the call to '{callee}', whose reverse mode has no second order yet (write the callee's body in the method)",
                call.Site);
        }

        IrFunction composed = Tangent.OfSweep(seeded, name, names, out var tangents, widened ? DerivativeTransform.WidenedWidth(primal) : 1);

        // The contract's order: the primal's parameters, the directions, the gradient, H·v.
        var byVariable = composed.Parameters.ToDictionary(p => p.Variable);
        var directions = inputs.Select(p => byVariable[tangents[p.Variable]]);
        var products = adjoints.Select(p => byVariable[tangents[p.Variable]]);
        var ordered = composed.Parameters.Take(count).Concat(directions).Concat(adjoints.Select(p => byVariable[p.Variable])).Concat(products).ToList();
        if (ordered.Count != composed.Parameters.Count)
        {
            throw new System.InvalidOperationException($"Hvp of '{primal.Name}': {composed.Parameters.Count} parameters, {ordered.Count} placed");
        }

        // Before any work: no null array, every direction, gradient and product as long as its input, and nothing written
        // (the gradient's shadows, the products) sharing memory with another argument.
        var buffers = inputs.Where(p => p.Variable.Type.IsBuffer).ToList();
        var bufferArguments = primal.Parameters.Where(p => p.Variable.Type.IsBuffer).Select(p => (p.Variable, false))
            .Concat(buffers.Select(p => (tangents[p.Variable], false)))
            .Concat(adjoints.Where(p => p.Variable.Type.IsBuffer).SelectMany(p => new[] { (p.Variable, true), (tangents[p.Variable], true) }))
            .ToList();
        var lengthChecks = new List<(Variable, Variable)>();
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Variable.Type.IsBuffer)
            {
                lengthChecks.Add((inputs[i].Variable, tangents[inputs[i].Variable]));
                lengthChecks.Add((inputs[i].Variable, adjoints[i].Variable));
                lengthChecks.Add((inputs[i].Variable, tangents[adjoints[i].Variable]));
            }
        }

        // An empty direction is zeros; an empty gradient or product shadow is "not wanted": a pooled scratch stands in,
        // given back before the result is returned (as {M}Vjp does).
        var unwanted = new List<(Stmt Substitution, Stmt? Release)>();
        if (!widened)
        {
            var scope = NameScope.Of(composed);
            foreach ((Variable input, Variable shadow) in lengthChecks)
            {
                bool direction = shadow.Type.Kind == ValueKind.ReadOnlySpan;
                if (DerivativeTransform.Unwanted(input, shadow, reverse: !direction, scope) is { } substitution)
                {
                    unwanted.Add(substitution);
                }
            }
        }

        var checks = DerivativeTransform.ArgumentChecks(bufferArguments, lengthChecks, unwanted.Select(u => u.Substitution));
        var releases = unwanted.Select(u => u.Release).OfType<Stmt>().ToList();
        return composed with
        {
            Parameters = ordered.Select(p => p with { IsDifferentiable = false }).ToEquatableArray(),
            Body = new Block(checks.Concat(BeforeReturns(composed.Body, releases).Statements).ToEquatableArray()),
        };
    }

    /// <summary><paramref name="block"/> with <paramref name="statements"/> before each of its returns (inside a tape scope too).</summary>
    private static Block BeforeReturns(Block block, IReadOnlyList<Stmt> statements) =>
        statements.Count == 0 ? block : new Block(block.Statements.SelectMany(s => s switch
        {
            Return => statements.Append(s),
            TapeScope scope => [scope with { Body = BeforeReturns(scope.Body, statements) }],
            _ => (IEnumerable<Stmt>)[s],
        }).ToEquatableArray());
}
