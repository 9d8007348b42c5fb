using System;

namespace KernelGen.Kernels;

/// <summary>
/// The scalar fallback of the pool kernels ([MaxPool], [AveragePool], [GlobalAveragePool]), over the constants the
/// generator folded: the geometry, and the 256-entry rescale table (empty when the output keeps the input's
/// quantization; then the pooled value is clamped to [clampMin, clampMax]). NHWC, one image per call.
/// </summary>
/// <remarks>
/// Padded positions are left out of the max, the sum and the count (TFLite). The average is TFLite's
/// acc &gt; 0 ? (acc + count / 2) / count : (acc - count / 2) / count with truncating division. The table is indexed by the
/// pooled value's raw byte and holds the output's raw byte.
/// </remarks>
public static class ScalarPool
{
    /// <summary>The max over each window.</summary>
    public static void Max(
        int height, int width, int channels, int windowHeight, int windowWidth, int strideHeight, int strideWidth,
        int padTop, int padLeft, int outputHeight, int outputWidth, bool signed,
        ReadOnlySpan<byte> table, int clampMin, int clampMax, ReadOnlySpan<byte> input, Span<byte> output)
        => Pool(false, height, width, channels, windowHeight, windowWidth, strideHeight, strideWidth, padTop, padLeft,
            outputHeight, outputWidth, signed, table, clampMin, clampMax, input, output);

    /// <summary>The rounded average over each window (a whole-map window for the global pool).</summary>
    public static void Average(
        int height, int width, int channels, int windowHeight, int windowWidth, int strideHeight, int strideWidth,
        int padTop, int padLeft, int outputHeight, int outputWidth, bool signed,
        ReadOnlySpan<byte> table, int clampMin, int clampMax, ReadOnlySpan<byte> input, Span<byte> output)
        => Pool(true, height, width, channels, windowHeight, windowWidth, strideHeight, strideWidth, padTop, padLeft,
            outputHeight, outputWidth, signed, table, clampMin, clampMax, input, output);

    private static void Pool(
        bool average, int height, int width, int channels, int windowHeight, int windowWidth, int strideHeight, int strideWidth,
        int padTop, int padLeft, int outputHeight, int outputWidth, bool signed,
        ReadOnlySpan<byte> table, int clampMin, int clampMax, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length < height * width * channels)
            throw new ArgumentException($"Input length {input.Length} is shorter than {height}x{width}x{channels}.", nameof(input));
        if (output.Length < outputHeight * outputWidth * channels)
            throw new ArgumentException($"Output length {output.Length} is shorter than {outputHeight}x{outputWidth}x{channels}.", nameof(output));
        if (!table.IsEmpty && table.Length != 256)
            throw new ArgumentException("The rescale table has 256 entries or none.", nameof(table));

        for (int oy = 0; oy < outputHeight; oy++)
        {
            int y0 = oy * strideHeight - padTop;
            int i0 = Math.Max(0, -y0), i1 = Math.Min(windowHeight, height - y0);
            for (int ox = 0; ox < outputWidth; ox++)
            {
                int x0 = ox * strideWidth - padLeft;
                int j0 = Math.Max(0, -x0), j1 = Math.Min(windowWidth, width - x0);
                int count = (i1 - i0) * (j1 - j0);
                int dst = (oy * outputWidth + ox) * channels;
                for (int c = 0; c < channels; c++)
                {
                    int acc = average ? 0 : int.MinValue;
                    for (int i = i0; i < i1; i++)
                    {
                        int row = ((y0 + i) * width + x0) * channels + c;
                        for (int j = j0; j < j1; j++)
                        {
                            byte raw = input[row + j * channels];
                            int v = signed ? (sbyte)raw : raw;
                            if (average)
                                acc += v;
                            else if (v > acc)
                                acc = v;
                        }
                    }
                    int value = average ? (acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count) : acc;
                    if (!table.IsEmpty)
                        output[dst + c] = table[value & 0xFF];
                    else
                        output[dst + c] = (byte)(value < clampMin ? clampMin : value > clampMax ? clampMax : value);
                }
            }
        }
    }
}
