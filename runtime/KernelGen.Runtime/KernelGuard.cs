using System;

namespace KernelGen;

/// <summary>Argument checks shared by every generated entry point: they run before anything is written.</summary>
public static class KernelGuard
{
    /// <summary>
    /// Returns the number of rows in a batch, or throws <see cref="ArgumentException"/> naming the expected and actual
    /// sizes when <paramref name="inputLength"/> is not a whole number of rows or <paramref name="outputLength"/> does not
    /// hold exactly the outputs of those rows.
    /// </summary>
    public static int BatchRows(int inputLength, int inputSize, int outputLength, int outputSize)
    {
        if (inputLength % inputSize != 0)
        {
            throw new ArgumentException(
                $"Input length {inputLength} is not a whole number of rows: the model reads {inputSize} values per row.", "input");
        }
        int rows = inputLength / inputSize;
        long expected = (long)rows * outputSize;
        if (outputLength != expected)
        {
            throw new ArgumentException(
                $"Output length {outputLength} does not match the input's {rows} row(s): expected {expected} ({rows} x {outputSize} outputs).", "output");
        }
        return rows;
    }

    /// <summary>Throws <see cref="ArgumentException"/> if the input and output memory overlap.</summary>
    public static void NoOverlap<TIn, TOut>(ReadOnlySpan<TIn> input, Span<TOut> output)
        where TIn : unmanaged
        where TOut : unmanaged
    {
        if (System.Runtime.InteropServices.MemoryMarshal.AsBytes(input).Overlaps(System.Runtime.InteropServices.MemoryMarshal.AsBytes((ReadOnlySpan<TOut>)output)))
            throw new ArgumentException("The output span overlaps the input span; the model needs separate buffers.", "output");
    }
}
