using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Differentiable;

/// <summary>
/// What the generated <c>{M}Hessian</c> (and, later, <c>{M}Jacobian</c>) members share: caller storage checked before any
/// work, a rectangular array seen as its row-major span, and a Hessian made exactly symmetric.
/// </summary>
public static class Matrices
{
    /// <summary>The elements of <paramref name="matrix"/> in row-major order, as one span over its storage.</summary>
    public static Span<T> RowMajor<T>(T[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(matrix)), matrix.Length);
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming both lengths unless <paramref name="storage"/> holds exactly
    /// <paramref name="rows"/> × <paramref name="columns"/> elements.
    /// </summary>
    public static void CheckLength<T>(Span<T> storage, int rows, int columns, string parameterName)
    {
        long expected = (long)rows * columns;
        if (storage.Length != expected)
        {
            throw new ArgumentException(
                $"'{parameterName}' has length {storage.Length}; the {rows} × {columns} matrix needs exactly {expected} elements, row-major.",
                parameterName);
        }
    }

    /// <summary>
    /// Makes the n × n row-major <paramref name="matrix"/> exactly symmetric: each pair of entries mirrored across the
    /// diagonal becomes their mean (Hessian-vector products give the two halves with different rounding).
    /// </summary>
    public static void Symmetrize<T>(Span<T> matrix, int n)
        where T : IFloatingPointIeee754<T>
    {
        T half = T.One / (T.One + T.One);
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                T mean = (matrix[i * n + j] + matrix[j * n + i]) * half;
                matrix[i * n + j] = mean;
                matrix[j * n + i] = mean;
            }
        }
    }

    /// <summary>
    /// Seeds a direction (or cotangent) of an array whose elements are the Jacobian's columns (or rows) from
    /// <paramref name="offset"/>: 1 at the element that is column <paramref name="column"/>, 0 elsewhere.
    /// </summary>
    public static void Seed<T>(Span<T> directions, int offset, int column)
        where T : struct
    {
        directions.Clear();
        int at = column - offset;
        if (at >= 0 && at < directions.Length)
        {
            directions[at] = Lanes.One<T>();
        }
    }

    /// <summary>Writes <paramref name="tangents"/> down column <paramref name="column"/> of a row-major matrix with <paramref name="columns"/> columns, from row <paramref name="firstRow"/>.</summary>
    public static void CopyColumn<T>(ReadOnlySpan<T> tangents, Span<T> matrix, int firstRow, int columns, int column)
    {
        for (int i = 0; i < tangents.Length; i++)
        {
            matrix[(firstRow + i) * columns + column] = tangents[i];
        }
    }
}
