using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Analysis;

/// <summary>
/// The checks that need the whole lowered method: a call whose result carries a derivative must
/// have one (built in, [Differentiable], or registered), and forward mode needs a forward rule.
/// Together with the construct checks in Lowering, this decides what can be differentiated.
/// </summary>
internal static class Checker
{
    public sealed record Result(EquatableArray<DiagnosticInfo> Diagnostics, bool CanDifferentiate, bool HasForwardMode);

    public static Result Check(IrFunction function, string methodName)
    {
        var activity = Activity.Analyze(function);
        var diagnostics = new List<DiagnosticInfo>();
        bool canDifferentiate = true, hasForwardMode = true;
        foreach ((Binding target, Call call) in Calls(function.Body))
        {
            if (call.Callee is not MethodCallee callee || !IrWalk.Targets(target).Any(activity.IsActive))
            {
                continue;
            }

            string name = callee.Key.Replace("global::", string.Empty);
            if (callee.Derivatives is null)
            {
                canDifferentiate = false;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoDerivative, callee.Site, name, methodName));
            }
            else if (callee.Derivatives.Vjp is null)
            {
                canDifferentiate = false;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoDerivative, callee.Site, name + " (reverse mode)", methodName));
            }
            else if (callee.Derivatives.Jvp is null && hasForwardMode)
            {
                hasForwardMode = false;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ForwardModeUnavailable, callee.Site, name, methodName));
            }
        }

        return new Result(diagnostics.ToEquatableArray(), canDifferentiate, hasForwardMode);
    }

    private static IEnumerable<(Binding, Call)> Calls(Block block)
    {
        foreach (Stmt statement in block.Statements)
        {
            if (IrWalk.Definition(statement) is (var target, Call call))
            {
                yield return (target, call);
                continue;
            }

            switch (statement)
            {
                case If branch:
                    foreach (var inner in Calls(branch.Then).Concat(Calls(branch.Else)))
                    {
                        yield return inner;
                    }

                    break;
            }
        }
    }
}
