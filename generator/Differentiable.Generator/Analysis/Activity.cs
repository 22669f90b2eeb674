using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;

namespace Differentiable.Generator.Analysis;

/// <summary>
/// Activity analysis: a variable is active when it is <em>varied</em> (its value depends on a
/// differentiable input) and <em>useful</em> (the result or an out parameter depends on it). Only
/// active variables get tangents and adjoints; an inactive operand contributes no term, so the rule
/// of an inactive exponent in <c>Math.Pow(x, 2.0)</c> is never evaluated.
/// </summary>
/// <remarks>
/// Flow-insensitive over the whole function and iterated to a fixed point: conservative (a
/// variable assigned a varied value anywhere is varied everywhere), never wrong.
/// </remarks>
internal sealed class Activity
{
    private readonly HashSet<Variable> varied;
    private readonly HashSet<Variable> useful;

    private Activity(HashSet<Variable> varied, HashSet<Variable> useful)
    {
        this.varied = varied;
        this.useful = useful;
    }

    public bool IsActive(Variable variable) => varied.Contains(variable) && useful.Contains(variable);

    public bool IsActive(Expr expr) => expr is Ref r && IsActive(r.Variable);

    public bool IsVaried(Variable variable) => varied.Contains(variable);

    public static Activity Analyze(IrFunction function)
    {
        var definitions = new List<(Binding Target, Expr Value)>();
        var outputs = new List<Expr>();
        Collect(function.Body, definitions, outputs);

        var varied = new HashSet<Variable>(function.Parameters
            .Where(p => p.IsDifferentiable && p.Kind != ParameterKind.Out && p.Variable.Type.CarriesDerivative)
            .Select(p => p.Variable));

        // A [NoDerivative] parameter stays constant even when the method (or a callee) writes varied values into it.
        var constant = new HashSet<Variable>(function.Parameters.Where(p => !p.IsDifferentiable && p.Kind != ParameterKind.Out).Select(p => p.Variable));
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach ((Binding target, Expr value) in definitions)
            {
                if ((value.Type.CarriesDerivative || value is Call) && IrWalk.DifferentiableReads(value).Any(varied.Contains))
                {
                    foreach (Variable v in IrWalk.Targets(target).Where(v => v.Type.CarriesDerivative && !constant.Contains(v)))
                    {
                        changed |= varied.Add(v);
                    }
                }
            }
        }

        // Outputs: the result, out and ref parameters, and the final contents of every buffer parameter the method writes.
        var useful = new HashSet<Variable>(function.Parameters
            .Where(p => p.Kind is ParameterKind.Out or ParameterKind.Ref && p.Variable.Type.HasFloating)
            .Select(p => p.Variable));
        var written = WrittenBuffers(function.Body);
        useful.UnionWith(function.Parameters.Select(p => p.Variable).Where(v => v.Type.IsDifferentiableBuffer && written.Contains(v)));
        foreach (Expr output in outputs)
        {
            useful.UnionWith(IrWalk.DifferentiableReads(output));
        }

        changed = true;
        while (changed)
        {
            changed = false;
            foreach ((Binding target, Expr value) in definitions)
            {
                if (IrWalk.Targets(target).Any(useful.Contains))
                {
                    foreach (Variable v in IrWalk.DifferentiableReads(value))
                    {
                        changed |= useful.Add(v);
                    }
                }
            }
        }

        return new Activity(varied, useful);
    }

    /// <summary>
    /// The buffer variables whose elements a block writes: stored to, or passed to a call as a <c>Span</c> or an
    /// array, which the callee may write.
    /// </summary>
    public static HashSet<Variable> WrittenBuffers(Block block)
    {
        var written = new HashSet<Variable>();
        foreach (Stmt statement in IrWalk.Statements(block))
        {
            if (statement is Store { Buffer: var buffer } && IrWalk.Root(buffer) is { } root)
            {
                written.Add(root);
            }

            foreach (Call call in IrWalk.Expressions(statement).SelectMany(IrWalk.Calls))
            {
                foreach (Variable argument in WritableArguments(call))
                {
                    written.Add(argument);
                }
            }
        }

        return written;
    }

    /// <summary>
    /// The buffers a call may write: arguments for parameters of type <c>Span&lt;T&gt;</c> or <c>T[]</c> that the callee
    /// may write (<see cref="ParameterInfo.MayWrite"/>).
    /// </summary>
    public static IEnumerable<Variable> WritableArguments(Call call)
    {
        if (call.Callee is not MethodCallee callee)
        {
            yield break;
        }

        for (int i = 0; i < call.Arguments.Count && i < callee.Parameters.Count; i++)
        {
            if (callee.Parameters[i].MayWrite && IrWalk.Root(call.Arguments[i]) is { } root)
            {
                yield return root;
            }
        }
    }

    private static void Collect(Block block, List<(Binding, Expr)> definitions, List<Expr> outputs)
    {
        foreach (Stmt statement in IrWalk.Statements(block))
        {
            if (IrWalk.Definition(statement) is { } definition)
            {
                definitions.Add(definition);
            }

            switch (statement)
            {
                case Store store when IrWalk.Root(store.Buffer) is { } root:
                    definitions.Add((new VariableBinding(root), store.Value));
                    break;
                case Return { Value: { } value }:
                    outputs.Add(value);
                    break;
            }

            // A callee that writes a buffer argument makes its contents depend on every argument of the call; so does it
            // the values of its out arguments (a reverse sweep's call of a callee's Vjp, under second order).
            foreach (Call call in IrWalk.Expressions(statement).SelectMany(IrWalk.Calls))
            {
                foreach (Variable argument in WritableArguments(call))
                {
                    definitions.Add((new VariableBinding(argument), call));
                }

                foreach (OutArgument output in call.Arguments.OfType<OutArgument>().Where(o => o.Variable.Name != "_"))
                {
                    definitions.Add((new VariableBinding(output.Variable), call));
                }
            }
        }
    }
}
