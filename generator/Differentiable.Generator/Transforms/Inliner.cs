using System;
using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Transforms;

/// <summary>A small [Differentiable] method of this compilation whose body can replace its calls.</summary>
internal sealed record InlineCandidate(string Key, IrFunction Function);

/// <summary>The inlinable methods of the compilation, sorted by key so that the set compares equal when unchanged.</summary>
internal sealed record Inlining(EquatableArray<InlineCandidate> Candidates)
{
    public static readonly Inlining None = new(EquatableArray<InlineCandidate>.Empty);

    public IrFunction? Find(string key) => Candidates.FirstOrDefault(c => c.Key == key)?.Function;

    /// <summary>
    /// Only the candidates <paramref name="caller"/> calls, directly or through them: what its generation depends on, so
    /// that an edit to another method leaves its output cached.
    /// </summary>
    public Inlining For(IrFunction? caller) =>
        caller is null || Candidates.Count == 0 ? None : Reachable(caller, key => Candidates.FirstOrDefault(c => c.Key == key));

    /// <summary>The candidates <paramref name="caller"/> calls, directly or through them, as <paramref name="find"/> gives them.</summary>
    public static Inlining Reachable(IrFunction caller, Func<string, InlineCandidate?> find)
    {
        var used = new Dictionary<string, InlineCandidate?>();
        var pending = new Queue<IrFunction>([caller]);
        while (pending.Count > 0)
        {
            foreach (string key in IrWalk.Statements(pending.Dequeue().Body).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Calls)
                .Select(c => c.Callee).OfType<MethodCallee>().Select(c => c.Key))
            {
                if (!used.ContainsKey(key) && (used[key] = find(key)) is { } candidate)
                {
                    pending.Enqueue(candidate.Function);
                }
            }
        }

        return new Inlining(used.Values.OfType<InlineCandidate>().OrderBy(c => c.Key, StringComparer.Ordinal).ToEquatableArray());
    }
}

/// <summary>
/// Inlines small callees, IR → IR, before the transforms: a call to a [Differentiable] method of this compilation
/// with a short body becomes that body, its parameters replaced by the arguments and its locals renamed. The derivative
/// then flows through the callee's statements like through the caller's: no joint-mode re-run of the callee in the
/// reverse sweep, no entry-point overhead per call, and the callee's intermediates saved (or recomputed) once. Methods
/// with custom derivatives ([DerivativeOf]) are never inlined: their registered rules are what the user asked for.
/// </summary>
internal static class Inliner
{
    /// <summary>The largest callee inlined, in IR statements.</summary>
    public const int MaxStatements = 60;

    private const int MaxDepth = 3;

    /// <summary>
    /// A method worth inlining and able to be: one with a loop or an array parameter (joint mode would run its loops
    /// again and save its arrays; a scalar callee's re-run is cheap, and leaving it a call keeps an edit to it from
    /// regenerating every caller), short, and allocating no buffers (they could land in a caller's loop).
    /// </summary>
    public static bool IsCandidate(IrFunction function) =>
        (function.Parameters.Any(p => p.Variable.Type.IsBuffer) || IrWalk.Statements(function.Body).Any(s => s is For or Loop))
        && IrWalk.Statements(function.Body).Count() <= MaxStatements
        && IsSecondOrderCandidate(function);

    /// <summary>
    /// A method second order inlines whatever its size (<c>Order = 2</c>: the reverse sweep's call of a callee's Vjp has no
    /// forward mode of its own, its body does): value parameters, no array result, no allocations.
    /// </summary>
    public static bool IsSecondOrderCandidate(IrFunction function) =>
        function.Parameters.All(p => p.Kind is ParameterKind.Value or ParameterKind.In)
        && !function.ReturnType.IsBuffer
        && !IrWalk.Statements(function.Body).SelectMany(IrWalk.Expressions).Any(IrWalk.IsAllocation);

    public static IrFunction Apply(IrFunction caller, Func<string, IrFunction?> lookup)
    {
        var names = NameScope.Of(caller);
        bool changed = false;
        Block body = Inline(caller.Body, lookup, names, [caller.Name], ref changed);
        return changed ? caller with { Body = body } : caller;
    }

    /// <summary>
    /// True when a callee of another type reads <c>this</c> or another member of its type: from the caller's type that
    /// member may be out of reach (private), so the call stays a call.
    /// </summary>
    private static bool ReachesIntoItsType(IrFunction function, string owner) =>
        IrWalk.Statements(function.Body).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Subexpressions).Any(d => d switch
        {
            This => true,
            Call { Callee: MethodCallee inner } => inner.Owner is null || inner.Owner == owner,
            FieldRead field => field.Owner == owner,
            _ => false,
        });

    private static Block Inline(Block block, Func<string, IrFunction?> lookup, NameScope names, IReadOnlyList<string> active, ref bool changed)
    {
        var output = new List<Stmt>();
        foreach (Stmt statement in block.Statements)
        {
            (Binding? target, Call? call) = statement switch
            {
                Let { Value: Call c } let => (let.Target, c),
                Assign { Value: Call c } assign => (assign.Target, c),
                Evaluate { Value: Call c } => ((Binding?)null, c),
                _ => (null, null),
            };
            if (call is { Callee: MethodCallee { Receiver: null, Derivatives.IsThisCompilation: true } callee }
                && active.Count <= MaxDepth && !active.Contains(callee.Name)
                && lookup(callee.Key) is { } function && function.Parameters.Count == call.Arguments.Count
                && (callee.Owner is null || !ReachesIntoItsType(function, callee.Owner)))
            {
                changed = true;
                output.Add(new Comment("inlined: " + callee.Name));
                Block inlined = Instantiate(function, call, target, statement, names);
                output.AddRange(Inline(inlined, lookup, names, [.. active, callee.Name], ref changed).Statements);
                continue;
            }

            output.Add(statement switch
            {
                If branch => branch with { Then = Inline(branch.Then, lookup, names, active, ref changed), Else = Inline(branch.Else, lookup, names, active, ref changed) },
                For loop => loop with { Body = Inline(loop.Body, lookup, names, active, ref changed) },
                Loop loop => loop with { Body = Inline(loop.Body, lookup, names, active, ref changed) },
                _ => statement,
            });
        }

        return new Block(output.ToEquatableArray());
    }

    /// <summary>The callee's body for one call: parameters are the arguments, locals get fresh names, returns define the call's target.</summary>
    private static Block Instantiate(IrFunction function, Call call, Binding? target, Stmt site, NameScope names)
    {
        var arguments = new Dictionary<Variable, Expr>();
        for (int i = 0; i < function.Parameters.Count; i++)
        {
            arguments[function.Parameters[i].Variable] = call.Arguments[i];
        }

        var renamed = new Dictionary<Variable, Variable>();
        foreach (Variable v in IrWalk.Variables(function.Body).Distinct().Where(v => !arguments.ContainsKey(v)))
        {
            renamed[v] = names.Fresh(v.Name, v.Type);
        }

        Expr Map(Expr e) => e switch
        {
            Ref { Variable: var v } when arguments.TryGetValue(v, out Expr? argument) => argument,
            Ref { Variable: var v } when renamed.TryGetValue(v, out Variable? local) => new Ref(local),
            OutArgument { Variable: var v } when renamed.TryGetValue(v, out Variable? local) => new OutArgument(local),
            _ => e,
        };

        Block body = Rename(function.Body, Map, renamed);
        bool returnsAtEnd = body.Statements.Count > 0 && body.Statements[body.Statements.Count - 1] is Return
            && IrWalk.Statements(new Block(body.Statements.Take(body.Statements.Count - 1).ToEquatableArray())).All(s => s is not Return);
        var output = new List<Stmt>();
        if (target is not null && !returnsAtEnd && site is Let)
        {
            output.AddRange(IrWalk.Targets(target).Select(v => new Declare(v, site.Origin)));
        }

        output.AddRange(ReplaceReturns(body, target, returnsAtEnd && site is Let).Statements);
        return new Block(output.ToEquatableArray());
    }

    /// <summary>Each <c>return v;</c> becomes the call's definition (<c>Let</c> when it is the only one, at the end) or an assignment.</summary>
    private static Block ReplaceReturns(Block block, Binding? target, bool define)
    {
        var output = new List<Stmt>();
        foreach (Stmt statement in block.Statements)
        {
            switch (statement)
            {
                case Return { Value: { } value } ret when target is not null:
                    output.AddRange(Bind(target, value, define, ret.Origin));
                    break;
                case Return:
                    break;
                case If branch:
                    output.Add(branch with { Then = ReplaceReturns(branch.Then, target, define), Else = ReplaceReturns(branch.Else, target, define) });
                    break;
                default:
                    output.Add(statement);
                    break;
            }
        }

        return new Block(output.ToEquatableArray());
    }

    /// <summary><c>var (s, p) = (a, b);</c> becomes <c>s = a; p = b;</c>: the transforms take one variable per definition.</summary>
    private static IEnumerable<Stmt> Bind(Binding target, Expr value, bool define, Origin? origin)
    {
        if (target is TupleBinding tuple && value is TupleExpr elements && tuple.Elements.Count == elements.Elements.Count)
        {
            return tuple.Elements.SelectMany((t, i) => Bind(t, elements.Elements[i], define, origin));
        }

        return [define ? new Let(target, value, origin) : new Assign(target, value, origin)];
    }

    private static Block Rename(Block block, Func<Expr, Expr> map, Dictionary<Variable, Variable> renamed)
    {
        Variable V(Variable v) => renamed.TryGetValue(v, out Variable? local) ? local : v;
        Binding B(Binding binding) => binding switch
        {
            VariableBinding single => new VariableBinding(V(single.Variable)),
            TupleBinding tuple => new TupleBinding(tuple.Elements.Select(B).ToEquatableArray()),
            _ => binding,
        };
        return new Block(block.Statements.Select(s => (Stmt)(IrRewrite.MapOwnExpressions(s, map) switch
        {
            Let let => let with { Target = B(let.Target) },
            Assign assign => assign with { Target = B(assign.Target) },
            Declare declare => declare with { Variable = V(declare.Variable) },
            If branch => branch with { Then = Rename(branch.Then, map, renamed), Else = Rename(branch.Else, map, renamed) },
            For loop => loop with { Index = V(loop.Index), Body = Rename(loop.Body, map, renamed) },
            Loop loop => loop with { Body = Rename(loop.Body, map, renamed) },
            var mapped => mapped,
        })).ToEquatableArray());
    }
}
