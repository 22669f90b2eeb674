using System;
using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Analysis;

/// <summary>A differentiated call to a [Differentiable] method of this compilation: the callee's key, its name, the call.</summary>
internal sealed record CalleeCall(string Key, string Name, SourceSpan? Site);

/// <summary>
/// What a [Differentiable] method's own checks decide, as if every callee of the compilation got its derivatives, and the
/// keys of the [Differentiable] methods of this compilation whose derivatives it calls.
/// </summary>
internal sealed record OwnOutcome(string Key, bool CanDifferentiate, bool HasForwardMode, EquatableArray<string> Callees);

/// <summary>What a [Differentiable] method finally gets: derivatives at all, and a Jvp among them.</summary>
internal sealed record MethodOutcome(bool Generated, bool HasForwardMode)
{
    public static readonly MethodOutcome Full = new(true, true);
}

/// <summary>
/// A method's derivatives call its callees' derivatives: a callee that gets none (it has an error of its own) leaves its
/// callers none either, and a callee without a Jvp leaves its callers without one. The generator and the analyzer decide
/// this here, the same way, so the generator never emits a call to a member that is not generated (CS0117) and the
/// analyzer reports exactly the methods the generator skips. Recursion is resolved optimistically: a cycle of methods that
/// are fine on their own gets its derivatives.
/// </summary>
internal static class CalleeOutcomes
{
    /// <summary>The final outcome of every method, from their own outcomes (the greatest fixed point over the call graph).</summary>
    public static Dictionary<string, MethodOutcome> Resolve(IEnumerable<OwnOutcome> methods)
    {
        var own = new Dictionary<string, OwnOutcome>();
        foreach (OwnOutcome method in methods)
        {
            own[method.Key] = method;
        }

        var outcomes = own.ToDictionary(p => p.Key, p => new MethodOutcome(p.Value.CanDifferentiate, p.Value.CanDifferentiate && p.Value.HasForwardMode));
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (OwnOutcome method in own.Values)
            {
                MethodOutcome current = outcomes[method.Key];
                var callees = method.Callees.Select(k => outcomes.TryGetValue(k, out MethodOutcome? o) ? o : MethodOutcome.Full).ToList();
                var next = new MethodOutcome(
                    current.Generated && callees.All(c => c.Generated),
                    current.HasForwardMode && callees.All(c => c.Generated && c.HasForwardMode));
                if (next != current)
                {
                    outcomes[method.Key] = next;
                    changed = true;
                }
            }
        }

        return outcomes;
    }

    /// <summary>
    /// The final outcome of one method, reading own outcomes on demand (the analyzer, which checks a callee only when a
    /// caller needs it): the methods it reaches, then <see cref="Resolve(IEnumerable{OwnOutcome})"/> over them.
    /// </summary>
    public static Dictionary<string, MethodOutcome> Resolve(OwnOutcome method, Func<string, OwnOutcome?> lookup)
    {
        var reached = new Dictionary<string, OwnOutcome> { [method.Key] = method };
        var pending = new Queue<OwnOutcome>([method]);
        while (pending.Count > 0)
        {
            foreach (string key in pending.Dequeue().Callees)
            {
                if (!reached.ContainsKey(key) && lookup(key) is { } callee)
                {
                    reached[key] = callee;
                    pending.Enqueue(callee);
                }
            }
        }

        return Resolve(reached.Values);
    }

    /// <summary>
    /// The final outcome of <paramref name="method"/>: its own, narrowed by its callees' final outcomes (by its own checks
    /// rather than by its key, which code with errors may give two methods).
    /// </summary>
    public static MethodOutcome Final(OwnOutcome method, IReadOnlyDictionary<string, MethodOutcome> outcomes)
    {
        var callees = method.Callees.Select(k => outcomes.TryGetValue(k, out MethodOutcome? o) ? o : MethodOutcome.Full).ToList();
        bool generated = method.CanDifferentiate && callees.All(c => c.Generated);
        return new MethodOutcome(generated, generated && method.HasForwardMode && callees.All(c => c.HasForwardMode));
    }

    /// <summary>
    /// The diagnostics a method gets from its callees' outcomes: DIFF0018 on each call to a callee that gets no
    /// derivatives, and (when the method itself had forward mode) DIFF0008 on the first call to one without a Jvp.
    /// </summary>
    public static IEnumerable<DiagnosticInfo> Diagnostics(IEnumerable<CalleeCall> calls, IReadOnlyDictionary<string, MethodOutcome> outcomes, string methodName, bool hadForwardMode, string? ownKey = null)
    {
        bool forwardReported = !hadForwardMode;
        var reported = new HashSet<SourceSpan?>();
        foreach (CalleeCall call in calls.Where(c => c.Key != ownKey)) // a recursive call: the method's own errors are reported on it
        {
            if (!outcomes.TryGetValue(call.Key, out MethodOutcome? outcome))
            {
                continue;
            }

            if (!outcome.Generated)
            {
                if (reported.Add(call.Site))
                {
                    yield return DiagnosticInfo.Create(DiagnosticDescriptors.CalleeNotGenerated, call.Site, call.Name, methodName);
                }
            }
            else if (!outcome.HasForwardMode && !forwardReported)
            {
                forwardReported = true;
                yield return DiagnosticInfo.Create(DiagnosticDescriptors.ForwardModeUnavailable, call.Site, call.Name, methodName, "its own Jvp is not generated");
            }
        }
    }
}
