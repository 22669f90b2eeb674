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
    /// forward mode), and every diagnostic.
    /// </summary>
    public sealed record Result(IrFunction? Primal, IrFunction? Jvp, IrFunction? Vjp, EquatableArray<DiagnosticInfo> Diagnostics, bool HasForwardMode);

    public static Result Run(IrFunction? lowered, IEnumerable<DiagnosticInfo> loweringDiagnostics, Registry registry, string methodName, SourceSpan location)
    {
        var diagnostics = new List<DiagnosticInfo>(loweringDiagnostics);
        if (lowered is null)
        {
            return new Result(null, null, null, diagnostics.ToEquatableArray(), false);
        }

        IrFunction primal = registry.Resolve(lowered);
        Checker.Result check = Checker.Check(primal, methodName, location);
        diagnostics.AddRange(check.Diagnostics);
        if (!check.CanDifferentiate)
        {
            return new Result(null, null, null, diagnostics.ToEquatableArray(), check.HasForwardMode);
        }

        // The transforms themselves meet a few shapes they cannot handle yet; each is a diagnostic on its construct.
        try
        {
            IrFunction? jvp = check.HasForwardMode ? Tangent.Apply(primal, methodName + "Jvp") : null;
            IrFunction vjp = Adjoint.Apply(primal, methodName + "Vjp");
            return new Result(primal, jvp, vjp, diagnostics.ToEquatableArray(), check.HasForwardMode);
        }
        catch (TransformException exception)
        {
            DiagnosticDescriptor descriptor = DiagnosticDescriptors.All.FirstOrDefault(d => d.Id == exception.DiagnosticId) ?? DiagnosticDescriptors.UnsupportedConstruct;
            string what = exception.Message.Length > 0 ? char.ToUpperInvariant(exception.Message[0]) + exception.Message.Substring(1) : exception.Message;
            diagnostics.Add(DiagnosticInfo.Create(descriptor, exception.Site ?? location, what, methodName));
            return new Result(null, null, null, diagnostics.ToEquatableArray(), check.HasForwardMode);
        }
    }
}
