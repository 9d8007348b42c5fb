using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen;

/// <summary>Argument checks shared by every generated entry point: they run before anything is written.</summary>
public static class KernelGuard
{
    /// <summary>
    /// Returns the number of rows in a batch, or throws <see cref="ArgumentException"/> naming the expected and actual
    /// sizes when <paramref name="inputLength"/> is not a whole number of rows or <paramref name="outputLength"/> does not
    /// hold exactly the outputs of those rows.
    /// </summary>
    /// <remarks>Inlined into the generated Run, where the sizes are constants: the division becomes a multiplication.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BatchRows(int inputLength, int inputSize, int outputLength, int outputSize)
    {
        int rows = inputLength / inputSize;
        if (rows * inputSize != inputLength)
            ThrowPartialRow(inputLength, inputSize);
        if ((long)rows * outputSize != outputLength)
            ThrowOutputLength(outputLength, rows, outputSize);
        return rows;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowPartialRow(int inputLength, int inputSize)
        => throw new ArgumentException(
            $"Input length {inputLength} is not a whole number of rows: the model reads {inputSize} values per row.", "input");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutputLength(int outputLength, int rows, int outputSize)
        => throw new ArgumentException(
            $"Output length {outputLength} does not match the input's {rows} row(s): expected {(long)rows * outputSize} ({rows} x {outputSize} outputs).", "output");

    /// <summary>Throws <see cref="ArgumentException"/> when a caller-owned scratch span is shorter than the model's ScratchSize.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scratch(int length, int required)
    {
        if (length < required)
            ThrowScratch(length, required);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowScratch(int length, int required)
        => throw new ArgumentException(
            $"Scratch length {length} is too short: the model needs ScratchSize = {required} bytes for the tensors between its layers.", "scratch");

    /// <summary>Throws <see cref="ArgumentException"/> if the two spans' memory overlaps (input and output, or either and scratch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlap<TIn, TOut>(ReadOnlySpan<TIn> input, Span<TOut> output)
        where TIn : unmanaged
        where TOut : unmanaged
    {
        if (MemoryMarshal.AsBytes(input).Overlaps(MemoryMarshal.AsBytes((ReadOnlySpan<TOut>)output)))
            ThrowOverlap();
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOverlap()
        => throw new ArgumentException("A span overlaps another one (input, output, scratch); the model needs separate buffers.", "output");
}
