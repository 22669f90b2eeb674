using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Differentiable;

/// <summary>
/// One typed stack of a <see cref="Tape"/>: the forward sweep of a generated reverse-mode method pushes the
/// values its reverse sweep will need (values overwritten in loops, branch decisions, trip counts) and the
/// reverse sweep pops them in the opposite order.
/// </summary>
/// <remarks>
/// <para>
/// It holds values and integer offsets only, never spans or references. It belongs to one thread (see
/// <see cref="Tape.Current"/>) and is not thread-safe. Entry points do not pop to their start: they take a
/// <see cref="Tape.Mark"/> and <see cref="Tape.Restore"/> it in a <c>finally</c>.
/// </para>
/// <para>
/// Storage is one plain array that grows by doubling from 256 elements and is trimmed by
/// <see cref="Tape.Restore"/> (see there). Plain arrays rather than <c>ArrayPool&lt;T&gt;.Shared</c>: the stack is a
/// long-lived per-thread buffer, not a short rental; renting would hold the shared pool's arrays for the
/// thread's lifetime and round every size to a power of two, and once the stack has reached its working size
/// it allocates nothing either way.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="double"/>, <see cref="float"/>, <see cref="int"/> or <see cref="bool"/> on a <see cref="Tape"/>.</typeparam>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a stack; generated code calls it by this name.")]
public sealed class TapeStack<T>
    where T : unmanaged
{
    /// <summary>The capacity of the first array, allocated on the first push.</summary>
    internal const int InitialCapacity = 256;

    /// <summary>Storage below this many bytes is never trimmed.</summary>
    internal const long TrimThresholdBytes = 1 << 20;

    // The longest range PushSlice and PopSlice copy inline, element by element.
    private const int ShortRange = 32;

    private T[] _items = Array.Empty<T>();
    private int _count;

    // The largest height reached since the last trim check (the last time the whole tape became empty).
    private int _peak;

    internal TapeStack()
    {
    }

    /// <summary>The number of values on the stack.</summary>
    public int Count => _count;

    /// <summary>The number of values the stack can hold before it grows.</summary>
    public int Capacity => _items.Length;

    /// <summary>Pushes <paramref name="value"/>.</summary>
    /// <param name="value">The value the reverse sweep will pop.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(T value)
    {
        T[] items = _items;
        int count = _count;
        if ((uint)count < (uint)items.Length)
        {
            items[count] = value;
            Raise(count + 1);
        }
        else
        {
            PushWithGrowth(value);
        }
    }

    /// <summary>Removes and returns the value on top of the stack.</summary>
    /// <returns>The value pushed last and not yet popped.</returns>
    /// <exception cref="InvalidOperationException">The stack is empty (a bug in generated code).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Pop()
    {
        T[] items = _items;
        int count = _count - 1;

        // _count <= items.Length always holds, so this one compare catches an empty stack (count == -1)
        // and lets the JIT drop the bounds check below.
        if ((uint)count >= (uint)items.Length)
        {
            ThrowEmpty();
        }

        _count = count;
        return items[count];
    }

    /// <summary>Returns the value on top of the stack without removing it.</summary>
    /// <returns>The value pushed last and not yet popped.</returns>
    /// <exception cref="InvalidOperationException">The stack is empty (a bug in generated code).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Peek()
    {
        T[] items = _items;
        int count = _count - 1;
        if ((uint)count >= (uint)items.Length)
        {
            ThrowEmpty();
        }

        return items[count];
    }

    /// <summary>
    /// Pushes a whole vector at once; <see cref="PopRange"/> with a destination of the same length restores it.
    /// </summary>
    /// <param name="values">The values to save, copied in order.</param>
    public void PushRange(ReadOnlySpan<T> values)
    {
        int count = _count;
        if (values.Length > _items.Length - count)
        {
            Grow((long)count + values.Length);
        }

        values.CopyTo(_items.AsSpan(count));
        Raise(count + values.Length);
    }

    /// <summary>
    /// Pops <c>destination.Length</c> values into <paramref name="destination"/>, which then holds exactly what the
    /// matching <see cref="PushRange"/> received, in the same order.
    /// </summary>
    /// <param name="destination">Where the saved vector is restored.</param>
    /// <exception cref="InvalidOperationException">The stack holds fewer values than requested (a bug in generated code).</exception>
    public void PopRange(Span<T> destination)
    {
        int count = _count - destination.Length;
        if (count < 0)
        {
            ThrowTooFew(destination.Length, _count);
        }

        _items.AsSpan(count, destination.Length).CopyTo(destination);
        _count = count;
    }

    /// <summary>
    /// Saves <paramref name="count"/> elements of <paramref name="values"/> from <paramref name="start"/> at once: the
    /// range a loop reads or overwrites. A count of zero or less saves nothing (a loop that does not run), and so does a
    /// range that is not inside <paramref name="values"/>: the loop that would touch it throws IndexOutOfRangeException in
    /// the primal too, or never runs (its bounds sit at the ends of int and the count wrapped).
    /// </summary>
    /// <remarks>
    /// Inlined: a short range is copied element by element in the caller, with no call in a hot loop's neighbourhood to
    /// make the JIT spill its registers; a long one goes through <see cref="PushRange"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PushSlice(ReadOnlySpan<T> values, int start, int count)
    {
        if (!IsRange(values.Length, start, count))
        {
            return;
        }

        T[] items = _items;
        int height = _count;
        if (count <= ShortRange && count <= items.Length - height)
        {
            ReadOnlySpan<T> source = values.Slice(start, count);
            Span<T> target = items.AsSpan(height, source.Length);
            for (int i = 0; i < source.Length; i++)
            {
                target[i] = source[i];
            }

            Raise(height + source.Length);
        }
        else
        {
            PushRange(values.Slice(start, count));
        }
    }

    /// <summary>True for a non-empty range inside a buffer of <paramref name="length"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsRange(int length, int start, int count) =>
        count > 0 && (uint)start <= (uint)length && (uint)count <= (uint)(length - start);

    /// <summary>
    /// Puts back what <see cref="PushSlice"/> saved, into the same range of <paramref name="destination"/>; a range PushSlice
    /// saved nothing for restores nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PopSlice(Span<T> destination, int start, int count)
    {
        if (!IsRange(destination.Length, start, count))
        {
            return;
        }

        if (count <= ShortRange && count <= _count)
        {
            Span<T> target = destination.Slice(start, count);
            int height = _count - target.Length;
            ReadOnlySpan<T> source = _items.AsSpan(height, target.Length);
            for (int i = 0; i < source.Length; i++)
            {
                target[i] = source[i];
            }

            _count = height;
        }
        else
        {
            PopRange(destination.Slice(start, count));
        }
    }

    /// <summary>Pops back to <paramref name="height"/>; returns false and changes nothing if the stack is below it.</summary>
    internal bool TryRestore(int height)
    {
        if ((uint)height > (uint)_count)
        {
            return false;
        }

        _count = height;
        return true;
    }

    /// <summary>The bytes of the largest height reached since the whole tape was last empty (element size × peak height).</summary>
    internal long PeakBytes => (long)_peak * Unsafe.SizeOf<T>();

    /// <summary>
    /// Called when the whole tape is empty: shrinks storage above <see cref="TrimThresholdBytes"/> that is more than
    /// four times the peak height since the previous call to fit that peak, and starts a new peak.
    /// </summary>
    internal void TrimIfOversized()
    {
        int peak = _peak;
        _peak = _count;
        int capacity = _items.Length;
        if (_count == 0
            && (long)capacity * Unsafe.SizeOf<T>() > TrimThresholdBytes
            && capacity > 4L * peak)
        {
            _items = peak == 0 ? Array.Empty<T>() : GC.AllocateUninitializedArray<T>(Math.Max(peak, InitialCapacity));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PushWithGrowth(T value)
    {
        int count = _count;
        Grow(count + 1L);
        _items[count] = value;
        Raise(count + 1);
    }

    /// <summary>Sets the height after a push, and the peak when the height passes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Raise(int height)
    {
        _count = height;
        if (height > _peak)
        {
            _peak = height;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(long required)
    {
        if (required > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"The tape's {typeof(T).Name} stack cannot hold {required} values (the limit is {Array.MaxLength}).");
        }

        long doubled = Math.Max(2L * _items.Length, InitialCapacity);
        int capacity = (int)Math.Min(Math.Max(doubled, required), Array.MaxLength);

        // Uninitialized: every slot is written by a push before a pop reads it.
        T[] items = GC.AllocateUninitializedArray<T>(capacity);
        _items.AsSpan(0, _count).CopyTo(items);
        _items = items;
    }

    // Not marked NoInlining: the JIT then sees that a call never returns and keeps it out of the hot path.
    [DoesNotReturn]
    private static void ThrowEmpty() =>
        throw new InvalidOperationException(
            $"The tape's {typeof(T).Name} stack is empty: a reverse sweep popped more values than its forward sweep pushed. "
            + "This is a bug in the generated code; please report it.");

    // Not marked NoInlining: the JIT then sees that a call never returns and keeps it out of the hot path.
    [DoesNotReturn]
    private static void ThrowTooFew(int requested, int count) =>
        throw new InvalidOperationException(
            $"The tape's {typeof(T).Name} stack holds {count} values but {requested} were popped: a reverse sweep popped "
            + "more values than its forward sweep pushed. This is a bug in the generated code; please report it.");
}
