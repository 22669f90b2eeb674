using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Differentiable;

/// <summary>
/// The per-thread typed stacks on which generated reverse-mode code saves what its reverse sweep needs and
/// cannot keep in locals: values overwritten inside loops, branch decisions and trip counts (the approach of
/// Tapenade). The forward sweep pushes, the reverse sweep pops in the opposite order.
/// </summary>
/// <remarks>
/// <para>Rules:</para>
/// <list type="bullet">
/// <item><description>The tape holds values and integer offsets only, never spans or references; spans stay in the
/// stack frame of the generated method.</description></item>
/// <item><description>There is one tape per thread (<see cref="Current"/>); it is not thread-safe and must not be
/// handed to another thread.</description></item>
/// <item><description>Every generated entry point brackets its use of the tape with <see cref="Mark"/> and
/// <see cref="Restore"/>, so that re-entrant calls, other threads and exceptions thrown mid-sweep leave nothing
/// behind:
/// <code>
/// Tape tape = Tape.Current;
/// TapeMark mark = tape.Mark();
/// try { /* forward sweep pushes, reverse sweep pops */ }
/// finally { tape.Restore(mark); }
/// </code></description></item>
/// </list>
/// <para>
/// Storage grows as needed and is trimmed when the outermost entry point finishes (see <see cref="Restore"/>);
/// calls that keep reaching the same heights allocate nothing.
/// </para>
/// </remarks>
public sealed class Tape
{
    [ThreadStatic]
    private static Tape? t_current;

    private Tape()
    {
    }

    /// <summary>The current thread's tape, created on first use.</summary>
    public static Tape Current => t_current ?? CreateForCurrentThread();

    /// <summary>Saved <see cref="double"/> values.</summary>
    public TapeStack<double> Doubles { get; } = new();

    /// <summary>Saved <see cref="float"/> values.</summary>
    public TapeStack<float> Singles { get; } = new();

    /// <summary>Saved integers: trip counts, indices, offsets, branch numbers.</summary>
    public TapeStack<int> Ints { get; } = new();

    /// <summary>Saved branch decisions.</summary>
    public TapeStack<bool> Bools { get; } = new();

    /// <summary>
    /// The most bytes this tape held at once during the last outermost generated call: from the time the tape was
    /// last empty to the <see cref="Restore"/> that emptied it again, summed over the four stacks (each stack's element
    /// size × the largest height it reached). 0 until a <see cref="Restore"/> first leaves every stack empty.
    /// </summary>
    /// <remarks>
    /// <para>
    /// This is what a reverse sweep saved for its reverse pass: call a generated <c>{M}Gradient</c> or <c>{M}Vjp</c>
    /// and read it (on the same thread) to see the bytes it put on the tape. A generated method that does not use the
    /// tape (straight-line code keeps everything in locals) leaves it unchanged. Nested calls do not record it, only
    /// the outermost entry point's <see cref="Restore"/> does, so it covers the nested calls' pushes too.
    /// </para>
    /// <para>
    /// The four stacks may reach their peaks at different times, so this is an upper bound on the bytes held at
    /// any one instant (exact when one stack holds everything). It counts the values saved, not the storage
    /// allocated: see <see cref="TapeStack{T}.Capacity"/> for that.
    /// </para>
    /// </remarks>
    public long LastPeakBytes { get; private set; }

    /// <summary>Returns the current height of every stack, for <see cref="Restore"/>.</summary>
    /// <returns>The four heights.</returns>
    public TapeMark Mark() => new(Doubles.Count, Singles.Count, Ints.Count, Bools.Count);

    /// <summary>
    /// Pops every stack back to the height recorded in <paramref name="mark"/>, discarding whatever was pushed
    /// since and not popped.
    /// </summary>
    /// <remarks>
    /// When this leaves every stack empty (the outermost entry point has finished), it records
    /// <see cref="LastPeakBytes"/>, then each stack whose storage is
    /// above 1 MiB and more than four times the largest height it reached since the tape was last empty shrinks to
    /// fit that height (at least 256 elements; none if it was not used).
    /// </remarks>
    /// <param name="mark">A mark taken on this tape by <see cref="Mark"/>.</param>
    /// <exception cref="InvalidOperationException">A stack is below the mark: values pushed before the mark were
    /// popped (a bug in generated code). The other stacks are restored first.</exception>
    public void Restore(TapeMark mark)
    {
        bool consistent = Doubles.TryRestore(mark.Doubles);
        consistent &= Singles.TryRestore(mark.Singles);
        consistent &= Ints.TryRestore(mark.Ints);
        consistent &= Bools.TryRestore(mark.Bools);
        if ((Doubles.Count | Singles.Count | Ints.Count | Bools.Count) == 0)
        {
            // Before the trim checks, which start new peaks.
            LastPeakBytes = Doubles.PeakBytes + Singles.PeakBytes + Ints.PeakBytes + Bools.PeakBytes;
            Doubles.TrimIfOversized();
            Singles.TrimIfOversized();
            Ints.TrimIfOversized();
            Bools.TrimIfOversized();
        }

        if (!consistent)
        {
            ThrowBelowMark(mark);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Tape CreateForCurrentThread() => t_current = new Tape();

    // Not marked NoInlining: the JIT then sees that a call never returns and keeps it out of the hot path.
    [DoesNotReturn]
    private void ThrowBelowMark(TapeMark mark) =>
        throw new InvalidOperationException(
            $"The tape is below the mark being restored ({mark}; now {Mark()}): values pushed before the mark were popped. "
            + "This is a bug in the generated code; please report it.");
}

/// <summary>The heights of a <see cref="Tape"/>'s stacks, taken by <see cref="Tape.Mark"/> and passed to <see cref="Tape.Restore"/>.</summary>
/// <param name="Doubles">The height of <see cref="Tape.Doubles"/>.</param>
/// <param name="Singles">The height of <see cref="Tape.Singles"/>.</param>
/// <param name="Ints">The height of <see cref="Tape.Ints"/>.</param>
/// <param name="Bools">The height of <see cref="Tape.Bools"/>.</param>
public readonly record struct TapeMark(int Doubles, int Singles, int Ints, int Bools);
