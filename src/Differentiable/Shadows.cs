using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Differentiable;

/// <summary>
/// The run-time argument checks a generated entry point with array or span parameters makes before it touches
/// memory, and the accumulation of adjoints into shadows.
/// </summary>
/// <remarks>
/// The rule: an array or span parameter the method writes, and every shadow (tangent or adjoint buffer), must
/// share no memory with another parameter or shadow. Two read-only parameters may alias. A shadow has its primal's
/// length (a jagged shadow, its primal's inner lengths). Empty spans share no memory with anything.
/// </remarks>
[SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "Generated code calls it by this name; it is a keyword only in Visual Basic.")]
public static class Shadows
{
    // Hash-table slots CheckShape keeps on the stack (1 KiB); bigger tables are rented.
    private const int StackTableSlots = 256;

    // Beyond this many non-empty rows (tens of GiB of arrays) CheckShape makes only the same-index check.
    private const int MaxTableRows = 1 << 28;

    /// <summary>
    /// Throws when <paramref name="first"/> and <paramref name="second"/> share memory. O(1); empty spans never overlap.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="first">A parameter or shadow.</param>
    /// <param name="firstName">Its name, for the message.</param>
    /// <param name="second">Another parameter or shadow.</param>
    /// <param name="secondName">Its name: the exception's <see cref="ArgumentException.ParamName"/>.</param>
    /// <exception cref="ArgumentException">The two overlap.</exception>
    public static void CheckDistinct<T>(ReadOnlySpan<T> first, string firstName, ReadOnlySpan<T> second, string secondName)
    {
        if (first.Overlaps(second))
        {
            ThrowShared(firstName, secondName);
        }
    }

    /// <summary>Throws when a shadow's length differs from its primal's.</summary>
    /// <param name="expected">The primal's length.</param>
    /// <param name="primalName">The primal parameter's name, for the message.</param>
    /// <param name="actual">The shadow's length.</param>
    /// <param name="shadowName">The shadow's name: the exception's <see cref="ArgumentException.ParamName"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void CheckLength(int expected, string primalName, int actual, string shadowName)
    {
        if (expected != actual)
        {
            ThrowLength(expected, primalName, actual, shadowName);
        }
    }

    /// <summary>
    /// Checks a jagged shadow against its jagged primal: neither is null, they have the same number of rows, each
    /// row has its primal row's length (a null primal row needs a null shadow row), and no non-empty shadow row is
    /// a row of the primal (at any index) or appears twice in the shadow. O(rows); allocates nothing on the heap.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="primal">The primal parameter.</param>
    /// <param name="primalName">Its name, for the messages.</param>
    /// <param name="shadow">Its shadow.</param>
    /// <param name="shadowName">The shadow's name: the exceptions' <see cref="ArgumentException.ParamName"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="primal"/> or <paramref name="shadow"/> is null.</exception>
    /// <exception cref="ArgumentException">The shapes differ or a shadow row shares memory with a primal row or
    /// another shadow row; the message gives the first offending row.</exception>
    public static void CheckShape<T>(T[][] primal, string primalName, T[][] shadow, string shadowName)
    {
        ArgumentNullException.ThrowIfNull(primal, primalName);
        ArgumentNullException.ThrowIfNull(shadow, shadowName);
        if (primal.Length != shadow.Length)
        {
            throw new ArgumentException(
                $"'{shadowName}' has {shadow.Length} rows but '{primalName}' has {primal.Length}: a shadow must have its primal's shape.",
                shadowName);
        }

        if (primal.Length > 0 && ReferenceEquals(primal, shadow))
        {
            ThrowShared(primalName, shadowName);
        }

        int nonEmpty = 0;
        for (int i = 0; i < primal.Length; i++)
        {
            T[]? p = primal[i];
            T[]? s = shadow[i];
            if (p is null || s is null)
            {
                if (p is null && s is null)
                {
                    continue;
                }

                throw new ArgumentException(
                    $"Row {i} of '{(p is null ? primalName : shadowName)}' is null but row {i} of '{(p is null ? shadowName : primalName)}' is not: "
                    + "a shadow must have its primal's shape.",
                    shadowName);
            }

            if (p.Length != s.Length)
            {
                throw new ArgumentException(
                    $"Row {i} of '{shadowName}' has length {s.Length} but row {i} of '{primalName}' has length {p.Length}: "
                    + "a shadow must have its primal's shape.",
                    shadowName);
            }

            if (s.Length > 0)
            {
                if (ReferenceEquals(p, s))
                {
                    throw new ArgumentException(
                        $"Row {i} of '{shadowName}' is row {i} of '{primalName}': they share memory. {RuleText}",
                        shadowName);
                }

                nonEmpty++;
            }
        }

        if (nonEmpty > 1 && nonEmpty <= MaxTableRows)
        {
            CheckRowsDistinct(primal, primalName, shadow, shadowName, nonEmpty);
        }
    }

    /// <summary>Adds <paramref name="source"/> to <paramref name="destination"/> element-wise: <c>destination[i] += source[i]</c>.</summary>
    /// <remarks>Each element is one IEEE addition, the same with or without SIMD.</remarks>
    /// <param name="source">The values to add.</param>
    /// <param name="destination">The values added to; the same length as <paramref name="source"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the two partially overlap (being the very same span is allowed).</exception>
    public static void Accumulate(ReadOnlySpan<double> source, Span<double> destination)
    {
        CheckAccumulate(source, destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<double>> s = MemoryMarshal.Cast<double, Vector<double>>(source);
            Span<Vector<double>> d = MemoryMarshal.Cast<double, Vector<double>>(destination);
            s = s[..d.Length];
            for (int k = 0; k < d.Length; k++)
            {
                d[k] += s[k];
            }

            i = d.Length * Vector<double>.Count;
        }

        for (; i < destination.Length; i++)
        {
            destination[i] += source[i];
        }
    }

    /// <summary>Adds <paramref name="source"/> to <paramref name="destination"/> element-wise: <c>destination[i] += source[i]</c>.</summary>
    /// <remarks>Each element is one IEEE addition, the same with or without SIMD.</remarks>
    /// <param name="source">The values to add.</param>
    /// <param name="destination">The values added to; the same length as <paramref name="source"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the two partially overlap (being the very same span is allowed).</exception>
    public static void Accumulate(ReadOnlySpan<float> source, Span<float> destination)
    {
        CheckAccumulate(source, destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> s = MemoryMarshal.Cast<float, Vector<float>>(source);
            Span<Vector<float>> d = MemoryMarshal.Cast<float, Vector<float>>(destination);
            s = s[..d.Length];
            for (int k = 0; k < d.Length; k++)
            {
                d[k] += s[k];
            }

            i = d.Length * Vector<float>.Count;
        }

        for (; i < destination.Length; i++)
        {
            destination[i] += source[i];
        }
    }

    /// <summary>Adds the lanes of a widened sweep's shadow to another's: <c>destination[i] += source[i]</c>, lane by lane.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or the two partially overlap.</exception>
    public static void Accumulate(ReadOnlySpan<Vector256<double>> source, Span<Vector256<double>> destination) =>
        Accumulate(MemoryMarshal.Cast<Vector256<double>, double>(source), MemoryMarshal.Cast<Vector256<double>, double>(destination));

    /// <summary>Adds the lanes of a widened sweep's shadow to another's: <c>destination[i] += source[i]</c>, lane by lane.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or the two partially overlap.</exception>
    public static void Accumulate(ReadOnlySpan<Vector256<float>> source, Span<Vector256<float>> destination) =>
        Accumulate(MemoryMarshal.Cast<Vector256<float>, float>(source), MemoryMarshal.Cast<Vector256<float>, float>(destination));

    private const string RuleText =
        "A written array or span parameter and every shadow must share no memory with another parameter or shadow.";

    private static void CheckAccumulate<T>(ReadOnlySpan<T> source, ReadOnlySpan<T> destination)
    {
        if (source.Length != destination.Length)
        {
            throw new ArgumentException(
                $"The source has length {source.Length} but the destination has length {destination.Length}.",
                nameof(destination));
        }

        // A partial overlap would make the result depend on the order of the additions.
        if (source.Overlaps(destination, out int offset) && offset != 0)
        {
            throw new ArgumentException("The source and the destination partially overlap.", nameof(destination));
        }
    }

    /// <summary>
    /// Finds a non-empty shadow row that is a primal row at another index or another shadow row, with an
    /// open-addressing table of row numbers keyed by <see cref="RuntimeHelpers.GetHashCode(object)"/>.
    /// </summary>
    private static void CheckRowsDistinct<T>(T[][] primal, string primalName, T[][] shadow, string shadowName, int nonEmpty)
    {
        int rows = primal.Length;

        // At most 2 * nonEmpty entries, at a load factor of at most 1/2 (nonEmpty <= MaxTableRows: no overflow).
        int slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4 * nonEmpty, StackTableSlots));
        int[]? rented = null;
        Span<int> table = slots <= StackTableSlots
            ? stackalloc int[StackTableSlots]
            : (rented = ArrayPool<int>.Shared.Rent(slots));
        table = table[..slots];
        table.Clear();
        int mask = slots - 1;
        try
        {
            // Slot values: 0 empty, 1 + i for primal row i, 1 + rows + j for shadow row j.
            for (int i = 0; i < rows; i++)
            {
                T[]? p = primal[i];
                if (p is { Length: > 0 } && Find(table, mask, p, primal, shadow) == 0)
                {
                    Insert(table, mask, p, 1 + i);
                }
            }

            for (int j = 0; j < rows; j++)
            {
                T[]? s = shadow[j];
                if (s is not { Length: > 0 })
                {
                    continue;
                }

                int found = Find(table, mask, s, primal, shadow);
                if (found > rows)
                {
                    throw new ArgumentException(
                        $"Rows {found - 1 - rows} and {j} of '{shadowName}' (the shadow of '{primalName}') are the same array: they share memory. {RuleText}",
                        shadowName);
                }

                if (found > 0)
                {
                    throw new ArgumentException(
                        $"Row {j} of '{shadowName}' is row {found - 1} of '{primalName}': they share memory. {RuleText}",
                        shadowName);
                }

                Insert(table, mask, s, 1 + rows + j);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    // The slot value of the entry holding row, or 0.
    private static int Find<T>(Span<int> table, int mask, T[] row, T[][] primal, T[][] shadow)
    {
        int rows = primal.Length;
        for (int slot = RuntimeHelpers.GetHashCode(row) & mask; ; slot = (slot + 1) & mask)
        {
            int entry = table[slot];
            if (entry == 0)
            {
                return 0;
            }

            T[] candidate = entry <= rows ? primal[entry - 1] : shadow[entry - 1 - rows];
            if (ReferenceEquals(candidate, row))
            {
                return entry;
            }
        }
    }

    private static void Insert(Span<int> table, int mask, object row, int entry)
    {
        int slot = RuntimeHelpers.GetHashCode(row) & mask;
        while (table[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        table[slot] = entry;
    }

    // Not marked NoInlining: the JIT then sees that a call never returns and keeps it out of the hot path.
    [DoesNotReturn]
    private static void ThrowShared(string firstName, string secondName) =>
        throw new ArgumentException($"'{firstName}' and '{secondName}' share memory. {RuleText}", secondName);

    // Not marked NoInlining: the JIT then sees that a call never returns and keeps it out of the hot path.
    [DoesNotReturn]
    private static void ThrowLength(int expected, string primalName, int actual, string shadowName) =>
        throw new ArgumentException(
            $"'{shadowName}' has length {actual} but '{primalName}' has length {expected}: a shadow must have its primal's length.",
            shadowName);

    /// <summary>
    /// A zeroed scratch shadow of <paramref name="length"/> elements from the shared pool (the array may be longer: use
    /// its first <paramref name="length"/> elements). Generated reverse sweeps use one where a call needs a shadow the
    /// caller does not have: a second shadow for an array passed twice, or a shadow for an array with no derivative.
    /// Give it back with <see cref="Release(double[], Span{double})"/> or <see cref="Return{T}(T[])"/>.
    /// </summary>
    public static T[] Rent<T>(int length)
        where T : struct
    {
        T[] scratch = ArrayPool<T>.Shared.Rent(length);
        Array.Clear(scratch, 0, length);
        return scratch;
    }

    /// <summary>Adds a rented scratch shadow's first <c>into.Length</c> elements into <paramref name="into"/>, then returns it to the pool.</summary>
    public static void Release(double[] scratch, Span<double> into)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        Accumulate(scratch.AsSpan(0, into.Length), into);
        ArrayPool<double>.Shared.Return(scratch);
    }

    /// <summary>Adds a rented scratch shadow's first <c>into.Length</c> elements into <paramref name="into"/>, then returns it to the pool.</summary>
    public static void Release(float[] scratch, Span<float> into)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        Accumulate(scratch.AsSpan(0, into.Length), into);
        ArrayPool<float>.Shared.Return(scratch);
    }

    /// <summary>Returns a rented scratch shadow whose contents are not needed to the pool (nothing for null).</summary>
    public static void Return<T>(T[]? scratch)
        where T : struct
    {
        if (scratch is not null)
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// An empty reverse-mode shadow for a non-empty array means "not wanted": a pooled, zeroed scratch shadow of the
    /// array's <paramref name="length"/> stands in (give it back with <see cref="Return{T}(T[])"/>). Any other shadow is
    /// returned as it is, and <paramref name="scratch"/> is null.
    /// </summary>
    public static Span<T> OrScratch<T>(Span<T> shadow, int length, out T[]? scratch)
        where T : struct
    {
        if (shadow.Length == 0 && length != 0)
        {
            scratch = Rent<T>(length);
            return scratch.AsSpan(0, length);
        }

        scratch = null;
        return shadow;
    }

    /// <summary>
    /// An empty forward-mode tangent of a read-only array that is not empty means a zero tangent: a shared read-only span
    /// of <paramref name="length"/> zeros stands in. Any other tangent is returned as it is.
    /// </summary>
    public static ReadOnlySpan<T> OrZeros<T>(ReadOnlySpan<T> tangent, int length)
        where T : struct =>
        tangent.Length == 0 && length != 0 ? ZeroBuffer<T>.Get(length) : tangent;

    /// <summary>A shared array of zeros, grown as needed and never written, so any thread may read it.</summary>
    private static class ZeroBuffer<T>
        where T : struct
    {
        private static T[] zeros = [];

        public static ReadOnlySpan<T> Get(int length)
        {
            T[] current = zeros;
            if (current.Length < length)
            {
                current = new T[Math.Max(length, 2 * current.Length)];
                zeros = current; // a racing thread may install another zero array: both are all zeros
            }

            return current.AsSpan(0, length);
        }
    }

    /// <summary>
    /// A pooled copy of <paramref name="values"/> (the array may be longer: its first <c>values.Length</c> elements). A
    /// generated reverse sweep stashes the final contents of an array parameter here while it runs a callee again on the
    /// contents the callee was called with, then puts them back with <see cref="Unstash{T}(T[], Span{T})"/>.
    /// </summary>
    public static T[] Stash<T>(ReadOnlySpan<T> values)
        where T : struct
    {
        T[] stash = ArrayPool<T>.Shared.Rent(values.Length);
        values.CopyTo(stash);
        return stash;
    }

    /// <summary>Copies a stash's first <c>into.Length</c> elements back into <paramref name="into"/> and returns it to the pool.</summary>
    public static void Unstash<T>(T[] stash, Span<T> into)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(stash);
        stash.AsSpan(0, into.Length).CopyTo(into);
        ArrayPool<T>.Shared.Return(stash);
    }
}
