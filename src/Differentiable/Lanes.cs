using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Differentiable;

/// <summary>
/// What widened sweeps and <c>{M}Jacobian</c> call: a widened sweep carries W derivatives of each value in the lanes of a
/// <see cref="Vector256{T}"/> (4 for <c>double</c>, 8 for <c>float</c>), one lane per direction or cotangent.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Lanes
{
    /// <summary>
    /// The direction of input <paramref name="column"/> (a column of the Jacobian) in a sweep over the columns from
    /// <paramref name="first"/>: 1 in lane <c>column - first</c> when that lane is one of the <paramref name="count"/> in use, else zero.
    /// </summary>
    public static Vector256<T> Unit<T>(int column, int first, int count)
        where T : struct
    {
        int lane = column - first;
        return lane >= 0 && lane < count ? Vector256<T>.Zero.WithElement(lane, One<T>()) : Vector256<T>.Zero;
    }

    /// <summary>
    /// Seeds the directions of an array input whose elements are the columns from <paramref name="offset"/>: the elements
    /// that are among the <paramref name="count"/> columns from <paramref name="first"/> get their unit lane, the rest zero.
    /// </summary>
    public static void Seed<T>(Span<Vector256<T>> directions, int offset, int first, int count)
        where T : struct
    {
        directions.Clear();
        int from = Math.Max(first - offset, 0), to = Math.Min(first + count - offset, directions.Length);
        for (int i = from; i < to; i++)
        {
            directions[i] = Vector256<T>.Zero.WithElement(offset + i - first, One<T>());
        }
    }

    /// <summary>Writes the first <paramref name="count"/> lanes of <paramref name="tangent"/> into <paramref name="row"/> (a Jacobian row's entries for the sweep's columns).</summary>
    public static void CopyTo<T>(Vector256<T> tangent, Span<T> row, int count)
        where T : struct
    {
        if (count == Vector256<T>.Count)
        {
            tangent.CopyTo(row);
            return;
        }

        for (int lane = 0; lane < count; lane++)
        {
            row[lane] = tangent.GetElement(lane);
        }
    }

    /// <summary>
    /// Writes the first <paramref name="count"/> lanes of each tangent into consecutive rows of a row-major Jacobian with
    /// <paramref name="columns"/> columns: tangent i into row <c>firstRow + i</c> from column <paramref name="firstColumn"/>.
    /// </summary>
    public static void CopyTo<T>(ReadOnlySpan<Vector256<T>> tangents, Span<T> jacobian, int firstRow, int columns, int firstColumn, int count)
        where T : struct
    {
        for (int i = 0; i < tangents.Length; i++)
        {
            CopyTo(tangents[i], jacobian.Slice((firstRow + i) * columns + firstColumn, count), count);
        }
    }

    /// <summary>
    /// Writes the first <paramref name="count"/> lanes of an adjoint down column <paramref name="column"/> of a row-major
    /// Jacobian with <paramref name="columns"/> columns, from row <paramref name="firstRow"/> (a widened reverse sweep's W rows).
    /// </summary>
    public static void CopyDown<T>(Vector256<T> adjoint, Span<T> jacobian, int firstRow, int columns, int column, int count)
        where T : struct
    {
        for (int lane = 0; lane < count; lane++)
        {
            jacobian[(firstRow + lane) * columns + column] = adjoint.GetElement(lane);
        }
    }

    /// <summary>Writes each adjoint of <paramref name="adjoints"/> down its own column, from <paramref name="firstColumn"/> (see <see cref="CopyDown{T}(Vector256{T}, Span{T}, int, int, int, int)"/>).</summary>
    public static void CopyDown<T>(ReadOnlySpan<Vector256<T>> adjoints, Span<T> jacobian, int firstRow, int columns, int firstColumn, int count)
        where T : struct
    {
        for (int k = 0; k < adjoints.Length; k++)
        {
            CopyDown(adjoints[k], jacobian, firstRow, columns, firstColumn + k, count);
        }
    }

    /// <summary>Saves a widened sweep's lanes on a tape stack of their element type (second order: a tangent the reverse sweep needs).</summary>
    public static void Push<T>(TapeStack<T> stack, Vector256<T> lanes)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stack);
        Span<T> values = stackalloc T[Vector256<T>.Count];
        lanes.CopyTo(values);
        stack.PushRange(values);
    }

    /// <summary>Takes lanes saved by <see cref="Push{T}(TapeStack{T}, Vector256{T})"/> back.</summary>
    public static Vector256<T> Pop<T>(TapeStack<T> stack)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stack);
        Span<T> values = stackalloc T[Vector256<T>.Count];
        stack.PopRange(values);
        return Vector256.Create<T>(values);
    }

    /// <summary>Saves a buffer of lanes (its elements' lanes, in order) on a tape stack of their element type.</summary>
    public static void PushRange<T>(TapeStack<T> stack, ReadOnlySpan<Vector256<T>> lanes)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stack);
        stack.PushRange(MemoryMarshal.Cast<Vector256<T>, T>(lanes));
    }

    /// <summary>Takes a buffer of lanes saved by <see cref="PushRange{T}(TapeStack{T}, ReadOnlySpan{Vector256{T}})"/> back into <paramref name="lanes"/>.</summary>
    public static void PopRange<T>(TapeStack<T> stack, Span<Vector256<T>> lanes)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stack);
        stack.PopRange(MemoryMarshal.Cast<Vector256<T>, T>(lanes));
    }

    /// <summary>Saves <paramref name="count"/> elements of a buffer of lanes from <paramref name="start"/>, as <see cref="TapeStack{T}.PushSlice"/> does.</summary>
    public static void PushSlice<T>(TapeStack<T> stack, ReadOnlySpan<Vector256<T>> lanes, int start, int count)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stack);
        stack.PushSlice(MemoryMarshal.Cast<Vector256<T>, T>(lanes), start * Vector256<T>.Count, count * Vector256<T>.Count);
    }

    /// <summary>Takes elements saved by <see cref="PushSlice{T}(TapeStack{T}, ReadOnlySpan{Vector256{T}}, int, int)"/> back.</summary>
    public static void PopSlice<T>(TapeStack<T> stack, Span<Vector256<T>> lanes, int start, int count)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stack);
        stack.PopSlice(MemoryMarshal.Cast<Vector256<T>, T>(lanes), start * Vector256<T>.Count, count * Vector256<T>.Count);
    }

    /// <summary>1 as a <c>double</c> or <c>float</c> (the unit of a seed).</summary>
    internal static T One<T>()
        where T : struct =>
        typeof(T) == typeof(double) ? (T)(object)1.0 : typeof(T) == typeof(float) ? (T)(object)1f : throw new NotSupportedException(typeof(T).Name);
}
