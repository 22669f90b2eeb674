using System.Collections.Generic;
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
    /// <summary>The resolved primal when the method can be differentiated (else null), and every diagnostic.</summary>
    public sealed record Result(IrFunction? Primal, EquatableArray<DiagnosticInfo> Diagnostics, bool HasForwardMode);

    public static Result Run(IrFunction? lowered, IEnumerable<DiagnosticInfo> loweringDiagnostics, Registry registry, string methodName, SourceSpan location)
    {
        var diagnostics = new List<DiagnosticInfo>(loweringDiagnostics);
        if (lowered is null)
        {
            return new Result(null, diagnostics.ToEquatableArray(), false);
        }

        IrFunction primal = registry.Resolve(lowered);
        Checker.Result check = Checker.Check(primal, methodName, location);
        diagnostics.AddRange(check.Diagnostics);
        return new Result(check.CanDifferentiate ? primal : null, diagnostics.ToEquatableArray(), check.HasForwardMode);
    }
}
