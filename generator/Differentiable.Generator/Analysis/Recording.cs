using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Analysis;

/// <summary>
/// The to-be-recorded analysis of reverse mode: of the values the reverse sweep reads, which ones a loop overwrites
/// before the reverse sweep gets to read them, and how each comes back.
/// </summary>
/// <remarks>
/// <para>
/// Straight-line code needs nothing: its values are still in their locals. A value defined inside a loop, or a
/// variable a loop assigns, is overwritten by the next iteration; when the reverse sweep reads it, one of three things
/// brings back the value it had:
/// </para>
/// <list type="bullet">
/// <item><b>Recompute</b>: a local defined once by a cheap expression (integer arithmetic, +, −, ·, /, a comparison, an
/// element of a buffer nothing writes afterwards) over values that are themselves available there is computed again
/// in the reverse sweep. Nothing is saved.</item>
/// <item><b>Invert</b>: an integer stepped by a constant (<c>k += 1</c>) is stepped back.</item>
/// <item><b>Save</b>: anything else is pushed on the tape just before it is overwritten, and popped right after the
/// reverse of the statement that overwrote it (the approach of Tapenade), so every variable holds, at each point of
/// the reverse sweep, the value it had at the same point of the forward sweep.</item>
/// </list>
/// </remarks>
internal sealed class Recording
{
    private readonly Dictionary<Variable, List<Site>> definitions = new();
    private readonly Dictionary<Stmt, Site> siteOf = new(ByReference.Instance);
    private readonly List<Site> byPosition = new();
    private readonly Dictionary<Variable, List<Site>> writes = new();
    private readonly HashSet<Variable> forIndices = new();
    private readonly Dictionary<Stmt, HashSet<Variable>> trailingAssigned = new(ByReference.Instance);
    private readonly HashSet<Variable> recomputed = new();
    private readonly HashSet<Variable> restoredBuffers = new();
    private readonly HashSet<Variable> parameters = new();
    private readonly Dictionary<Stmt, List<Variable>> rangeReads = new(ByReference.Instance);
    private readonly Dictionary<Stmt, List<Variable>> rangeWrites = new(ByReference.Instance);
    private readonly HashSet<int> rangeWriteStores = new();
    private readonly Dictionary<Variable, Stmt> iterationLocal = new();
    private readonly HashSet<Stmt> fused = new(ByReference.Instance);
    private readonly HashSet<Variable> needed = new();
    private readonly Dictionary<Variable, int> inverted = new();
    private readonly HashSet<Variable> tripCounters;
    private int position;

    private Recording(HashSet<Variable> tripCounters, bool checkedByDefault)
    {
        this.tripCounters = tripCounters;
        this.checkedByDefault = checkedByDefault;
    }

    /// <summary>The project's overflow context: a saved range's bounds are computed unchecked (see <see cref="RangeOf"/>).</summary>
    private readonly bool checkedByDefault;

    /// <summary>A statement, where it is (preorder position, block and index there) and the loops around it, innermost last.</summary>
    private sealed record Site(Stmt Statement, int Position, IReadOnlyList<Stmt> Loops, Block Block, int Index, Stmt? BodyOf);

    /// <summary>The variables the reverse sweep reads that must be recomputed, inverted or saved.</summary>
    public IReadOnlyCollection<Variable> Needed => needed;

    /// <param name="function">The function, its control flow already named (decisions, trip counts).</param>
    /// <param name="reverseReads">
    /// What the reverse sweep reads, each with the position (see <see cref="PositionOf"/>) of the primal statement whose
    /// reverse reads it (null: after everything).
    /// </param>
    /// <param name="tripCounters">The iteration counters of general loops: read once, never stepped back.</param>
    /// <param name="fused">
    /// Loops whose iterations are reversed right after they run (see <c>Adjoint</c>): for this analysis their bodies are
    /// straight-line code, since each iteration's values are read back before the next iteration overwrites them.
    /// </param>
    public static Recording Analyze(IrFunction function, IEnumerable<(int? Site, Variable Read)> reverseReads, HashSet<Variable> tripCounters, ISet<Stmt>? fused = null)
    {
        var recording = new Recording(tripCounters, function.CheckedByDefault);
        if (fused is not null)
        {
            recording.fused.UnionWith(fused);
        }

        recording.parameters.UnionWith(function.Parameters.Select(p => p.Variable));
        recording.Index(function.Body, [], null);
        var pending = new Queue<(int? Site, Variable Read)>(reverseReads);
        recording.FindIterationLocalBuffers(function);
        recording.ChooseRestoredBuffers(function, new HashSet<Variable>(pending.Select(r => r.Read)), pending);
        while (pending.Count > 0)
        {
            (int? site, Variable v) = pending.Dequeue();
            if (site is { } at)
            {
                recording.ReadAt(at, v);
            }

            if (recording.needed.Contains(v) || !recording.IsOverwrittenInLoop(v) || !recording.IsOverwrittenAfter(v, site))
            {
                continue;
            }

            recording.needed.Add(v);
            if (recording.CanRecompute(v, out Expr? value))
            {
                recording.recomputed.Add(v);
                int definition = recording.definitions[v][0].Position;
                foreach (Variable operand in IrWalk.Reads(value!))
                {
                    pending.Enqueue((definition, operand));
                }
            }
            else if (recording.CanInvert(v, out int step))
            {
                recording.inverted[v] = step;
            }
        }

        recording.FindOverwrittenReads(function.Body, new HashSet<Variable>());
        return recording;
    }

    private readonly Dictionary<int, HashSet<Variable>> readsAt = new();
    private readonly HashSet<int> savingSites = new();

    private void ReadAt(int position, Variable v)
    {
        if (!readsAt.TryGetValue(position, out HashSet<Variable>? reads))
        {
            readsAt[position] = reads = new HashSet<Variable>();
        }

        reads.Add(v);
    }

    /// <summary>
    /// Which overwrites must save the old value: those whose old value the reverse sweep reads. Walks the function
    /// forwards with the set of variables whose current value a reverse read has seen (a read counts right after the
    /// statement whose reverse makes it): a definition of such a variable saves, then its new value is unseen. Branches
    /// join by union; a loop body runs with what its own end feeds back, until nothing changes.
    /// </summary>
    private void FindOverwrittenReads(Block block, HashSet<Variable> seen)
    {
        foreach (Stmt statement in block.Statements)
        {
            switch (statement)
            {
                case If branch:
                {
                    var otherwise = new HashSet<Variable>(seen);
                    FindOverwrittenReads(branch.Then, seen);
                    FindOverwrittenReads(branch.Else, otherwise);
                    seen.UnionWith(otherwise);
                    break;
                }

                case For or Loop when fused.Contains(statement):
                    FindOverwrittenReads(IrWalk.Blocks(statement).Single(), seen);
                    break;
                case For or Loop:
                {
                    Block body = IrWalk.Blocks(statement).Single();
                    var entry = new HashSet<Variable>(seen);
                    var end = new HashSet<Variable>();
                    int count;
                    do
                    {
                        count = end.Count;
                        var iteration = new HashSet<Variable>(entry);
                        iteration.UnionWith(end);
                        FindOverwrittenReads(body, iteration);
                        end.UnionWith(iteration);
                    }
                    while (end.Count != count);

                    seen.UnionWith(end);
                    break;
                }

                default:
                    foreach (Variable v in IrWalk.Defined(statement))
                    {
                        if (statement is not Declare && seen.Remove(v) && siteOf.TryGetValue(statement, out Site? site))
                        {
                            savingSites.Add(site.Position);
                        }
                    }

                    break;
            }

            if (siteOf.TryGetValue(statement, out Site? at) && readsAt.TryGetValue(at.Position, out HashSet<Variable>? reads))
            {
                seen.UnionWith(reads);
            }
        }
    }

    /// <summary>
    /// True when a definition of <paramref name="v"/> can run after the statement at <paramref name="site"/> (later in
    /// the method, or in a loop around both): the value the reverse sweep reads there must then be brought back.
    /// </summary>
    private bool IsOverwrittenAfter(Variable v, int? site)
    {
        if (site is not { } position)
        {
            return false; // read after everything: the final value is still there
        }

        Site read = byPosition[position];
        return definitions[v].Any(d => d.Position >= read.Position || d.Loops.Any(l => read.Loops.Any(m => ReferenceEquals(l, m))));
    }

    /// <summary>
    /// The position of a statement of the function in preorder: the same in every run of the transform over the same
    /// function, so reads noted in one run serve the next. Null for a statement not in the function.
    /// </summary>
    public int? PositionOf(Stmt statement) => siteOf.TryGetValue(statement, out Site? site) ? site.Position : null;

    /// <summary>
    /// True when the forward sweep saves the old element before every write of this local buffer and the reverse sweep
    /// puts it back: its elements can then be read again anywhere in the reverse sweep instead of being saved.
    /// </summary>
    public bool RestoresElements(Variable buffer) => restoredBuffers.Contains(buffer);

    /// <summary>
    /// True when a store to a restored buffer saves the element it overwrites itself (not as part of a range its loop
    /// saves at once, see <see cref="SavedBefore"/>).
    /// </summary>
    public bool SavesElementAt(Store store) =>
        IrWalk.Root(store.Buffer) is { } root && restoredBuffers.Contains(root)
        && !(siteOf.TryGetValue(store, out Site? site) && rangeWriteStores.Contains(site.Position));

    /// <summary>
    /// The ranges a counted loop saves at once before it runs: the old contents of a restored buffer it writes one
    /// element per iteration, at its index (put back after the loop's reverse).
    /// </summary>
    public IEnumerable<Slice> SavedBefore(For loop) =>
        rangeWrites.TryGetValue(loop, out List<Variable>? buffers) ? buffers.Select(b => RangeOf(loop, new Ref(b), checkedByDefault)) : [];

    /// <summary>
    /// The ranges a counted loop saves at once after it ran: a local buffer it reads one element per iteration, at its
    /// index, and does not write (put back before the loop's reverse, which reads the elements again).
    /// </summary>
    public IEnumerable<Slice> SavedAfter(For loop) =>
        rangeReads.TryGetValue(loop, out List<Variable>? buffers) ? buffers.Select(b => RangeOf(loop, new Ref(b), checkedByDefault)) : [];

    /// <summary>
    /// The elements a counted loop's index runs over: <c>(From, Bound − From)</c> for <c>i &lt; Bound</c>. For a loop that
    /// never runs the count is zero or negative, or wraps (bounds at the ends of int) to a range no buffer has; the tape's
    /// PushSlice and PopSlice do nothing for either. The arithmetic is written <c>unchecked</c> in a project that checks
    /// overflow, so a wrap there is not an OverflowException the primal does not throw.
    /// </summary>
    private static Slice RangeOf(For loop, Expr buffer, bool checkedByDefault)
    {
        Expr one = Const.One(IrType.Int);
        (Expr start, Expr count) = loop.Compare switch
        {
            BinaryOp.Less => (loop.From, Build.Subtract(loop.Bound, loop.From)),
            BinaryOp.LessOrEqual => (loop.From, Build.Add(Build.Subtract(loop.Bound, loop.From), one)),
            BinaryOp.Greater => (Build.Add(loop.Bound, one), Build.Subtract(loop.From, loop.Bound)),
            _ => (loop.Bound, Build.Add(Build.Subtract(loop.From, loop.Bound), one)),
        };
        Expr Unchecked(Expr e) => checkedByDefault && !e.IsAtom ? new Overflow(e, Checked: false) : e;
        return new Slice(buffer, Unchecked(start), Unchecked(count));
    }

    /// <summary>True when the reverse sweep computes <paramref name="v"/> again from its definition.</summary>
    public bool IsRecomputed(Variable v) => recomputed.Contains(v);

    /// <summary>
    /// True when <paramref name="statement"/>, inside a loop, overwrites a value of <paramref name="v"/> the reverse sweep
    /// reads: it pushes the old value on the tape, and the reverse of the statement pops it back.
    /// </summary>
    public bool SavesAt(Stmt statement, Variable v) =>
        needed.Contains(v) && !recomputed.Contains(v) && statement is not Declare
        && !(statement is Assign && (inverted.ContainsKey(v) || tripCounters.Contains(v)))
        && siteOf.TryGetValue(statement, out Site? site) && savingSites.Contains(site.Position);

    /// <summary>
    /// True when <paramref name="statement"/> steps the integer <paramref name="v"/> by <paramref name="step"/> and the
    /// reverse sweep needs its old value: the reverse of the statement steps it back instead of saving it.
    /// </summary>
    public bool InvertsAt(Stmt statement, Variable v, out int step)
    {
        step = 0;
        return statement is Assign && needed.Contains(v) && !tripCounters.Contains(v) && inverted.TryGetValue(v, out step);
    }

    /// <summary>The definition a recomputed variable is computed again from.</summary>
    public Expr RecomputedValue(Variable v) => ((Let)definitions[v][0].Statement).Value;

    /// <summary>
    /// True when nothing but <paramref name="statement"/> itself, run once, writes <paramref name="buffer"/>'s elements after
    /// it starts: a call in it can be re-run in reverse on the same contents, and leaves them as the forward sweep did. A
    /// statement inside a loop runs again: its own later runs count as writes after it.
    /// </summary>
    public bool IsFrozenAfter(Stmt statement, Variable buffer) =>
        !siteOf.TryGetValue(statement, out Site? site) || IsFrozen(new Ref(buffer), site, except: site.Loops.Count == 0 ? statement : null);

    /// <summary>True when every definition of <paramref name="v"/> is inside <paramref name="loop"/>.</summary>
    public bool IsDefinedOnlyIn(Variable v, Stmt loop) =>
        definitions.TryGetValue(v, out List<Site>? defined) && defined.All(d => d.Loops.Any(l => ReferenceEquals(l, loop)));

    // ------------------------------------------------------------ indexing

    private void Index(Block block, IReadOnlyList<Stmt> loops, Stmt? bodyOf)
    {
        for (int index = 0; index < block.Statements.Count; index++)
        {
            Stmt statement = block.Statements[index];
            var site = new Site(statement, position++, loops, block, index, bodyOf);
            siteOf[statement] = site;
            byPosition.Add(site);
            foreach (Variable v in IrWalk.Defined(statement))
            {
                if (statement is For)
                {
                    forIndices.Add(v);
                    continue;
                }

                Add(definitions, v, site);
            }

            if (statement is Store { Buffer: var buffer } && IrWalk.Root(buffer) is { } stored)
            {
                Add(writes, stored, site);
            }

            foreach (Variable passed in IrWalk.Expressions(statement).SelectMany(IrWalk.Calls).SelectMany(Activity.WritableArguments))
            {
                Add(writes, passed, site);
            }

            if (statement is For or Loop && !fused.Contains(statement))
            {
                Block body = IrWalk.Blocks(statement).Single();
                trailingAssigned[statement] = TrailingAssigned(body);
                Index(body, [.. loops, statement], statement);
            }
            else
            {
                foreach (Block nested in IrWalk.Blocks(statement))
                {
                    Index(nested, loops, null);
                }
            }
        }
    }

    private static void Add(Dictionary<Variable, List<Site>> map, Variable v, Site site)
    {
        if (!map.TryGetValue(v, out List<Site>? sites))
        {
            map[v] = sites = new List<Site>();
        }

        sites.Add(site);
    }

    /// <summary>The variables assigned by the run of assignments that ends a loop body (its carried variables).</summary>
    private static HashSet<Variable> TrailingAssigned(Block body)
    {
        var assigned = new HashSet<Variable>();
        for (int i = body.Statements.Count - 1; i >= 0 && body.Statements[i] is Assign { Target: VariableBinding { Variable: var v } }; i--)
        {
            assigned.Add(v);
        }

        return assigned;
    }

    // ------------------------------------------------------------ decisions

    /// <summary>
    /// Saving array contents: either each element the reverse sweep reads is saved when it is read (a local loaded many
    /// times), or each element a local buffer's writes overwrite is saved and put back (a buffer written less often
    /// than it is read). The cheaper by a static estimate (each loop around a site counts as 8 iterations) wins. A
    /// parameter keeps its final contents, and a buffer a call writes has no element writes to undo: they are read-saved.
    /// </summary>
    private void ChooseRestoredBuffers(IrFunction function, HashSet<Variable> reads, Queue<(int? Site, Variable Read)> pending)
    {
        var parameters = new HashSet<Variable>(function.Parameters.Select(p => p.Variable));
        foreach (KeyValuePair<Variable, List<Site>> entry in writes)
        {
            Variable buffer = entry.Key;
            if (parameters.Contains(buffer) || iterationLocal.ContainsKey(buffer) || entry.Value.Any(w => w.Statement is not Store))
            {
                continue;
            }

            double readCost = definitions
                .Where(d => reads.Contains(d.Key) && d.Value.Count == 1)
                .Select(d => d.Value[0])
                .Where(d => d.Loops.Count > 0 && d.Statement is Let { Value: Load load } && IrWalk.Root(load.Buffer) == buffer && !IsFrozen(load.Buffer, d))
                .Sum(d => Weight(d));
            double writeCost = entry.Value.Sum(Weight);
            if (readCost > writeCost)
            {
                restoredBuffers.Add(buffer);
                foreach (Site write in entry.Value)
                {
                    // One element per iteration at the loop's index, the buffer touched nowhere else in the loop: the old
                    // contents of the loop's range are saved at once.
                    if (write is { Statement: Store { Buffer: Ref, Index: Ref { Variable: var index } } rangeStore, BodyOf: For { Step: 1 or -1 } loop }
                        && loop.Index == index
                        && loop.Body.Statements.Where(s => !ReferenceEquals(s, rangeStore)).All(s => !IrWalk.Variables(s).Contains(buffer)))
                    {
                        if (!rangeWrites.TryGetValue(loop, out List<Variable>? buffers))
                        {
                            rangeWrites[loop] = buffers = new List<Variable>();
                        }

                        buffers.Add(buffer);
                        rangeWriteStores.Add(write.Position);
                    }

                    var store = (Store)write.Statement;
                    foreach (Variable read in IrWalk.Reads(store.Index).Concat(IrWalk.Reads(store.Buffer)))
                    {
                        pending.Enqueue((write.Position, read));
                    }
                }
            }
        }
    }

    private static double Weight(Site site) => System.Math.Pow(8, site.Loops.Count);

    private bool IsOverwrittenInLoop(Variable v) =>
        definitions.TryGetValue(v, out List<Site>? sites) && sites.Any(s => s.Loops.Count > 0 && s.Statement is not Declare);

    private bool CanRecompute(Variable v, out Expr? value)
    {
        value = null;
        List<Site> sites = definitions[v];
        if (tripCounters.Contains(v) || sites.Count != 1 || sites[0].Statement is not Let { Target: VariableBinding, Value: var definition })
        {
            return false;
        }

        value = definition;
        if (IsCheap(definition, sites[0]))
        {
            return true;
        }

        // One element per iteration of a local buffer the loop does not write: the loop's range is saved at once.
        if (definition is Load { Buffer: Ref { Variable: var buffer }, Index: Ref { Variable: var index } }
            && sites[0].BodyOf is For { Step: 1 or -1 } loop && loop.Index == index
            && !parameters.Contains(buffer) && !restoredBuffers.Contains(buffer)
            && !(writes.TryGetValue(buffer, out List<Site>? written) && written.Any(w => w.Loops.Any(l => ReferenceEquals(l, loop)))))
        {
            if (!rangeReads.TryGetValue(loop, out List<Variable>? buffers))
            {
                rangeReads[loop] = buffers = new List<Variable>();
            }

            if (!buffers.Contains(buffer))
            {
                buffers.Add(buffer);
            }

            return true;
        }

        return false;
    }

    /// <summary>True for an expression worth computing again rather than saving, over values available in reverse.</summary>
    private bool IsCheap(Expr expr, Site site) => expr switch
    {
        Const or Length or DefaultValue or Literal => true,
        Ref { Variable: var u } => IsStable(u, site),
        Unary u => IsCheap(u.Operand, site),
        Binary b => IsCheap(b.Left, site) && IsCheap(b.Right, site),
        Convert c => IsCheap(c.Operand, site),
        Overflow o => IsCheap(o.Operand, site),
        Conditional c => IsCheap(c.Condition, site) && IsCheap(c.WhenTrue, site) && IsCheap(c.WhenFalse, site),
        Load load => (IsFrozen(load.Buffer, site) || IsRestoredAndUnchanged(load.Buffer, site) || IsIterationLocal(load.Buffer))
            && IsCheap(load.Index, site) && (load.Buffer is Ref || IsCheap(load.Buffer, site)),
        _ => false,
    };

    /// <summary>
    /// True when <paramref name="u"/>, read by a value defined at <paramref name="site"/>, holds that same value where
    /// the reverse sweep recomputes it (just after the reverse of the value's last reader, in the same block). Every
    /// overwrite of a variable the reverse sweep reads is undone at the mirror position (saved or stepped back), so u
    /// holds there the value it had in the forward sweep just after that reader: the same, unless the statements after
    /// the definition in its block assign u. The carried assignments that end a loop body are the exception: their
    /// reverse comes first in each reverse iteration. Loop indices are recreated by the reverse loops.
    /// </summary>
    private bool IsStable(Variable u, Site site)
    {
        if (forIndices.Contains(u) || u.Type.IsBuffer || !definitions.TryGetValue(u, out List<Site>? defined))
        {
            return true;
        }

        var carried = site.BodyOf is { } loop ? trailingAssigned[loop] : [];
        int firstCarried = site.Block.Statements.Count - carried.Count;
        for (int i = site.Index + 1; i < site.Block.Statements.Count; i++)
        {
            Stmt later = site.Block.Statements[i];
            bool assignsU = IrWalk.Defined(later).Contains(u) || IrWalk.Blocks(later).Any(b => IrWalk.Statements(b).Any(s => IrWalk.Defined(s).Contains(u)));
            if (assignsU && !(i >= firstCarried && carried.Contains(u)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The loops of <paramref name="block"/> that fill an iteration-local buffer: the reverse sweep runs each again when
    /// it enters the block, instead of saving anything of the buffer (see <see cref="FindIterationLocalBuffers"/>).
    /// </summary>
    public IEnumerable<For> Refills(Block block) =>
        block.Statements.OfType<For>().Where(loop => iterationLocal.Values.Any(l => ReferenceEquals(l, loop)));

    private bool IsIterationLocal(Expr buffer) => IrWalk.Root(buffer) is { } root && iterationLocal.ContainsKey(root);

    /// <summary>
    /// A local buffer that one loop fills, all of it, every time its block runs (<c>for (j = 0; j &lt; n; j++) b[j] = …</c>
    /// with <c>b = new double[n]</c>), from cheap values, and that only the statements after that loop in the same block
    /// read: whatever a reverse read of it needs, re-running the loop gives. Nothing of it is saved.
    /// </summary>
    private void FindIterationLocalBuffers(IrFunction function)
    {
        foreach (Stmt statement in function.Body.Statements)
        {
            if (statement is not Let { Target: VariableBinding { Variable: var buffer }, Value: var allocation } || !buffer.Type.IsBuffer
                || IrWalk.AllocatedCount(allocation) is not { } count
                || !writes.TryGetValue(buffer, out List<Site>? written) || written.Count != 1
                || written[0] is not { Statement: Store { Buffer: Ref, Index: Ref { Variable: var index }, Kind: StoreKind.Set } fill, BodyOf: For loop } site
                || loop.Index != index || loop.From is not Const { Value: 0 } || loop.Compare != BinaryOp.Less || loop.Step != 1 || !loop.Bound.Equals(count)
                || !loop.Body.Statements.All(s => ReferenceEquals(s, fill) || s is Let { Target: VariableBinding, Value: var value } && IsCheap(value, siteOf[s])))
            {
                continue;
            }

            // What the fill reads must still hold its value when the reverse sweep refills (once the carried assignments
            // at the end of the block are undone): nothing else after the fill loop in its block may assign it.
            Site loopSite = siteOf[loop];
            var fillReads = new HashSet<Variable>(loop.Body.Statements.SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Reads));
            var carriedAtEnd = loopSite.BodyOf is { } enclosing ? trailingAssigned[enclosing] : [];
            int firstCarried = loopSite.Block.Statements.Count - carriedAtEnd.Count;
            bool operandsChange = loopSite.Block.Statements.Skip(loopSite.Index + 1).Select((s, k) => (s, k: k + loopSite.Index + 1))
                .Where(p => !(p.k >= firstCarried && p.s is Assign))
                .SelectMany(p => new[] { p.s }.Concat(IrWalk.Blocks(p.s).SelectMany(IrWalk.Statements)))
                .SelectMany(IrWalk.Defined).Any(fillReads.Contains);
            if (operandsChange)
            {
                continue;
            }

            // Every other use is after the loop, in its block.
            var after = new HashSet<Stmt>(
                loopSite.Block.Statements.Skip(loopSite.Index + 1).SelectMany(s => new[] { s }.Concat(IrWalk.Blocks(s).SelectMany(IrWalk.Statements))),
                ByReference.Instance);
            bool usedElsewhere = IrWalk.Statements(function.Body)
                .Where(s => !ReferenceEquals(s, statement) && !ReferenceEquals(s, fill) && s is not For and not Loop and not If)
                .Any(s => IrWalk.Variables(s).Contains(buffer) && !after.Contains(s));
            if (!usedElsewhere)
            {
                iterationLocal[buffer] = loop;
            }
        }
    }

    /// <summary>
    /// True for a buffer whose writes the reverse sweep undoes, when nothing after <paramref name="site"/> in its block
    /// writes it: at the mirror position it holds what it held there.
    /// </summary>
    private bool IsRestoredAndUnchanged(Expr buffer, Site site)
    {
        if (IrWalk.Root(buffer) is not { } root || !restoredBuffers.Contains(root))
        {
            return false;
        }

        var later = site.Block.Statements.Skip(site.Index + 1).SelectMany(s => new[] { s }.Concat(IrWalk.Blocks(s).SelectMany(IrWalk.Statements)));
        return !Activity.WrittenBuffers(new Block(later.ToEquatableArray())).Contains(root);
    }

    /// <summary>True when nothing writes the buffer after <paramref name="site"/>: its elements can be read again in reverse.</summary>
    private bool IsFrozen(Expr buffer, Site site, Stmt? except = null)
    {
        if (IrWalk.Root(buffer) is not { } root || !writes.TryGetValue(root, out List<Site>? written))
        {
            return true;
        }

        return written.Where(w => !ReferenceEquals(w.Statement, except))
            .All(w => w.Position < site.Position && !w.Loops.Any(l => site.Loops.Any(m => ReferenceEquals(l, m))));
    }

    /// <summary>An integer stepped by a constant in each of its writes inside loops: <c>k = k + c</c>, through a temporary or not.</summary>
    private bool CanInvert(Variable v, out int step)
    {
        step = 0;
        if (v.Type.Kind != ValueKind.Integer || v.Type.CSharp != "int")
        {
            return false;
        }

        var steps = new HashSet<int>();
        foreach (Site site in definitions[v].Where(s => s.Loops.Count > 0 && s.Statement is Assign))
        {
            Expr? value = ((Assign)site.Statement).Value;
            if (value is Ref { Variable: var temporary } && definitions.TryGetValue(temporary, out List<Site>? tempSites)
                && tempSites.Count == 1 && tempSites[0].Statement is Let let)
            {
                value = let.Value;
            }

            if (value is Binary { Op: BinaryOp.Add or BinaryOp.Subtract, Left: Ref { Variable: var left }, Right: Const { Value: var c } } binary && left == v)
            {
                steps.Add(binary.Op == BinaryOp.Add ? (int)c : -(int)c);
            }
            else
            {
                return false;
            }
        }

        if (steps.Count != 1)
        {
            return false;
        }

        step = steps.Single();
        return true;
    }
}

/// <summary>Statements compared by identity: two loops that look alike are still two loops.</summary>
internal sealed class ByReference : IEqualityComparer<Stmt>
{
    public static readonly ByReference Instance = new();

    public bool Equals(Stmt? x, Stmt? y) => ReferenceEquals(x, y);

    public int GetHashCode(Stmt obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
}
