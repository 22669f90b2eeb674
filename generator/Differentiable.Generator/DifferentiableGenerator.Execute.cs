using System;
using System.Collections.Generic;
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
    internal static GeneratedFile Execute(MethodModel model, Registry registry, LanguageVersion languageVersion, CancellationToken cancellationToken)
    {
        if (languageVersion < MinimumLanguageVersion)
        {
            return new GeneratedFile(model.HintName, null, EquatableArray<DiagnosticInfo>.Empty); // reported once, see Initialize
        }

        var diagnostics = new List<DiagnosticInfo>(model.Diagnostics);
        if (model.Primal is null)
        {
            return new GeneratedFile(model.HintName, null, diagnostics.ToEquatableArray());
        }

        try
        {
            IrFunction primal = Resolve(model.Primal, registry);
            Checker.Result check = Checker.Check(primal, model.Name);
            diagnostics.AddRange(check.Diagnostics);
            if (!check.CanDifferentiate)
            {
                return new GeneratedFile(model.HintName, null, diagnostics.ToEquatableArray());
            }

            cancellationToken.ThrowIfCancellationRequested();
            IrFunction? jvp = check.HasForwardMode ? Tangent.Apply(primal, model.Name + "Jvp") : null;
            IrFunction vjp = Adjoint.Apply(primal, model.Name + "Vjp");
            string source = Emitter.EmitFile(model, primal, jvp, vjp);
            return new GeneratedFile(model.HintName, source, diagnostics.ToEquatableArray());
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception exception)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, model.Location, model.Name, exception.Message));
            return new GeneratedFile(model.HintName, null, diagnostics.ToEquatableArray());
        }
    }

    /// <summary>Gives calls to functions with registered derivatives their derivative methods.</summary>
    internal static IrFunction Resolve(IrFunction primal, Registry registry) =>
        primal with
        {
            Body = IrRewrite.MapExpressions(primal.Body, e =>
                e is Call { Callee: MethodCallee { Derivatives: null } callee } call && registry.Find(callee.Key) is { } found
                    ? call with { Callee = callee with { Derivatives = found } }
                    : e),
        };
}
