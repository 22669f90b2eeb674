using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Analysis;

/// <summary>
/// The checks that need the whole lowered method: a call whose result carries a derivative must
/// have one (built in, [Differentiable], or registered), and forward mode needs a forward rule.
/// Together with the construct checks in Lowering, this decides what can be differentiated.
/// </summary>
internal static class Checker
{
    /// <summary>
    /// The diagnostics, whether the method can be differentiated and has forward mode (its callees aside), and its
    /// differentiated calls to [Differentiable] methods of this compilation (see <see cref="CalleeOutcomes"/>).
    /// </summary>
    public sealed record Result(EquatableArray<DiagnosticInfo> Diagnostics, bool CanDifferentiate, bool HasForwardMode, EquatableArray<CalleeCall> Calls);

    public static Result Check(IrFunction function, string methodName, SourceSpan location)
    {
        var activity = Activity.Analyze(function);
        var diagnostics = new List<DiagnosticInfo>();
        diagnostics.AddRange(ZeroDerivatives(function.Body, activity, methodName));
        if (function.ReturnType.HasFloating && !Outputs(function.Body).SelectMany(IrWalk.DifferentiableReads).Any(activity.IsVaried))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ResultIndependentOfParameters, location, methodName));
        }

        bool canDifferentiate = true, hasForwardMode = true;
        var calls = new List<CalleeCall>();
        var written = Activity.WrittenBuffers(function.Body);
        foreach ((IEnumerable<Variable> targets, Call call) in Calls(function.Body))
        {
            bool writesActiveBuffer = call.Arguments.Any(a => IrWalk.Root(a) is { } root && written.Contains(root) && activity.IsActive(root));
            if (call.Callee is not MethodCallee callee || !(targets.Any(activity.IsActive) || writesActiveBuffer))
            {
                continue;
            }

            string name = callee.Key.Replace("global::", string.Empty);
            if (callee.Derivatives is { IsThisCompilation: true })
            {
                calls.Add(new CalleeCall(callee.Key, (callee.Owner is { } owner ? owner.Substring(owner.LastIndexOf('.') + 1) + "." : string.Empty) + callee.Name, callee.Site));
            }

            if (callee.Derivatives is null)
            {
                canDifferentiate = false;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoDerivative, callee.Site, name, methodName, NoDerivativeAdvice(callee)));
            }
            else if (callee.Derivatives.Vjp is null)
            {
                canDifferentiate = false;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoDerivative, callee.Site, name + " (reverse mode)", methodName, "Register a Vjp-shaped derivative of it with [DerivativeOf]"));
            }
            else if (callee.Derivatives.Jvp is null && hasForwardMode)
            {
                hasForwardMode = false;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ForwardModeUnavailable, callee.Site, name, methodName, "only a reverse-mode registration"));
            }
        }

        return new Result(diagnostics.ToEquatableArray(), canDifferentiate, hasForwardMode, calls.ToEquatableArray());
    }

    /// <summary>What to do about a call with no derivative (DIFF0003), for the kind of callee it is.</summary>
    public static string NoDerivativeAdvice(MethodCallee callee)
    {
        string owner = callee.Key.Substring(0, callee.Key.IndexOf('(') is int paren and > 0 ? callee.Key.LastIndexOf('.', paren) : callee.Key.Length)
            .Replace("global::", string.Empty);
        string type = owner.Substring(owner.LastIndexOf('.') + 1);
        if (owner == "System.Linq.Enumerable")
        {
            return $"LINQ's '{callee.Name}' is not differentiated (nor are its lambdas): write it as a loop over the elements, for (int i = 0; i < a.Length; i++) …";
        }

        return callee.InSource
            ? $"Mark it [Differentiable], register a derivative with [DerivativeOf], or mark the argument's source parameter [NoDerivative]"
            : $"Register a derivative with [DerivativeOf(typeof({type}), nameof({type}.{callee.Name}))] in your project, or pass NoDerivative.Of(…) if no derivative should flow through it";
    }

    /// <summary>
    /// DIFF0014: a varied value through an integer conversion or a rounding function loses its derivative.
    /// Conditions and bool values are not checked: there rounding only chooses a branch.
    /// </summary>
    private static IEnumerable<DiagnosticInfo> ZeroDerivatives(Block block, Activity activity, string methodName)
    {
        var reported = new HashSet<SourceSpan>();
        foreach (Expr root in Expressions(block))
        {
            var stack = new Stack<Expr>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                Expr expr = stack.Pop();
                (string? what, SourceSpan? site, Expr? operand) = expr switch
                {
                    Convert { Site: { } s, Type.IsFloating: false, Operand.Type.IsFloating: true } c => ($"The conversion to '{c.Type.CSharp}'", s, c.Operand),
                    Call { Site: { } s, Callee: Primitive p } call when ScalarRules.IsPiecewiseConstant(p.Function) =>
                        ("Math." + p.Function, s, call.Arguments[0]),
                    _ => (null, null, null),
                };
                if (what is not null && operand is not null && ValueReads(operand).Any(activity.IsVaried) && reported.Add(site!))
                {
                    yield return DiagnosticInfo.Create(DiagnosticDescriptors.DerivativeThroughRounding, site, what, methodName);
                }

                foreach (Expr child in Children(expr))
                {
                    stack.Push(child);
                }
            }
        }
    }

    /// <summary>The variables a value is computed from through floating operations (not through conditions).</summary>
    private static IEnumerable<Variable> ValueReads(Expr expr) =>
        expr is Ref r ? [r.Variable] : IrWalk.DifferentiableReads(expr);

    private static IEnumerable<Expr> Children(Expr expr) => expr switch
    {
        Unary u => [u.Operand],
        Binary b => [b.Left, b.Right],
        Convert c => [c.Operand],
        Overflow o => [o.Operand],
        Conditional c => [c.WhenTrue, c.WhenFalse], // a condition only chooses a branch
        Call call => call.Arguments,
        TupleExpr tuple => tuple.Elements,
        Element element => [element.Tuple],
        _ => [],
    };

    private static IEnumerable<Expr> Expressions(Block block) =>
        IrWalk.Statements(block).SelectMany(s => s switch
        {
            Let let when let.Value.Type.Kind != ValueKind.Boolean => [let.Value],
            Assign assign when assign.Value.Type.Kind != ValueKind.Boolean => [assign.Value],
            Store store => [store.Value],
            Return { Value: { } value } => [value],
            Evaluate evaluate => [evaluate.Value],
            _ => (IEnumerable<Expr>)[], // a condition only chooses a branch: rounding there loses no derivative
        });

    private static IEnumerable<Expr> Outputs(Block block) =>
        IrWalk.Statements(block).SelectMany(s => s is Return { Value: { } value } ? [value] : (IEnumerable<Expr>)[]);

    /// <summary>Every call a statement evaluates, with the variables it defines (none for a call evaluated for its effects).</summary>
    private static IEnumerable<(IEnumerable<Variable> Targets, Call Call)> Calls(Block block)
    {
        foreach (Stmt statement in IrWalk.Statements(block))
        {
            if (IrWalk.Definition(statement) is (var target, Call call))
            {
                yield return (IrWalk.Targets(target), call);
            }
            else if (statement is Evaluate { Value: Call evaluated })
            {
                yield return ([], evaluated);
            }
        }
    }
}
