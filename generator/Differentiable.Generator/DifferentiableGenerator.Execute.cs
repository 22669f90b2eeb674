using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Differentiable.Generator.Analysis;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Emit;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;
using Differentiable.Generator.Transforms;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Generator;

/// <summary>One method's generated source (null when it was skipped) and its diagnostics.</summary>
internal sealed record GeneratedFile(string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// One method checked and transformed on its own (its primal and derivatives as IR, null when it cannot be differentiated),
/// its generator failures, and what it calls: whether it is finally generated depends on its callees too.
/// </summary>
internal sealed record CheckedMethod(MethodModel Model, IrFunction? Primal, IrFunction? Jvp, IrFunction? Vjp, EquatableArray<DiagnosticInfo> Failures, OwnOutcome Own, EquatableArray<CalleeCall> Calls)
{
    /// <summary>The Hessian-vector product when the method asks for second order and it can be generated.</summary>
    public IrFunction? Hvp { get; init; }

    /// <summary>The widened Jvp that <c>{M}Jacobian</c> builds columns with, when there is one.</summary>
    public IrFunction? WidenedJvp { get; init; }

    /// <summary>The widened Vjp that <c>{M}Jacobian</c> builds rows with, when there is one.</summary>
    public IrFunction? WidenedVjp { get; init; }

    /// <summary>The widened Hvp that <c>{M}Hessian</c> builds rows with, when there is one.</summary>
    public IrFunction? WidenedHvp { get; init; }
}

/// <summary>The final outcomes of the compilation's [Differentiable] methods, by key, sorted so that an unchanged set compares equal.</summary>
internal sealed record Outcomes(EquatableArray<(string Key, MethodOutcome Outcome)> Entries)
{
    public static Outcomes Of(IEnumerable<OwnOutcome> methods) =>
        new(CalleeOutcomes.Resolve(methods).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToEquatableArray());

    public IReadOnlyDictionary<string, MethodOutcome> ToDictionary() => Entries.ToDictionary(e => e.Key, e => e.Outcome);
}

public sealed partial class DifferentiableGenerator
{
    /// <summary>The oldest C# the generated code is written for.</summary>
    internal const LanguageVersion MinimumLanguageVersion = LanguageVersion.CSharp12;

    /// <summary>Resolve calls against the registry, check and transform one method. Never throws.</summary>
    internal static CheckedMethod Check(MethodModel model, Registry registry, Inlining inlining, Inlining secondOrderInlining, LanguageVersion languageVersion, CancellationToken cancellationToken)
    {
        var failures = new List<DiagnosticInfo>(model.Diagnostics.Where(d => d.Id == DiagnosticDescriptors.InternalError.Id));
        var skipped = new OwnOutcome(model.Key, false, false, EquatableArray<string>.Empty);
        if (languageVersion < MinimumLanguageVersion)
        {
            return new CheckedMethod(model, null, null, null, failures.ToEquatableArray(), skipped, EquatableArray<CalleeCall>.Empty); // reported once, see Initialize
        }

        // What cannot be differentiated is reported by the analyzer (the same checker); the generator skips it and reports
        // only its own failures.
        try
        {
            MethodCheck.Result check = MethodCheck.Run(model.Primal, [], registry, model.Key, model.Name, model.Location, inlining, model.Order, secondOrderInlining);
            cancellationToken.ThrowIfCancellationRequested();
            return new CheckedMethod(model, check.Primal, check.Jvp, check.Vjp, failures.ToEquatableArray(), check.Own, check.Calls) { Hvp = check.Hvp, WidenedJvp = check.WidenedJvp, WidenedVjp = check.WidenedVjp, WidenedHvp = check.WidenedHvp };
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception exception)
        {
            failures.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, model.Location, model.Name, exception.Message));
            return new CheckedMethod(model, null, null, null, failures.ToEquatableArray(), skipped, EquatableArray<CalleeCall>.Empty);
        }
    }

    /// <summary>
    /// Emits one checked method as its callees' outcomes allow: nothing when a callee gets no derivatives, no Jvp when a
    /// callee has none. The analyzer reports why (DIFF0018, DIFF0008), as it reports everything the checks decide. Never
    /// throws.
    /// </summary>
    internal static GeneratedFile Emit(CheckedMethod method, Outcomes outcomes)
    {
        var diagnostics = new List<DiagnosticInfo>(method.Failures);
        if (method is not { Primal: { } primal, Vjp: { } vjp })
        {
            return new GeneratedFile(method.Model.HintName, null, diagnostics.ToEquatableArray());
        }

        MethodOutcome outcome = CalleeOutcomes.Final(method.Own, outcomes.ToDictionary());
        if (!outcome.Generated)
        {
            return new GeneratedFile(method.Model.HintName, null, diagnostics.ToEquatableArray());
        }

        try
        {
            string source = Emitter.EmitFile(method.Model, primal, outcome.HasForwardMode ? method.Jvp : null, vjp, method.Hvp, outcome.HasForwardMode ? method.WidenedJvp : null, method.WidenedVjp, method.WidenedHvp);
            return new GeneratedFile(method.Model.HintName, source, diagnostics.ToEquatableArray());
        }
        catch (Exception exception)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, method.Model.Location, method.Model.Name, exception.Message));
            return new GeneratedFile(method.Model.HintName, null, diagnostics.ToEquatableArray());
        }
    }
}
