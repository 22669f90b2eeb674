using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Analysis;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Transforms;

/// <summary>
/// Reverse mode, IR → IR. The result is one function holding two sweeps: the forward sweep runs the primal (branch
/// decisions kept in <c>bool</c> locals, loops counting their iterations where their trip count is not known from
/// their bounds); the reverse sweep walks the statements backwards and adds partial · cotangent to the adjoint of each
/// active operand. Straight-line code needs no tape: every value the reverse sweep reads is still in its local. Inside
/// loops, <see cref="Recording"/> decides how the values the reverse sweep reads come back: recomputed, stepped back,
/// or saved on the thread's tape before they are overwritten and restored right after the reverse of the statement that
/// overwrote them. The function takes the result's cotangent after the parameters, then one out adjoint per
/// differentiable value parameter or one shadow per differentiable array or span, and returns the primal result.
/// </summary>
internal sealed class Adjoint : DerivativeTransform
{
    /// <summary>Declarations of values defined inside branches and loops, placed before the outermost one.</summary>
    private readonly List<Stmt> hoisted = new();
    private readonly HashSet<Variable> parameterAdjoints = new();
    private readonly Dictionary<Stmt, Variable> tripCounts = new(ByReference.Instance);
    private readonly Dictionary<Stmt, Stmt> primalLoops = new(ByReference.Instance);
    private readonly Block body;
    private readonly Recording recording;
    private readonly Variable tape;

    /// <summary>Top-level loops reversed iteration by iteration, with the constant cotangents of their accumulators.</summary>
    private readonly Dictionary<Stmt, List<(Variable Accumulator, double Coefficient)>> fusion;

    /// <summary>The fused loops as emitted in the forward sweep, whose bodies declare their own adjoints.</summary>
    private readonly List<For> fusedOutput = new();
    private readonly HashSet<Variable> earlyAdjoints = new();

    /// <summary>The running sums <c>t = s ± term; s = t;</c> of the body: the step, then the assignment, each with the other.</summary>
    private readonly Dictionary<Stmt, (Variable Sum, Expr Term, bool Subtract)> sumSteps = new(ByReference.Instance);
    private readonly HashSet<Stmt> sumAssignments = new(ByReference.Instance);
    private bool usesTape;
    private Variable? resultSlot;
    private Expr? resultCotangent;

    private Adjoint(IrFunction primal, IEnumerable<(int? Site, Variable Read)> reverseReads, int width)
        : base(primal, width)
    {
        body = NameControlFlow(Function.Body);
        FindRunningSums(body);
        fusion = FindFusableLoops(reverseReads.ToList());
        recording = Recording.Analyze(Function with { Body = body }, reverseReads, new HashSet<Variable>(tripCounts.Values), new HashSet<Stmt>(fusion.Keys, ByReference.Instance));
        tape = Names.Fresh("tape", IrType.Scalar(ValueKind.Other, "global::Differentiable.Tape"));
    }

    /// <remarks>
    /// Without <paramref name="argumentChecks"/> the function neither checks its buffer arguments nor stands scratch in for
    /// unwanted shadows: a caller that composes it (second order) checks its own arguments.
    /// </remarks>
    public static IrFunction Apply(IrFunction primal, string name, bool argumentChecks = true) => Apply(primal, name, argumentChecks, width: 1);

    /// <summary>
    /// The widened reverse sweep: every adjoint is a <c>Vector256&lt;T&gt;</c> whose lanes carry W cotangents at once (4 for
    /// <c>double</c>, 8 for <c>float</c>), so one sweep computes W vector-Jacobian products; the tape holds the primal's
    /// values once for all of them. Calls left after inlining, jagged arrays and code that mixes <c>float</c> and
    /// <c>double</c> have none (a <see cref="TransformException"/>).
    /// </summary>
    public static IrFunction Widened(IrFunction primal, string name) => Apply(primal, name, argumentChecks: true, WidenedWidth(primal));

    private static IrFunction Apply(IrFunction primal, string name, bool argumentChecks, int width)
    {
        var adjoint = new Adjoint(primal, [], width);
        IrFunction result = adjoint.Run(name, argumentChecks);
        if (!IrWalk.Statements(primal.Body).Any(s => s is For or Loop))
        {
            return result; // without loops nothing is overwritten: the reverse sweep reads every value in its local
        }

        // The to-be-recorded analysis needs what the reverse sweep reads, and what it saves adds reads (restoring a value
        // inside a branch reads the branch decision): run until the reads no longer change.
        for (int pass = 0; pass < 8; pass++)
        {
            var reads = adjoint.ReverseReads();
            var next = new Adjoint(primal, reads, width);
            IrFunction nextResult = next.Run(name, argumentChecks);
            if (new HashSet<(int?, Variable)>(next.ReverseReads()).SetEquals(reads))
            {
                return nextResult;
            }

            adjoint = next;
        }

        throw new TransformException(DiagnosticDescriptors.InternalError.Id, "the to-be-recorded analysis did not settle");
    }

    /// <summary>The primal variables the reverse sweep reads, each with the primal statement whose reverse reads it.</summary>
    private readonly List<(int? Site, Variable Read)> reverseReads = new();

    private List<(int? Site, Variable Read)> ReverseReads()
    {
        var primalVariables = new HashSet<Variable>(IrWalk.Variables(body).Concat(Function.Parameters.Select(p => p.Variable)));
        return reverseReads.Where(r => primalVariables.Contains(r.Read)).ToList();
    }

    /// <summary>Notes what a piece of the reverse sweep reads, for the primal statement it mirrors.</summary>
    private void NoteReads(Stmt? site, IEnumerable<Stmt> reverse)
    {
        foreach (Stmt statement in reverse)
        {
            foreach (Variable read in IrWalk.Expressions(statement).SelectMany(IrWalk.Reads))
            {
                reverseReads.Add((site is null ? null : recording.PositionOf(site), read));
            }

            foreach (Block nested in IrWalk.Blocks(statement))
            {
                NoteReads(site, nested.Statements);
            }
        }
    }

    private IrFunction Run(string name, bool argumentChecks)
    {
        IrFunction function = Function;
        // The primal's parameters (it performs the primal's writes, out parameters included), dResult, the out parameters'
        // cotangents, then one adjoint per differentiable input: out for a value, ref for a ref parameter (the cotangent of
        // its final value on entry, the adjoint of its initial value on exit), a shadow for a buffer.
        var parameters = function.Parameters.ToList();
        var cotangents = new List<Parameter>();
        var adjoints = new List<Parameter>();
        var shadows = new List<(Variable Primal, Variable Shadow)>();
        foreach (Parameter parameter in function.Parameters.Where(p => p.IsDifferentiable))
        {
            Variable adjoint = DerivativeOf(parameter.Variable);
            if (parameter.Kind == ParameterKind.Out && parameter.Variable.Type.IsFloating)
            {
                parameterAdjoints.Add(adjoint);
                cotangents.Add(new Parameter(adjoint, ParameterKind.Value, false));
            }
            else if (parameter.Kind == ParameterKind.Ref && parameter.Variable.Type.IsFloating)
            {
                parameterAdjoints.Add(adjoint);
                adjoints.Add(new Parameter(adjoint, ParameterKind.Ref, false));
            }
            else if (parameter.Variable.Type.IsFloating)
            {
                parameterAdjoints.Add(adjoint);
                adjoints.Add(new Parameter(adjoint, ParameterKind.Out, false));
            }
            else if (parameter.Variable.Type.IsDifferentiableBuffer)
            {
                adjoints.Add(new Parameter(adjoint, ParameterKind.Value, false));
                shadows.Add((parameter.Variable, adjoint));
            }
        }

        bool returnsValue = function.ReturnType.Kind != ValueKind.Void;
        IrType cotangentType = function.ReturnType.IsBuffer ? IrType.ReadOnlySpan(DerivativeType(function.ReturnType.ElementType)) : DerivativeType(function.ReturnType);
        Variable? dResult = returnsValue ? Names.Fresh("dResult", cotangentType) : null;
        if (dResult is not null)
        {
            parameters.Add(new Parameter(dResult, ParameterKind.Value, true));
            resultCotangent = new Ref(dResult);
        }

        parameters.AddRange(cotangents);
        parameters.AddRange(adjoints);

        // Only a body that returns from inside a branch needs a slot for the result.
        bool returnsAtEnd = body.Statements.Count > 0 && body.Statements[body.Statements.Count - 1] is Return;
        var prologue = new List<Stmt>();
        if (returnsValue && !returnsAtEnd)
        {
            resultSlot = Names.Fresh("result", function.ReturnType);
            prologue.Add(new Declare(resultSlot, null));
        }

        Block forward = Forward(body, insideBranch: false, insideLoop: false);
        var reverse = new List<Stmt>();
        Expr? returned = null;
        var forwardStatements = forward.Statements.ToList();
        if (returnsAtEnd && forwardStatements[forwardStatements.Count - 1] is Return { Value: var value })
        {
            forwardStatements.RemoveAt(forwardStatements.Count - 1);
            returned = value;
            if (value is not null && IrWalk.Reads(value).Any(Hoists))
            {
                // The reverse sweep restores the variables loops overwrote: keep the result apart.
                Variable result = Names.Fresh("result", value.Type);
                forwardStatements.Add(new Let(new VariableBinding(result), value, forwardStatements.LastOrDefault()?.Origin));
                returned = new Ref(result);
            }

            if (value is not null)
            {
                reverse.AddRange(Seed(value, resultCotangent!));
                NoteReads(null, reverse);
            }
        }

        var primalStatements = body.Statements.ToList();
        if (returned is not null || (returnsAtEnd && primalStatements[primalStatements.Count - 1] is Return))
        {
            primalStatements.RemoveAt(primalStatements.Count - 1);
        }

        reverse.AddRange(Reverse(new Block(primalStatements.ToEquatableArray()), insideLoop: false));

        // Adjoints the fused loops share with the reverse sweep are declared first; the others, inside the loops.
        var outer = PromoteAccumulations(reverse);
        var early = new List<Stmt>();
        if (fusedOutput.Count > 0)
        {
            var inOuter = new HashSet<Variable>(outer.SelectMany(IrWalk.Variables));
            var inFused = new HashSet<Variable>(fusedOutput.SelectMany(IrWalk.Variables));
            foreach (Variable adjoint in Derivatives.Where(inFused.Contains).Where(a => !a.Type.IsBuffer).ToList())
            {
                if (adjoints.Any(a => a.Variable == adjoint))
                {
                    early.Add(new Assign(new VariableBinding(adjoint), Const.Zero(adjoint.Type), null));
                    earlyAdjoints.Add(adjoint);
                }
                else if (inOuter.Contains(adjoint))
                {
                    early.Add(new Declare(adjoint, null));
                    earlyAdjoints.Add(adjoint);
                }
                else
                {
                    for (int i = 0; i < forwardStatements.Count; i++)
                    {
                        if (forwardStatements[i] is For loop && fusedOutput.Any(f => ReferenceEquals(f, loop)) && IrWalk.Variables(loop).Contains(adjoint))
                        {
                            var placed = loop with { Body = new Block(Place(loop.Body.Statements.ToList(), adjoint).ToEquatableArray()) };
                            fusedOutput[fusedOutput.FindIndex(f => ReferenceEquals(f, loop))] = placed;
                            forwardStatements[i] = placed;
                        }
                    }

                    earlyAdjoints.Add(adjoint);
                }
            }
        }

        var statements = new List<Stmt>();
        statements.AddRange(prologue);
        statements.AddRange(early);
        statements.AddRange(forwardStatements);
        statements.Add(new Comment("reverse sweep"));
        statements.AddRange(AdjointDeclarations(adjoints, outer));
        if (returned is not null || resultSlot is not null)
        {
            statements.Add(new Return(returned ?? new Ref(resultSlot!), null));
        }

        var buffers = function.Parameters.Where(p => p.Variable.Type.IsBuffer).Select(p => (p.Variable, Written.Contains(p.Variable)))
            .Concat(shadows.Select(s => (s.Shadow, true))).ToList();
        var unwanted = argumentChecks ? shadows.Select(s => Unwanted(s.Primal, s.Shadow, reverse: true)).OfType<(Stmt Substitution, Stmt? Release)>().ToList() : [];
        var checks = argumentChecks ? ArgumentChecks(buffers, shadows, unwanted.Select(u => u.Substitution)).ToList() : [];
        var releases = unwanted.Select(u => u.Release).OfType<Stmt>().ToList();
        if (releases.Count > 0)
        {
            // The scratch shadows standing in for unwanted ones go back to the pool when the sweeps are done.
            int end = statements.Count > 0 && statements[statements.Count - 1] is Return ? statements.Count - 1 : statements.Count;
            statements.InsertRange(end, releases);
        }

        if (usesTape)
        {
            statements = [new TapeScope(tape, Names.Fresh("mark", IrType.Scalar(ValueKind.Other, "global::Differentiable.TapeMark")), new Block(statements.ToEquatableArray()))];
        }

        return new IrFunction(name, parameters.ToEquatableArray(), function.ReturnType, new Block(checks.Concat(statements).ToEquatableArray()))
        {
            CheckedByDefault = function.CheckedByDefault,
        };
    }

    protected override IrType ShadowType(Variable buffer) =>
        buffer.Type.ElementType.IsBuffer || Function.Parameters.All(p => p.Variable != buffer)
            ? DerivativeType(buffer.Type) // a jagged array, or a local buffer: its adjoint is the same kind of buffer
            : IrType.Span(DerivativeType(buffer.Type.ElementType));

    // ------------------------------------------------------------ control flow the reverse sweep replays

    /// <summary>
    /// Names what the reverse sweep must know of the forward sweep's control flow: each branch decision becomes a
    /// <c>bool</c> local, and each general loop counts its iterations (a counted loop's reverse runs its indices back).
    /// </summary>
    private Block NameControlFlow(Block block)
    {
        var output = new List<Stmt>();
        foreach (Stmt statement in block.Statements)
        {
            switch (statement)
            {
                case If branch:
                {
                    Expr condition = branch.Condition;
                    if (condition is not Ref)
                    {
                        Variable decision = Names.Fresh("branch", IrType.Bool);
                        output.Add(new Let(new VariableBinding(decision), condition, branch.Origin));
                        condition = new Ref(decision);
                    }

                    output.Add(new If(condition, NameControlFlow(branch.Then), NameControlFlow(branch.Else), branch.Origin));
                    break;
                }

                case For loop:
                    output.Add(loop with { Body = NameControlFlow(loop.Body) });
                    break;
                case Loop loop:
                {
                    Variable count = Names.Fresh("iterations", IrType.Int);
                    output.Add(new Let(new VariableBinding(count), Const.Zero(IrType.Int), loop.Origin));
                    var counting = new List<Stmt> { new Assign(new VariableBinding(count), new Binary(BinaryOp.Add, new Ref(count), Const.One(IrType.Int), IrType.Int), loop.Origin) };
                    counting.AddRange(NameControlFlow(loop.Body).Statements);
                    var named = loop with { Body = new Block(counting.ToEquatableArray()) };
                    tripCounts[named] = count;
                    output.Add(named);
                    break;
                }

                default:
                    output.Add(statement);
                    break;
            }
        }

        return new Block(output.ToEquatableArray());
    }

    // ------------------------------------------------------------ running sums

    /// <summary>
    /// Finds <c>t = s + term; …; s = t;</c> in one block, nothing in between mentioning s and nothing else reading t: the
    /// reverse of the pair is just <c>dterm += ds</c> (s's cotangent is unchanged), without a round trip through dt.
    /// </summary>
    private void FindRunningSums(Block block)
    {
        var reads = IrWalk.Statements(body).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Reads).GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        var definitions = IrWalk.Statements(body).SelectMany(IrWalk.Defined).GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        void Visit(Block b)
        {
            for (int i = 0; i < b.Statements.Count; i++)
            {
                if (b.Statements[i] is Assign { Target: VariableBinding { Variable: var sum }, Value: Ref { Variable: var next } } assign
                    && sum.Type.IsFloating && reads.TryGetValue(next, out int uses) && uses == 1)
                {
                    int stepAt = -1;
                    for (int j = i - 1; j >= 0; j--)
                    {
                        if (b.Statements[j] is Let { Target: VariableBinding { Variable: var target } } && target == next)
                        {
                            stepAt = j;
                            break;
                        }
                    }

                    if (stepAt >= 0
                        && b.Statements[stepAt] is Let { Value: Binary { Op: BinaryOp.Add or BinaryOp.Subtract, Left: Ref { Variable: var left } } step } let
                        && left == sum && !IrWalk.Reads(step.Right).Contains(sum)
                        && definitions.TryGetValue(next, out int defined) && defined == 1
                        && b.Statements.Skip(stepAt + 1).Take(i - stepAt - 1).All(s => !IrWalk.Variables(s).Contains(sum)))
                    {
                        sumSteps[let] = (sum, step.Right, step.Op == BinaryOp.Subtract);
                        sumAssignments.Add(assign);
                    }
                }

                foreach (Block nested in IrWalk.Blocks(b.Statements[i]))
                {
                    Visit(nested);
                }
            }
        }

        Visit(block);
    }

    // ------------------------------------------------------------ loops reversed iteration by iteration

    /// <summary>
    /// Top-level counted loops whose iterations can each be reversed right after they run (forward order): every value a
    /// loop carries from one iteration to the next is a sum (<c>s += term</c>) that reaches the result through additions
    /// and subtractions only, so its cotangent is ±dResult, known before the loop runs; and every buffer the loop writes
    /// is local, filled afresh in each iteration before it is read, and not used after the loop. Then nothing an
    /// iteration computes is needed by another iteration's reverse: no tape grows with the number of iterations.
    /// </summary>
    private Dictionary<Stmt, List<(Variable Accumulator, double Coefficient)>> FindFusableLoops(List<(int? Site, Variable Read)> reads)
    {
        var positions = IrWalk.Statements(body).Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i, ByReference.Instance);
        var fusable = new Dictionary<Stmt, List<(Variable, double)>>(ByReference.Instance);
        var statements = body.Statements;
        if (!Function.ReturnType.IsFloating || statements.Count == 0 || statements[statements.Count - 1] is not Return { Value: Ref { Variable: var returned } })
        {
            return fusable;
        }

        for (int i = 0; i < statements.Count; i++)
        {
            if (statements[i] is not For loop)
            {
                continue;
            }

            var inside = IrWalk.Statements(loop.Body).ToList();
            var definedInside = new HashSet<Variable>(inside.Where(s => s is not Assign).SelectMany(IrWalk.Defined));
            var carried = inside.OfType<Assign>().SelectMany(a => IrWalk.Targets(a.Target)).Where(v => !definedInside.Contains(v)).Distinct().ToList();
            var later = statements.Skip(i + 1).Take(statements.Count - i - 2).ToList();
            // A sum whose value before the loop the reverse sweep reads cannot be fused: nothing would bring that value back.
            int start = positions[loop];
            if (carried.Any(v => reads.Any(r => r.Read == v && r.Site is { } at && at < start))
                || carried.Any(v => v.Type.IsFloating && !IsSum(loop.Body, v))
                || carried.Any(v => !v.Type.IsFloating) // a counter the iteration's reverse reads would already be stepped
                || !WritesOnlyIterationLocalBuffers(loop, later)
                || ReadsWhatChangesLater(loop, definedInside, later))
            {
                continue;
            }

            // The linear forms of the values computed after the loop, in its sums.
            var sums = carried.Where(v => v.Type.IsFloating).ToList();
            var forms = sums.ToDictionary(v => v, v => new Dictionary<Variable, double> { [v] = 1 });
            bool linear = true;
            foreach (Stmt statement in later)
            {
                var read = IrWalk.Statements(new Block(EquatableArray.Of(statement))).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Reads).Where(forms.ContainsKey).ToList();
                if (read.Count == 0)
                {
                    continue;
                }

                if (statement is Let { Target: VariableBinding { Variable: var u }, Value: Binary { Op: BinaryOp.Add or BinaryOp.Subtract } sum }
                    && (sum.Left is Ref || sum.Left is Const) && (sum.Right is Ref || sum.Right is Const))
                {
                    var form = new Dictionary<Variable, double>();
                    void AddForm(Expr operand, double sign)
                    {
                        if (operand is Ref { Variable: var v } && forms.TryGetValue(v, out var f))
                        {
                            foreach (var term in f)
                            {
                                form[term.Key] = (form.TryGetValue(term.Key, out double c) ? c : 0) + (sign * term.Value);
                            }
                        }
                    }

                    AddForm(sum.Left, 1);
                    AddForm(sum.Right, sum.Op == BinaryOp.Add ? 1 : -1);
                    forms[u] = form;
                    continue;
                }

                linear = false;
                break;
            }

            if (linear)
            {
                var result = forms.TryGetValue(returned, out var final) ? final : new Dictionary<Variable, double>();
                fusable[loop] = sums.Select(v => (v, result.TryGetValue(v, out double c) ? c : 0)).ToList();
            }
        }

        return fusable;
    }

    /// <summary>
    /// True when the loop reads a value from outside that a later statement assigns (or a buffer a later statement writes):
    /// the iteration's reverse would add into that value's adjoint before the reverse of the later statement has made it
    /// the adjoint of the value the loop read.
    /// </summary>
    private static bool ReadsWhatChangesLater(For loop, HashSet<Variable> definedInside, List<Stmt> later)
    {
        var laterBlock = new Block(later.ToEquatableArray());
        var assigned = new HashSet<Variable>(IrWalk.Statements(laterBlock).SelectMany(IrWalk.Defined));
        var written = Analysis.Activity.WrittenBuffers(laterBlock);
        return IrWalk.Statements(loop.Body).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Reads)
            .Where(v => !definedInside.Contains(v) && v != loop.Index)
            .Any(v => v.Type.IsBuffer ? written.Contains(v) : assigned.Contains(v));
    }

    /// <summary>
    /// True when <paramref name="v"/> is a running sum of the loop: assigned once, at the top level of its body, from
    /// <c>next = v ± term</c>, with nothing else in the body reading <c>v</c> or <c>next</c> (its cotangent must be the
    /// same in every iteration).
    /// </summary>
    private static bool IsSum(Block loopBody, Variable v)
    {
        var statements = IrWalk.Statements(loopBody).ToList();
        var assigns = statements.OfType<Assign>().Where(a => IrWalk.Targets(a.Target).Contains(v)).ToList();
        if (assigns.Count != 1 || !loopBody.Statements.Contains(assigns[0]) || assigns[0].Value is not Ref { Variable: var next })
        {
            return false;
        }

        Let? step = loopBody.Statements.OfType<Let>().FirstOrDefault(l => l.Target == new VariableBinding(next));
        if (step is not { Value: Binary { Op: BinaryOp.Add or BinaryOp.Subtract, Left: Ref { Variable: var left } } sum } || left != v || IrWalk.Reads(sum.Right).Contains(v))
        {
            return false;
        }

        // v is read by the step alone, and next by the assignment alone; next is defined by the step alone.
        int readsOfV = statements.Count(s => IrWalk.Expressions(s).SelectMany(IrWalk.Reads).Contains(v));
        int readsOfNext = statements.Count(s => IrWalk.Expressions(s).SelectMany(IrWalk.Reads).Contains(next));
        int definitionsOfNext = statements.Count(s => IrWalk.Defined(s).Contains(next));
        return readsOfV == 1 && readsOfNext == 1 && definitionsOfNext == 1;
    }

    /// <summary>
    /// True when the buffers a loop writes are locals that each iteration fills completely before reading (a counted loop
    /// over all of the buffer's elements, in a block of the iteration, before every other use), unused after the loop.
    /// </summary>
    private bool WritesOnlyIterationLocalBuffers(For loop, List<Stmt> later)
    {
        foreach (Variable buffer in Analysis.Activity.WrittenBuffers(loop.Body))
        {
            if (Function.Parameters.Any(p => p.Variable == buffer) || later.Any(s => IrWalk.Variables(s).Contains(buffer))
                || body.Statements.FirstOrDefault(s => s is Let { Target: VariableBinding { Variable: var b } } && b == buffer) is not Let { Value: var allocation }
                || !FilledBeforeUse(loop.Body, buffer, IrWalk.AllocatedCount(allocation)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when some block in <paramref name="block"/> first fills all of <paramref name="buffer"/> with a counted loop
    /// (<c>for (j = 0; j &lt; count; j++) buffer[j] = …</c>) and every use of the buffer comes after that loop in the block.
    /// </summary>
    private static bool FilledBeforeUse(Block block, Variable buffer, Expr? count)
    {
        if (count is null)
        {
            return false;
        }

        for (int i = 0; i < block.Statements.Count; i++)
        {
            Stmt statement = block.Statements[i];
            bool uses = IrWalk.Variables(statement).Contains(buffer);
            if (!uses)
            {
                continue;
            }

            if (statement is For { From: Const { Value: 0 }, Compare: BinaryOp.Less, Step: 1 } fill && fill.Bound.Equals(count)
                && fill.Body.Statements.Any(s => s is Store { Buffer: Ref { Variable: var b }, Index: Ref { Variable: var index }, Kind: StoreKind.Set } && b == buffer && index == fill.Index)
                && !fill.Body.Statements.Any(s => s is not Store && IrWalk.Variables(s).Contains(buffer)))
            {
                return true; // the first use fills it; everything after, in this block, reads this iteration's contents
            }

            // The first use is inside a nested statement: the buffer must be filled there, and used nowhere else.
            return IrWalk.Blocks(statement).Count(b => IrWalk.Variables(b).Contains(buffer)) == 1
                && block.Statements.Skip(i + 1).All(s => !IrWalk.Variables(s).Contains(buffer))
                && IrWalk.Blocks(statement).Where(b => IrWalk.Variables(b).Contains(buffer)).All(b => FilledBeforeUse(b, buffer, count));
        }

        return true; // not used at all
    }

    // ------------------------------------------------------------ forward sweep

    /// <summary>True when the reverse sweep reads the variable itself, outside the block that defines it.</summary>
    private bool Hoists(Variable v) => recording.Needed.Contains(v) && !recording.IsRecomputed(v);

    private Block Forward(Block block, bool insideBranch, bool insideLoop)
    {
        var output = new List<Stmt>();
        foreach (Stmt statement in block.Statements)
        {
            // A differentiated call's buffers go on the tape just before the call, after the values its target overwrites:
            // the reverse sweep takes the buffers back first, for the callee's re-run, then the overwritten values.
            Call? differentiated = DifferentiatedCall(statement)?.Call;
            var callSaves = differentiated is not null
                ? BuffersToSave(statement, differentiated).Select(buffer => (Stmt)new Save(tape, new Ref(buffer), statement.Origin)).ToList()
                : [];
            usesTape |= callSaves.Count > 0;
            int emitted = output.Count;
            switch (statement)
            {
                case Declare declare when insideLoop && !Hoists(declare.Variable):
                    output.Add(declare);
                    break;
                case Declare declare when insideBranch || insideLoop:
                    hoisted.Add(declare); // as for a Let: the reverse sweep, outside the branch, may read it
                    break;
                case Let { Target: VariableBinding { Variable: var buffer } } let when buffer.Type.IsBuffer:
                    output.AddRange(WithShadow(let));
                    break;
                case Let let when insideLoop:
                {
                    var targets = IrWalk.Targets(let.Target).ToList();
                    SaveOverwritten(let, targets, output);
                    if (targets.Any(Hoists))
                    {
                        hoisted.AddRange(targets.Select(v => new Declare(v, let.Origin)));
                        output.Add(new Assign(let.Target, let.Value, let.Origin));
                    }
                    else
                    {
                        output.Add(let);
                    }

                    break;
                }

                case Let let when insideBranch:
                    // Declared before the branches so the reverse sweep, outside them, can read it.
                    hoisted.AddRange(IrWalk.Targets(let.Target).Select(v => new Declare(v, let.Origin)));
                    output.Add(new Assign(let.Target, let.Value, let.Origin));
                    break;
                case Assign assign when insideLoop:
                    SaveOverwritten(assign, IrWalk.Targets(assign.Target), output);
                    output.Add(assign);
                    break;
                case Store store when recording.SavesElementAt(store):
                    output.Add(new Save(tape, new Load(store.Buffer, store.Index, store.Value.Type), store.Origin));
                    output.Add(store);
                    usesTape = true;
                    break;
                case If branch:
                    AddHoisting(output, insideBranch || insideLoop, new If(branch.Condition, Forward(branch.Then, true, insideLoop), Forward(branch.Else, true, insideLoop), branch.Origin));
                    break;
                case For loop when fusion.TryGetValue(loop, out var accumulators):
                {
                    // Each iteration is reversed as soon as it has run: its values are still in its locals.
                    var iteration = new List<Stmt>(Forward(loop.Body, insideBranch: false, insideLoop: false).Statements)
                    {
                        new Comment("reverse of this iteration"),
                    };
                    foreach ((Variable accumulator, double coefficient) in accumulators)
                    {
                        iteration.Add(new Assign(new VariableBinding(DerivativeOf(accumulator)), Build.Multiply(new Const(accumulator.Type, coefficient), resultCotangent!), loop.Origin));
                    }

                    iteration.AddRange(PromoteAccumulations(Reverse(loop.Body, insideLoop: false)));

                    // A sum passes its cotangent to its initial value unchanged: the reverse sweep after the loop supplies
                    // it, so the iteration leaves nothing behind.
                    foreach ((Variable accumulator, _) in accumulators)
                    {
                        iteration.Add(new Assign(new VariableBinding(DerivativeOf(accumulator)), Const.Zero(DerivativeType(accumulator.Type)), loop.Origin));
                    }
                    var fusedLoop = loop with { Body = new Block(iteration.ToEquatableArray()) };
                    fusedOutput.Add(fusedLoop);
                    AddHoisting(output, insideBranch || insideLoop, fusedLoop);
                    break;
                }

                case For loop:
                {
                    // Ranges the loop writes (old contents) or reads go on the tape at once, before or after it.
                    var before = recording.SavedBefore(loop).Select(range => (Stmt)new Save(tape, range, loop.Origin)).ToList();
                    var after = recording.SavedAfter(loop).Select(range => (Stmt)new Save(tape, range, loop.Origin)).ToList();
                    usesTape |= before.Count + after.Count > 0;
                    AddHoisting(output, insideBranch || insideLoop, loop with { Body = Forward(loop.Body, insideBranch, true) });
                    output.InsertRange(output.Count - 1, before);
                    output.AddRange(after);
                    break;
                }

                case Loop loop:
                    AddHoisting(output, insideBranch || insideLoop, loop with { Body = Forward(loop.Body, insideBranch, true) });
                    break;

                case Return { Value: var value } ret when resultSlot is not null:
                    output.Add(new Assign(new VariableBinding(resultSlot), value!, ret.Origin));
                    break;
                default:
                    output.Add(statement);
                    break;
            }

            if (callSaves.Count > 0)
            {
                // Just before the call itself (after the saves of what it overwrites; before the shadow of an array it returns).
                int at = output.FindIndex(emitted, s => (IrWalk.Definition(s)?.Value ?? (s as Evaluate)?.Value) is { } value && ReferenceEquals(value, differentiated));
                output.InsertRange(at >= 0 ? at : output.Count, callSaves);
            }
        }

        return new Block(output.ToEquatableArray());
    }

    /// <summary>A branch or loop; at the top level, the declarations hoisted out of it go just before it.</summary>
    private void AddHoisting(List<Stmt> output, bool nested, Stmt statement)
    {
        if (!nested)
        {
            output.AddRange(hoisted);
            hoisted.Clear();
        }

        output.Add(statement);
    }

    /// <summary>Pushes the values a statement inside a loop is about to overwrite that the reverse sweep will read.</summary>
    private void SaveOverwritten(Stmt statement, IEnumerable<Variable> targets, List<Stmt> output)
    {
        foreach (Variable v in targets.Where(v => recording.SavesAt(statement, v)))
        {
            if (v.Type.Kind is not (ValueKind.Double or ValueKind.Float or ValueKind.Boolean) && v.Type.CSharp != "int")
            {
                // The tape has stacks for double, float, int and bool.
                throw new TransformException(
                    DiagnosticDescriptors.UnsupportedConstruct.Id, $"a '{v.Type.CSharp}' value a loop overwrites and the reverse sweep reads ('{v.Name}'; use int)", null);
            }

            output.Add(new Save(tape, new Ref(v), statement.Origin));
            usesTape = true;
        }
    }

    // ------------------------------------------------------------ reverse sweep

    private List<Stmt> Reverse(Block block, bool insideLoop)
    {
        var output = new List<Stmt>();
        var recomputed = new HashSet<Variable>();

        // Loops that fill an iteration-local buffer run again once the carried assignments at the block's end are undone.
        var refills = insideLoop ? recording.Refills(block).ToList() : [];
        int trailing = 0;
        while (trailing < block.Statements.Count && block.Statements[block.Statements.Count - 1 - trailing] is Assign)
        {
            trailing++;
        }

        for (int i = block.Statements.Count - 1; i >= 0; i--)
        {
            if (i == block.Statements.Count - 1 - trailing)
            {
                foreach (For fill in refills)
                {
                    var again = fill with { Body = new Block(fill.Body.Statements.Select(s => s is Let let && IrWalk.Targets(let.Target).Any(Hoists) ? new Assign(let.Target, let.Value, let.Origin) : s).ToEquatableArray()) };
                    NoteReads(fill, [again]);
                    output.Add(again);
                }
            }

            List<Stmt> reversed = ReverseStatement(block.Statements[i], insideLoop);

            // Values defined in this block that the reverse sweep computes again, just before their first use there.
            var recomputation = new List<Stmt>();
            foreach (Variable v in reversed.SelectMany(IrWalk.Variables).Distinct().ToList())
            {
                Recompute(v, block, i, recomputed, recomputation);
            }

            output.AddRange(recomputation);
            output.AddRange(reversed);
        }

        return output;
    }

    private void Recompute(Variable v, Block block, int last, HashSet<Variable> done, List<Stmt> output)
    {
        if (!recording.IsRecomputed(v) || done.Contains(v))
        {
            return;
        }

        int definition = -1;
        for (int i = 0; i <= last && i < block.Statements.Count; i++)
        {
            if (block.Statements[i] is Let let && IrWalk.Targets(let.Target).Contains(v))
            {
                definition = i;
            }
        }

        if (definition < 0)
        {
            return; // defined in another block: recomputed there
        }

        done.Add(v);
        Expr value = recording.RecomputedValue(v);
        foreach (Variable operand in IrWalk.Reads(value).Distinct().ToList())
        {
            Recompute(operand, block, definition, done, output);
        }

        var recomputation = new Let(new VariableBinding(v), value, block.Statements[definition].Origin);
        NoteReads(block.Statements[definition], [recomputation]);
        output.Add(recomputation);
    }

    private List<Stmt> ReverseStatement(Stmt statement, bool insideLoop)
    {
        var output = new List<Stmt>();
        switch (statement)
        {
            case Return { Value: var value } when resultSlot is not null:
                output.AddRange(Seed(value, resultCotangent!));
                break;
            case Let or Assign or Evaluate when DifferentiatedCall(statement) is var (callTarget, callee, call):
                output.AddRange(ReverseCall(statement, callTarget, callee, call));
                break;
            case Let { Value: Call { Callee: MethodCallee } } or Assign { Value: Call { Callee: MethodCallee } }
                or Evaluate { Value: Call { Callee: MethodCallee, Type.Kind: ValueKind.Void } }:
                break; // nothing active flows through this call
            case Let or Assign when IrWalk.Definition(statement) is (VariableBinding { Variable: var v }, Load load):
                if (Activity.IsActive(v) && HasShadow(load.Buffer))
                {
                    output.Add(new Store(ShadowOf(load.Buffer), load.Index, new Ref(DerivativeOf(v)), StoreKind.Add, statement.Origin));
                }

                break;
            case Let let when sumSteps.TryGetValue(let, out var step):
                // s = s ± term passes s's cotangent through unchanged: only the term gets one.
                if (step.Term is Ref { Variable: var term } && Activity.IsActive(term) && Activity.IsActive(step.Sum))
                {
                    Expr cotangent = new Ref(DerivativeOf(step.Sum));
                    output.Add(Accumulate(term, AsDerivativeOf(term.Type, step.Subtract ? Build.Negate(cotangent) : cotangent), let.Origin));
                }

                break;
            case Assign assign when sumAssignments.Contains(assign):
                break; // see the step above
            case Let { Target: VariableBinding { Variable: var v }, Value: var value } let when !v.Type.IsBuffer:
                output.AddRange(ReverseOperation(v, value, let.Origin));
                break;
            case Assign { Target: VariableBinding { Variable: var v }, Value: var value } assign:
                output.AddRange(ReverseOperation(v, value, assign.Origin));
                if (Function.Parameters.Any(p => p.Variable == v && p.Kind is ParameterKind.Out or ParameterKind.Ref) && Activity.IsActive(v))
                {
                    // The write of an out or ref parameter's final value: its cotangent is passed on, and what the parameter
                    // held before (a ref parameter's initial value) starts with none of its own.
                    output.Add(new Assign(new VariableBinding(DerivativeOf(v)), Const.Zero(DerivativeType(v.Type)), assign.Origin));
                }

                break;
            case Store store:
                output.AddRange(ReverseStore(store));
                if (recording.SavesElementAt(store))
                {
                    output.Add(new Store(store.Buffer, store.Index, new Restored(tape, store.Value.Type), StoreKind.Set, store.Origin));
                }

                break;
            case If branch:
            {
                var then = Reverse(branch.Then, insideLoop);
                var otherwise = Reverse(branch.Else, insideLoop);
                if (then.Count > 0 || otherwise.Count > 0)
                {
                    output.Add(new If(branch.Condition, new Block(then.ToEquatableArray()), new Block(otherwise.ToEquatableArray()), branch.Origin));
                }

                break;
            }

            case For loop when fusion.ContainsKey(loop):
                break; // reversed iteration by iteration in the forward sweep
            case For loop:
                output.AddRange(ReverseFor(loop));
                break;
            case Loop loop:
            {
                // The iterations run again, last first, as many as the forward sweep counted.
                var reversed = Reverse(loop.Body, insideLoop: true);
                if (reversed.Count > 0)
                {
                    Variable iteration = Names.Fresh("iteration", IrType.Int);
                    var reverseLoop = new For(iteration, new Ref(tripCounts[loop]), BinaryOp.Greater, Const.Zero(IrType.Int), -1, new Block(reversed.ToEquatableArray()), Reversed(loop.Origin));
                    primalLoops[reverseLoop] = loop;
                    output.Add(reverseLoop);
                }

                break;
            }

            case Evaluate:
                throw new TransformException(DiagnosticDescriptors.UnsupportedConstruct.Id, "reverse mode of a call evaluated for its out arguments");
        }

        if (insideLoop && IrWalk.Definition(statement) is (var target, _))
        {
            // The forward sweep saved a tuple's targets in order: they come back in the opposite order.
            foreach (Variable v in IrWalk.Targets(target).Reverse())
            {
                RestoreOverwritten(statement, v, output);
            }
        }

        if (statement is If or For or Loop)
        {
            // The nested statements noted their own reads: here only the condition, bounds or trip count.
            foreach (Variable read in output.SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Reads))
            {
                reverseReads.Add((recording.PositionOf(statement), read));
            }
        }
        else
        {
            NoteReads(statement, output);
        }

        return output;
    }

    /// <summary>
    /// After the reverse of a statement inside a loop: an assignment's target gets a zero cotangent (the value it
    /// overwrote is another value), and a value the forward sweep saved or stepped comes back.
    /// </summary>
    private void RestoreOverwritten(Stmt statement, Variable v, List<Stmt> output)
    {
        if (statement is Assign && v.Type.IsFloating && Activity.IsActive(v) && !sumAssignments.Contains(statement))
        {
            output.Add(new Assign(new VariableBinding(DerivativeOf(v)), Const.Zero(DerivativeType(v.Type)), null));
        }

        if (recording.InvertsAt(statement, v, out int step))
        {
            output.Add(new Assign(new VariableBinding(v), Build.Subtract(new Ref(v), new Const(v.Type, step)), statement.Origin));
        }
        else if (recording.SavesAt(statement, v))
        {
            output.Add(new Assign(new VariableBinding(v), new Restored(tape, v.Type), statement.Origin));
        }
    }

    /// <summary>The same indices backwards: <c>for (int i = n - 1; i &gt;= 0; i--)</c> for <c>for (int i = 0; i &lt; n; i++)</c>.</summary>
    private IEnumerable<Stmt> ReverseFor(For loop)
    {
        var reversed = Reverse(loop.Body, insideLoop: true);

        // The ranges saved after the loop come back before its reverse; those saved before it, after.
        foreach (Slice range in recording.SavedAfter(loop).Reverse())
        {
            yield return new Reload(tape, range, loop.Origin);
        }

        foreach (Stmt statement in ReverseLoop(loop, reversed))
        {
            yield return statement;
        }

        foreach (Slice range in recording.SavedBefore(loop).Reverse())
        {
            yield return new Reload(tape, range, loop.Origin);
        }
    }

    /// <summary>The origin of a loop the reverse sweep runs backwards: its comment and helper name say so.</summary>
    private static Origin? Reversed(Origin? origin) => origin is null ? null : origin with { Reversed = true };

    private IEnumerable<Stmt> ReverseLoop(For loop, List<Stmt> reversed)
    {
        if (reversed.Count == 0)
        {
            yield break;
        }

        Expr one = Const.One(IrType.Int);
        LoopReversal reversal = IntRanges.HowToReverse(loop, Function);
        For reverseLoop;
        if (reversal != LoopReversal.Successor)
        {
            // The primal's last index back to its first: for (int i = n - 1; i >= 0; i--).
            (Expr last, BinaryOp compare) = loop.Compare switch
            {
                BinaryOp.Less => (Build.Subtract(loop.Bound, one), BinaryOp.GreaterOrEqual),
                BinaryOp.LessOrEqual => (loop.Bound, BinaryOp.GreaterOrEqual),
                BinaryOp.Greater => (Build.Add(loop.Bound, one), BinaryOp.LessOrEqual),
                _ => (loop.Bound, BinaryOp.LessOrEqual),
            };
            reverseLoop = new For(loop.Index, last, compare, loop.From, -loop.Step, new Block(reversed.ToEquatableArray()), Reversed(loop.Origin));
        }
        else
        {
            // The first index may sit at an end of int, where one step past it would wrap: the reverse counts the index's
            // successor (in the primal's order) down to the first index, which no value steps past.
            // for (int iNext = n; iNext > from; iNext--) { int i = iNext - 1; … }
            Variable next = Names.Fresh(loop.Index.Name + "Next", IrType.Int);
            Expr start = loop.Compare switch
            {
                BinaryOp.Less or BinaryOp.Greater => loop.Bound,
                BinaryOp.LessOrEqual => Build.Add(loop.Bound, one), // int.MaxValue only when the primal never ends
                _ => Build.Subtract(loop.Bound, one), // int.MinValue likewise
            };
            Expr index = loop.Step > 0 ? Build.Subtract(new Ref(next), one) : Build.Add(new Ref(next), one);
            var body = new List<Stmt> { new Let(new VariableBinding(loop.Index), index, null) };
            body.AddRange(reversed);
            reverseLoop = new For(next, start, loop.Step > 0 ? BinaryOp.Greater : BinaryOp.Less, loop.From, -loop.Step, new Block(body.ToEquatableArray()), Reversed(loop.Origin));
        }

        primalLoops[reverseLoop] = loop;
        if (reversal == LoopReversal.Guarded)
        {
            // n - 1 wraps only for n = int.MinValue, where the primal's loop never ran: if (from < n) for (int i = n - 1; …).
            Expr ran = new Binary(loop.Compare, loop.From, loop.Bound, IrType.Bool);
            yield return new If(ran, new Block(new Stmt[] { reverseLoop }.ToEquatableArray()), Block.Empty, null);
            yield break;
        }

        yield return reverseLoop;
    }

    /// <summary>
    /// <c>a[i] = v</c> passes the element's cotangent to v and zeroes it (the old element no longer reaches the result);
    /// <c>a[i] += v</c> passes it to v and keeps it.
    /// </summary>
    private IEnumerable<Stmt> ReverseStore(Store store)
    {
        if (!HasShadow(store.Buffer))
        {
            yield break;
        }

        Expr shadow = ShadowOf(store.Buffer);
        var element = new Load(shadow, store.Index, store.Value.Type);
        if (store.Value is Ref { Variable: var v } && Activity.IsActive(v))
        {
            Expr cotangent = store.Kind == StoreKind.Subtract ? Build.Negate(element) : element;
            yield return Accumulate(v, AsDerivativeOf(v.Type, cotangent), store.Origin);
        }

        if (store.Kind == StoreKind.Set)
        {
            yield return new Store(shadow, store.Index, Const.Zero(DerivativeType(store.Value.Type)), StoreKind.Set, store.Origin);
        }
    }

    /// <summary>The cotangent of a returned value flows into its atoms (into an array result's shadow).</summary>
    private IEnumerable<Stmt> Seed(Expr? value, Expr cotangent)
    {
        switch (value)
        {
            case Ref { Variable: var array } when array.Type.IsBuffer:
                if (HasShadow(value))
                {
                    yield return Check("CheckLength", new Length(value), new NameOf(array), new Length(cotangent), new NameOf(((Ref)cotangent).Variable));
                    yield return Check("Accumulate", cotangent, ShadowOf(value));
                }

                break;
            case Ref { Variable: var v } when Activity.IsActive(v):
                yield return Accumulate(v, cotangent, null);
                break;
            case TupleExpr tuple:
                for (int i = 0; i < tuple.Elements.Count; i++)
                {
                    if (tuple.Elements[i] is Ref { Variable: var element } && Activity.IsActive(element))
                    {
                        yield return Accumulate(element, new Element(cotangent, i, tuple.Type.Elements[i]), null);
                    }
                }

                break;
        }
    }

    private IEnumerable<Stmt> ReverseOperation(Variable target, Expr value, Origin? origin)
    {
        if (!Activity.IsActive(target))
        {
            yield break;
        }

        Expr cotangent = new Ref(DerivativeOf(target));
        foreach ((Expr operand, Expr partial) in ScalarRules.Partials(value, new Ref(target)))
        {
            if (operand is Ref { Variable: var v } && Activity.IsActive(v))
            {
                yield return Accumulate(v, AsDerivativeOf(v.Type, ScalarRules.Term(value, operand, partial, cotangent)), origin);
            }
        }
    }

    /// <summary>
    /// Joint mode: the callee's Vjp re-runs its primal and returns the adjoints of its differentiable value parameters,
    /// which are added to the arguments' adjoints; array and span arguments pass their shadows, which it accumulates into.
    /// </summary>
    /// <summary>
    /// A call the reverse sweep differentiates (its result or a buffer it writes is active, and so is an argument):
    /// its target (null when evaluated for its effect on buffers), callee and call; null for any other statement.
    /// </summary>
    private (Binding? Target, MethodCallee Callee, Call Call)? DifferentiatedCall(Stmt statement)
    {
        (Binding? target, Expr? value) = statement switch
        {
            Let let => (let.Target, let.Value),
            Assign assign => (assign.Target, assign.Value),
            Evaluate { Value: Call { Type.Kind: ValueKind.Void } } evaluate => ((Binding?)null, evaluate.Value),
            _ => (null, null),
        };
        if (value is not Call { Callee: MethodCallee callee } call)
        {
            return null;
        }

        bool writesActiveBuffer = Activity.WritableArguments(call).Any(Activity.IsActive);
        bool anyActiveResult = (target is not null && IrWalk.Targets(target).Any(Activity.IsActive)) || writesActiveBuffer;
        bool anyActiveArgument = call.Arguments.Any(a => Activity.IsActive(a) || IrWalk.Root(a) is { } root && Activity.IsActive(root));
        return anyActiveResult && anyActiveArgument ? (target, callee, call) : null;
    }

    /// <summary>
    /// The buffers whose contents the forward sweep saves before a differentiated call, so that its re-run in the reverse
    /// sweep starts from the same contents: those the call itself may write, and those written after it.
    /// </summary>
    private List<Variable> BuffersToSave(Stmt statement, Call call)
    {
        var written = new HashSet<Variable>(Activity.WritableArguments(call));
        var saved = new List<Variable>();
        foreach (Variable root in call.Arguments.Select(IrWalk.Root).OfType<Variable>().Distinct().Where(b => !recording.RestoresElements(b)))
        {
            if (!recording.IsFrozenAfter(statement, root) || written.Contains(root))
            {
                if (root.Type.ElementType.IsBuffer)
                {
                    // The tape holds values, not rows: a row's contents would have to be saved one row at a time.
                    throw new TransformException(
                        DiagnosticDescriptors.UnsupportedConstruct.Id,
                        $"passing a row of '{root.Name}' to a method that may write it, or when '{root.Name}' is written afterwards "
                        + "(the reverse sweep runs the method again on the row as it was; copy the row into an array of its own first)",
                        call.Callee is MethodCallee { Site: var site } ? site : null);
                }

                saved.Add(root);
            }
        }

        return saved;
    }

    private bool IsParameter(Variable v) => Function.Parameters.Any(p => p.Variable == v);

    /// <summary>True when every argument from <paramref name="buffer"/> is the whole buffer, to a span parameter: a pooled copy can stand in.</summary>
    private static bool CanRunOnACopy(MethodCallee callee, Call call, Variable buffer) =>
        call.Arguments.Select((a, i) => (a, i)).Where(p => IrWalk.Root(p.a) == buffer)
            .All(p => p.a == new Ref(buffer) && p.i < callee.Parameters.Count && callee.Parameters[p.i].Type.Kind is ValueKind.Span or ValueKind.ReadOnlySpan);

    private IEnumerable<Stmt> ReverseCall(Stmt statement, Binding? target, MethodCallee callee, Call call)
    {
        Origin? origin = statement.Origin;
        SingleSweepOnly(callee);

        if (callee.Derivatives?.Vjp is not { } vjp)
        {
            throw new TransformException(DiagnosticDescriptors.NoDerivative.Id, callee.Name, callee.Site);
        }

        // The callee re-runs on the contents its buffers had when it was called. A local buffer, or a parameter the re-run
        // leaves as the forward sweep did, gets them back in place. Any other parameter keeps the final contents the caller
        // sees: the callee re-runs on a pooled copy of what it had, or, taking an array, on the parameter itself between
        // a stash of the final contents and their return.
        var restores = new List<Stmt>();
        var released = new List<Stmt>();
        var arguments = new List<Expr>(call.Arguments);
        foreach (Variable buffer in Enumerable.Reverse(BuffersToSave(statement, call)))
        {
            if (!IsParameter(buffer) || recording.IsFrozenAfter(statement, buffer))
            {
                restores.Add(new Reload(tape, new Ref(buffer), origin));
                continue;
            }

            if (!CanRunOnACopy(callee, call, buffer))
            {
                Variable stash = Names.Fresh(buffer.Name + "Final", IrType.Array(buffer.Type.ElementType));
                restores.Add(new Let(new VariableBinding(stash), new Call(ShadowsMethod("Stash<" + buffer.Type.ElementType.CSharp + ">"), EquatableArray.Of<Expr>(new Ref(buffer)), stash.Type), origin));
                restores.Add(new Reload(tape, new Ref(buffer), origin));
                released.Add(Check("Unstash", new Ref(stash), new Ref(buffer)));
                continue;
            }

            var (rent, copy, release) = ScratchShadow(new Ref(buffer), buffer.Name + "AsCalled", null, origin);
            restores.Add(rent);
            restores.Add(new Reload(tape, copy, origin));
            released.Add(release);
            for (int i = 0; i < arguments.Count; i++)
            {
                if (arguments[i] == new Ref(buffer))
                {
                    arguments[i] = copy;
                }
            }
        }

        // A call with out or ref arguments (see CallOutputs): FVjp(x, out _, ref z_1, dResult, dy, out dx, ref dz) re-runs
        // from the ref arguments' values on entry; the out arguments' cotangents follow dResult, and a ref argument's
        // cotangent goes in by reference (of its value on exit) and comes back as that of its value on entry.
        bool withOutputs = CallOutputs.HasOutputParameters(call);
        var (result, outputs) = withOutputs && target is not null ? CallOutputs.Split(target, call) : (target, new Dictionary<int, Variable>());
        var parameters = withOutputs ? callee.Parameters.Select(p => p with { IsDifferentiable = false }).ToList() : [];
        var bound = new List<Variable>();
        foreach (int i in outputs.Keys.OrderBy(i => i))
        {
            bound.Add(callee.Parameters[i].Kind == ParameterKind.Ref ? Names.Fresh(outputs[i].Name + "AsCalled", outputs[i].Type) : new Variable("_", outputs[i].Type));
        }

        if (withOutputs && call.Type.Kind != ValueKind.Void)
        {
            parameters.Add(new ParameterInfo("dResult", DerivativeType(call.Type), false));
            arguments.Add(result is not null ? CotangentOf(result) : Const.Zero(DerivativeType(call.Type)));
        }
        else if (!withOutputs && target is not null)
        {
            arguments.Add(CotangentOf(target));
        }

        foreach (int i in outputs.Keys.OrderBy(i => i).Where(i => callee.Parameters[i] is { Kind: ParameterKind.Out, IsDifferentiable: true }))
        {
            parameters.Add(new ParameterInfo("d" + callee.Parameters[i].Name, DerivativeType(callee.Parameters[i].Type), false));
            arguments.Add(CotangentOf(new VariableBinding(outputs[i])));
        }

        var before = new List<Stmt>();
        var after = new List<Stmt>();
        var passed = new HashSet<Variable>();
        for (int i = 0; i < callee.Parameters.Count; i++)
        {
            if (!callee.Parameters[i].IsDifferentiable || callee.Parameters[i].Kind == ParameterKind.Out)
            {
                continue;
            }

            Expr argument = call.Arguments[i];
            if (callee.Parameters[i].Kind == ParameterKind.Ref)
            {
                // In: the cotangent of the value on exit; out: that of the value on entry, added to the argument's.
                Variable part = Names.Fresh("d" + outputs[i].Name + "_" + callee.Parameters[i].Name, DerivativeType(callee.Parameters[i].Type));
                parameters.Add(new ParameterInfo("d" + callee.Parameters[i].Name, part.Type, false, Kind: ParameterKind.Ref));
                arguments.Add(CotangentOf(new VariableBinding(outputs[i])));
                bound.Add(part);
                if (argument is Ref { Variable: var input } && Activity.IsActive(input))
                {
                    after.Add(Accumulate(input, AsDerivativeOf(input.Type, new Ref(part)), origin));
                }

                continue;
            }

            if (withOutputs)
            {
                parameters.Add(new ParameterInfo("d" + callee.Parameters[i].Name, callee.Parameters[i].Type, false));
            }

            if (callee.Parameters[i].Type.IsBuffer)
            {
                // The callee accumulates into the shadow. A buffer passed twice gets a second, pooled scratch shadow,
                // added to the first afterwards; a buffer without a shadow gets one whose contents are dropped.
                if (HasShadow(argument) && passed.Add(IrWalk.Root(argument)!))
                {
                    arguments.Add(ShadowOf(argument));
                    continue;
                }

                var (rent, span, release) = ScratchShadow(
                    argument, "d" + (IrWalk.Root(argument)?.Name ?? "argument") + "_" + callee.Parameters[i].Name, HasShadow(argument) ? ShadowOf(argument) : null, origin);
                before.Add(rent);
                arguments.Add(span);
                after.Add(release);
            }
            else if (argument is Ref { Variable: var v } && Activity.IsActive(v))
            {
                Variable part = Names.Fresh("d" + v.Name + "_" + callee.Parameters[i].Name, callee.Parameters[i].Type);
                arguments.Add(new OutArgument(part));
                after.Add(Accumulate(v, AsDerivativeOf(v.Type, new Ref(part)), origin));
            }
            else
            {
                arguments.Add(new OutArgument(new Variable("_", callee.Parameters[i].Type)));
            }
        }

        // A callee of scalars with a generated Hvp (a referenced library's Order = 2 method) keeps it: the call of its Vjp
        // then has a forward mode of its own, for second order.
        DerivativeMethods? secondOrder = callee.Derivatives is { Hvp: { } hvp } derivatives && callee.Parameters.All(p => p.IsDifferentiable && p.Type.IsFloating)
            && target is not null && call.Type.IsFloating
            ? new DerivativeMethods(null, null, derivatives.Source, hvp)
            : null;
        var vjpCallee = new MethodCallee(callee.Key, vjp.Owner, vjp.Name, callee.Receiver, parameters.ToEquatableArray(), secondOrder, callee.Site);
        foreach (Stmt prepared in restores.Concat(before))
        {
            yield return prepared;
        }

        yield return withOutputs
            ? new Let(CallOutputs.Bind(null, bound), new Call(vjpCallee, arguments.ToEquatableArray(), call.Type), origin)
            : new Evaluate(new Call(vjpCallee, arguments.ToEquatableArray(), call.Type), origin);
        foreach (Stmt accumulation in after.Concat(released))
        {
            yield return accumulation;
        }
    }

    private Expr CotangentOf(Binding target)
    {
        switch (target)
        {
            case VariableBinding { Variable: var v } when (v.Type.IsFloating || v.Type.IsDifferentiableBuffer) && Activity.IsActive(v):
                return new Ref(DerivativeOf(v)); // an array result's cotangent is its shadow
            case VariableBinding { Variable: var v }:
                return v.Type.IsFloating ? Const.Zero(DerivativeType(v.Type)) : new DefaultValue(DerivativeType(v.Type));
            case TupleBinding tuple:
            {
                var elements = tuple.Elements.Select(CotangentOf).ToEquatableArray();
                return new TupleExpr(elements, IrType.Tuple(elements.Select(e => e.Type).ToEquatableArray(), EquatableArray<string>.Empty));
            }

            default:
                return new DefaultValue(IrType.Void);
        }
    }

    private Stmt Accumulate(Variable variable, Expr contribution, Origin? origin)
    {
        Variable adjoint = DerivativeOf(variable);
        return new Assign(new VariableBinding(adjoint), Build.Add(new Ref(adjoint), contribution), origin);
    }

    // ------------------------------------------------------------ accumulations in reverse loops

    /// <summary>
    /// An element a reverse loop accumulates into at the same index in every iteration (<c>dx[col] += …</c> inside a
    /// loop over rows) is summed in a local and added to the element once, after the loop: one memory update instead
    /// of one per iteration. Only where the loop touches that buffer nowhere else.
    /// </summary>
    private List<Stmt> PromoteAccumulations(List<Stmt> statements)
    {
        var output = new List<Stmt>();
        foreach (Stmt statement in statements)
        {
            switch (statement)
            {
                case For loop:
                {
                    var body = PromoteAccumulations(loop.Body.Statements.ToList());
                    var definedInside = new HashSet<Variable>(IrWalk.Statements(new Block(body.ToEquatableArray())).SelectMany(IrWalk.Defined)) { loop.Index };
                    var after = new List<Stmt>();
                    for (int i = 0; i < body.Count; i++)
                    {
                        if (body[i] is not Store { Kind: StoreKind.Add or StoreKind.Subtract } store
                            || IrWalk.Root(store.Buffer) is not { } root
                            || IrWalk.Reads(store.Index).Concat(IrWalk.Reads(store.Buffer)).Any(definedInside.Contains)
                            || body.Where((s, j) => j != i).Any(s => IrWalk.Variables(s).Contains(root)))
                        {
                            continue;
                        }

                        Variable sum = Names.Fresh(root.Name + "Sum", store.Value.Type);
                        output.Add(new Declare(sum, null));
                        body[i] = new Assign(new VariableBinding(sum), store.Kind == StoreKind.Add ? Build.Add(new Ref(sum), store.Value) : Build.Subtract(new Ref(sum), store.Value), store.Origin);
                        after.Add(store with { Value = new Ref(sum), Kind = StoreKind.Add });
                    }

                    var promoted = loop with { Body = new Block(body.ToEquatableArray()) };
                    if (primalLoops.TryGetValue(loop, out Stmt? primalLoop))
                    {
                        primalLoops[promoted] = primalLoop;
                    }

                    output.Add(promoted);
                    output.AddRange(after);
                    break;
                }

                case If branch:
                    output.Add(branch with
                    {
                        Then = new Block(PromoteAccumulations(branch.Then.Statements.ToList()).ToEquatableArray()),
                        Else = new Block(PromoteAccumulations(branch.Else.Statements.ToList()).ToEquatableArray()),
                    });
                    break;
                default:
                    output.Add(statement);
                    break;
            }
        }

        return output;
    }

    // ------------------------------------------------------------ adjoint declarations

    /// <summary>
    /// Declares each adjoint where it is first needed. Out adjoints start the reverse sweep at zero. A local adjoint is
    /// declared in the innermost block holding all its uses (a loop body only when its variable is defined inside that
    /// loop, so each iteration's value has its own cotangent): where its first use there is an accumulation, the two
    /// merge into one definition (<c>double dy = …;</c>).
    /// </summary>
    private List<Stmt> AdjointDeclarations(List<Parameter> adjoints, List<Stmt> reverse)
    {
        var statements = new List<Stmt>(reverse);
        var declarations = new List<Stmt>();
        foreach (Variable adjoint in adjoints.Where(a => a.Kind == ParameterKind.Out).Select(o => o.Variable).Where(a => !earlyAdjoints.Contains(a)))
        {
            if (!FoldFirstAccumulation(statements, adjoint, isOut: true))
            {
                declarations.Add(new Assign(new VariableBinding(adjoint), Const.Zero(adjoint.Type), null));
            }
        }

        foreach (Variable adjoint in Derivatives.Where(a => !parameterAdjoints.Contains(a) && !a.Type.IsBuffer && !earlyAdjoints.Contains(a)).ToList())
        {
            statements = Place(statements, adjoint);
        }

        declarations.AddRange(statements);
        return declarations;
    }

    private List<Stmt> Place(List<Stmt> statements, Variable adjoint)
    {
        var uses = statements.Select((s, i) => (s, i)).Where(p => IrWalk.Variables(p.s).Contains(adjoint)).Select(p => p.i).ToList();
        if (uses.Count == 0)
        {
            return statements;
        }

        if (uses.Count == 1 && statements[uses[0]] is If branch)
        {
            bool inThen = IrWalk.Variables(branch.Then).Contains(adjoint), inElse = IrWalk.Variables(branch.Else).Contains(adjoint);
            if (inThen != inElse)
            {
                statements[uses[0]] = inThen
                    ? branch with { Then = new Block(Place(branch.Then.Statements.ToList(), adjoint).ToEquatableArray()) }
                    : branch with { Else = new Block(Place(branch.Else.Statements.ToList(), adjoint).ToEquatableArray()) };
                return statements;
            }
        }

        if (uses.Count == 1 && statements[uses[0]] is For reverseLoop
            && primalLoops.TryGetValue(reverseLoop, out Stmt? primalLoop)
            && PrimalOf(adjoint) is { } primal && recording.IsDefinedOnlyIn(primal, primalLoop))
        {
            var placed = reverseLoop with { Body = new Block(Place(reverseLoop.Body.Statements.ToList(), adjoint).ToEquatableArray()) };
            primalLoops[placed] = primalLoop;
            statements[uses[0]] = placed;
            return statements;
        }

        if (!FoldFirstAccumulation(statements, adjoint, isOut: false))
        {
            statements.Insert(uses[0], new Declare(adjoint, null));
        }

        return statements;
    }

    /// <summary>Turns the first use of an adjoint, when it is an accumulation in this block, into its definition.</summary>
    private static bool FoldFirstAccumulation(List<Stmt> statements, Variable adjoint, bool isOut)
    {
        int first = statements.FindIndex(s => IrWalk.Variables(s).Contains(adjoint));
        if (first < 0
            || statements[first] is not Assign { Target: VariableBinding { Variable: var target }, Value: Binary binary } assign
            || target != adjoint
            || binary.Left != new Ref(adjoint)
            || binary.Op is not (BinaryOp.Add or BinaryOp.Subtract))
        {
            return false;
        }

        Expr value = binary.Op == BinaryOp.Add ? binary.Right : Build.Negate(binary.Right);
        statements[first] = isOut ? new Assign(assign.Target, value, assign.Origin) : new Let(assign.Target, value, assign.Origin);
        return true;
    }
}
