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
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Generator;

/// <summary>One method's generated source (null when it was skipped) and its diagnostics.</summary>
internal sealed record GeneratedFile(string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics);

public sealed partial class DifferentiableGenerator
{
    /// <summary>The oldest C# the generated code is written for.</summary>
    internal const LanguageVersion MinimumLanguageVersion = LanguageVersion.CSharp12;

    /// <summary>Resolve calls against the registry, check, transform and emit one method. Never throws.</summary>
    internal static GeneratedFile Execute(MethodModel model, Registry registry, Inlining inlining, LanguageVersion languageVersion, CancellationToken cancellationToken)
    {
        if (languageVersion < MinimumLanguageVersion)
        {
            return new GeneratedFile(model.HintName, null, EquatableArray<DiagnosticInfo>.Empty); // reported once, see Initialize
        }

        // What cannot be differentiated is reported by the analyzer (the same checker); the generator skips
        // it and reports only its own failures.
        var failures = new List<DiagnosticInfo>(model.Diagnostics.Where(d => d.Id == DiagnosticDescriptors.InternalError.Id));
        try
        {
            MethodCheck.Result check = MethodCheck.Run(model.Primal, [], registry, model.Name, model.Location, inlining);
            if (check is not { Primal: { } primal, Vjp: { } vjp })
            {
                return new GeneratedFile(model.HintName, null, failures.ToEquatableArray());
            }

            cancellationToken.ThrowIfCancellationRequested();
            string source = Emitter.EmitFile(model, primal, check.Jvp, vjp);
            return new GeneratedFile(model.HintName, source, failures.ToEquatableArray());
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception exception)
        {
            failures.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, model.Location, model.Name, exception.Message));
            return new GeneratedFile(model.HintName, null, failures.ToEquatableArray());
        }
    }
}
