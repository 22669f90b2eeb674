using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Transforms;
using Microsoft.CodeAnalysis;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Analysis;

/// <summary>
/// The one differentiability checker (shared design principle 3), used by the analyzer to report and by
/// the generator to skip: Lowering's construct checks, then the calls resolved against the registry,
/// then the whole-method checks of <see cref="Checker"/>.
/// </summary>
internal static class MethodCheck
{
    /// <summary>
    /// The resolved primal and its derivatives when the method can be differentiated (else null; Jvp is also null without
    /// forward mode), every diagnostic, and what the method's own checks decide with the calls that depend on its callees
    /// (<see cref="CalleeOutcomes"/> settles those).
    /// </summary>
    public sealed record Result(IrFunction? Primal, IrFunction? Jvp, IrFunction? Vjp, EquatableArray<DiagnosticInfo> Diagnostics, OwnOutcome Own, EquatableArray<CalleeCall> Calls)
    {
        /// <summary>The Hessian-vector product (<c>Order = 2</c>), or null.</summary>
        public IrFunction? Hvp { get; init; }

        /// <summary>The widened Jvp (W directions in one sweep) that <c>{M}Jacobian</c> builds columns with, or null.</summary>
        public IrFunction? WidenedJvp { get; init; }

        /// <summary>The widened Vjp (W cotangents in one sweep) that <c>{M}Jacobian</c> builds rows with, or null.</summary>
        public IrFunction? WidenedVjp { get; init; }

        /// <summary>The widened Hvp (W directions in one sweep) that <c>{M}Hessian</c> builds rows with, or null.</summary>
        public IrFunction? WidenedHvp { get; init; }

        public bool HasForwardMode => Own.HasForwardMode;
    }

    /// <remarks>
    /// Without <paramref name="inlining"/> (the analyzer), the derivatives are not returned: only the diagnostics count.
    /// <paramref name="inlining"/> holds the small methods to inline before the transforms (the generator has them; the
    /// analyzer, which sees one method, does not). When the transforms fail on the inlined body, they run on the body as
    /// written, which is what the analyzer checks.
    /// </remarks>
    /// <remarks>
    /// <paramref name="secondOrderInlining"/> (<c>Order = 2</c> only) holds every callee second order inlines whatever its
    /// size; the analyzer and the generator find the same ones.
    /// </remarks>
    public static Result Run(IrFunction? lowered, IEnumerable<DiagnosticInfo> loweringDiagnostics, Registry registry, string key, string methodName, SourceSpan location, Inlining? inlining = null, int order = 1, Inlining? secondOrderInlining = null)
    {
        var diagnostics = new List<DiagnosticInfo>(loweringDiagnostics);
        if (order is not (1 or 2))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidOrder, location, order.ToString(System.Globalization.CultureInfo.InvariantCulture), methodName));
        }

        if (lowered is null)
        {
            return new Result(null, null, null, DiagnosticInfo.OncePerConstruct(diagnostics), new OwnOutcome(key, false, false, EquatableArray<string>.Empty), EquatableArray<CalleeCall>.Empty);
        }

        IrFunction primal = registry.Resolve(lowered);
        Checker.Result check = Checker.Check(primal, methodName, location);
        diagnostics.AddRange(check.Diagnostics);
        var callees = check.Calls.Select(c => c.Key).Distinct().OrderBy(k => k, System.StringComparer.Ordinal).ToEquatableArray();
        Result Done(IrFunction? primal, IrFunction? jvp, IrFunction? vjp, bool canDifferentiate) =>
            new(primal, jvp, vjp, DiagnosticInfo.OncePerConstruct(diagnostics), new OwnOutcome(key, canDifferentiate, check.HasForwardMode, callees), check.Calls);

        if (!check.CanDifferentiate || order is not (1 or 2))
        {
            return Done(null, null, null, canDifferentiate: false);
        }

        // Checking alone (the analyzer: no inlining given), code without loops or arrays needs no transform: the
        // transforms reject nothing there that the checks above have not reported.
        bool loopsOrArrays = IrWalk.Statements(primal.Body).Any(s => s is For or Loop or Store)
            || primal.Parameters.Any(p => p.Variable.Type.IsBuffer) || primal.ReturnType.IsBuffer
            || IrWalk.Statements(primal.Body).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Calls).Any(c => c.Arguments.Any(a => a.Type.IsBuffer) || CallOutputs.HasOutputParameters(c));
        if (inlining is null && !loopsOrArrays && order != 2)
        {
            return Done(primal, null, null, canDifferentiate: true);
        }

        // The transforms themselves meet a few shapes they cannot handle yet; each is a diagnostic on its construct.
        // They run on the body as written first: that decides, as it does in the analyzer, which sees one method.
        try
        {
            IrFunction? jvp = check.HasForwardMode ? Tangent.Apply(primal, methodName + "Jvp") : null;
            IrFunction vjp = Adjoint.Apply(primal, methodName + "Vjp");
            IrFunction? hvp = null;
            IrFunction everyCalleeInlined = secondOrderInlining is { Candidates.Count: > 0 }
                ? Inliner.Apply(primal, key => secondOrderInlining.Find(key) is { } callee ? registry.Resolve(callee) : null)
                : primal;
            if (order == 2 && (hvp = SecondOrderOf(everyCalleeInlined, methodName, location, diagnostics)) is null)
            {
                return Done(null, null, null, canDifferentiate: false); // an error skips the method, as every error does
            }

            if (inlining is { Candidates.Count: > 0 }
                && Inliner.Apply(primal, key => inlining.Find(key) is { } callee ? registry.Resolve(callee) : null) is var inlined
                && !ReferenceEquals(inlined, primal))
            {
                try
                {
                    IrFunction? inlinedJvp = check.HasForwardMode ? Tangent.Apply(inlined, methodName + "Jvp") : null;
                    IrFunction inlinedVjp = Adjoint.Apply(inlined, methodName + "Vjp");
                    (jvp, vjp) = (inlinedJvp, inlinedVjp);
                }
                catch (TransformException)
                {
                    // Inlined, a callee's shape met the caller's: keep the calls (the derivatives as computed above).
                }
            }

            // Widened sweeps call no other method's derivatives: where a call is left after inlining, none is attempted.
            bool widen = inlining is not null && JacobianShape.Of(primal) is { ManyOutputs: true } && !CallsDerivatives(everyCalleeInlined);
            return Done(primal, jvp, vjp, canDifferentiate: true) with
            {
                Hvp = hvp,
                WidenedJvp = widen && jvp is not null ? Widened(Tangent.Widened, everyCalleeInlined, methodName + "Jvp") : null,
                WidenedVjp = widen ? Widened(Adjoint.Widened, everyCalleeInlined, methodName + "Vjp") : null,
                WidenedHvp = hvp is not null && inlining is not null && !CallsDerivatives(everyCalleeInlined)
                    ? Widened((function, name) => SecondOrder.Hvp(function, name, widened: true), everyCalleeInlined, methodName + "Hvp")
                    : null,
            };
        }
        catch (TransformException exception)
        {
            DiagnosticDescriptor descriptor = DiagnosticDescriptors.All.FirstOrDefault(d => d.Id == exception.DiagnosticId) ?? DiagnosticDescriptors.UnsupportedConstruct;
            string what = exception.Message.Length > 0 ? char.ToUpperInvariant(exception.Message[0]) + exception.Message.Substring(1) : exception.Message;
            diagnostics.Add(descriptor == DiagnosticDescriptors.ForwardModeUnavailable
                ? DiagnosticInfo.Create(descriptor, exception.Site ?? location, what, methodName, "only a reverse-mode derivative")
                : descriptor == DiagnosticDescriptors.NoDerivative
                    ? DiagnosticInfo.Create(descriptor, exception.Site ?? location, what, methodName, "Give it a derivative ([Differentiable] or [DerivativeOf])")
                    : DiagnosticInfo.Create(descriptor, exception.Site ?? location, what, methodName));
            return Done(null, null, null, canDifferentiate: false);
        }
    }

    /// <summary>True when the function calls a method with derivatives of its own (a callee left after inlining, a registration).</summary>
    private static bool CallsDerivatives(IrFunction function) =>
        IrWalk.Statements(function.Body).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Calls).Any(c => c.Callee is MethodCallee { Derivatives: not null });

    /// <summary>
    /// A widened sweep, for a method whose Jacobian may have more than one row (<see cref="JacobianShape.ManyOutputs"/>), from
    /// the body with every callee inlined; null where there is none. It is generated code's own choice, never a diagnostic:
    /// the Jacobian then takes one row or column per single sweep.
    /// </summary>
    private static IrFunction? Widened(System.Func<IrFunction, string, IrFunction> transform, IrFunction everyCalleeInlined, string name)
    {
        try
        {
            return transform(everyCalleeInlined, name);
        }
        catch (TransformException)
        {
            return null;
        }
    }

    /// <summary>
    /// The Hessian-vector product of the body as written (which decides, as in the analyzer), or null with the construct
    /// that prevents it reported.
    /// </summary>
    private static IrFunction? SecondOrderOf(IrFunction primal, string methodName, SourceSpan location, List<DiagnosticInfo> diagnostics)
    {
        try
        {
            return SecondOrder.Hvp(primal, methodName + "Hvp");
        }
        catch (TransformException exception)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SecondOrderUnavailable, exception.Site ?? location, exception.Message, methodName));
            return null;
        }
    }
}
