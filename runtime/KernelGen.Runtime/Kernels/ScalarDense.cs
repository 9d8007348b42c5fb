using System;
using KernelGen.Quantization;

namespace KernelGen.Kernels;

/// <summary>
/// The scalar fallback of the Dense kernels: the same folded constants and packed weights as the SIMD paths, read in
/// their packed order, one row at a time. Runs where AVX2 is unavailable or disabled.
/// </summary>
public static class ScalarDense
{
    /// <summary>Largest padded output count the fallback keeps on the stack; larger layers rent their accumulators.</summary>
    private const int StackColumns = 1024;

    /// <summary>Computes one row: <paramref name="input"/> holds K values, <paramref name="output"/> receives N (4 bytes each for Int32 outputs).</summary>
    public static void Run(in PackedDense layer, ReadOnlySpan<byte> input, Span<byte> output)
        => Run(layer, input, output, 0, DensePacking.Tiles(layer.Outputs));

    /// <summary>
    /// Computes the columns of one row that lie in column tiles [<paramref name="firstTile"/>, <paramref name="endTile"/>)
    /// (tiles of <see cref="DensePacking.TileBlocks"/> blocks, as packed); the other outputs are not written. RunParallel's
    /// share of a layer split over its columns.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not within the layer's tiles.</exception>
    public static void Run(in PackedDense layer, ReadOnlySpan<byte> input, Span<byte> output, int firstTile, int endTile)
    {
        int inputs = layer.Inputs;
        int outputs = layer.Outputs;
        if (firstTile < 0 || endTile < firstTile || endTile > DensePacking.Tiles(outputs))
            throw new ArgumentOutOfRangeException(nameof(endTile), $"Tiles [{firstTile}, {endTile}) are not within the layer's {DensePacking.Tiles(outputs)} tiles.");
        if (input.Length < inputs)
            throw new ArgumentException($"Input length {input.Length} is shorter than the layer's {inputs} inputs.", nameof(input));
        if (output.Length < outputs * layer.Requantization.ElementBytes)
            throw new ArgumentException($"Output length {output.Length} is shorter than the layer's {outputs} outputs.", nameof(output));

        int padded = DensePacking.PaddedOutputs(outputs);
        int[]? rented = null;
        Span<int> acc = padded <= StackColumns
            ? stackalloc int[padded]
            : (rented = System.Buffers.ArrayPool<int>.Shared.Rent(padded)).AsSpan(0, padded);
        acc.Clear();

        int flip = layer.InputSigned ? 0x80 : 0;
        // Σu is only needed for the weight zero-point term z_w' * Σu.
        bool hasWeightZeroPoints = !layer.WeightZeroPoints.IsEmpty;
        int inputSum = 0;
        if (hasWeightZeroPoints)
        {
            for (int k = 0; k < inputs; k++)
                inputSum += input[k] ^ flip;
        }

        // Walk the packed bytes in storage order: tile, k group, block, lane, k within the group.
        ReadOnlySpan<sbyte> w = layer.Weights;
        int groups = DensePacking.Groups(inputs);
        int blocks = DensePacking.Blocks(outputs);
        int p = firstTile * groups * DensePacking.TileBlocks * DensePacking.BlockColumns * DensePacking.GroupDepth;
        int endBlock = Math.Min(blocks, endTile * DensePacking.TileBlocks);
        for (int firstBlock = firstTile * DensePacking.TileBlocks; firstBlock < endBlock; firstBlock += DensePacking.TileBlocks)
        {
            int width = DensePacking.TileWidth(firstBlock, blocks);
            for (int g = 0; g < groups; g++)
            {
                for (int b = 0; b < width; b++)
                {
                    int column0 = (firstBlock + b) * DensePacking.BlockColumns;
                    for (int lane = 0; lane < DensePacking.BlockColumns; lane++)
                    {
                        int sum = 0;
                        for (int t = 0; t < DensePacking.GroupDepth; t++, p++)
                        {
                            int k = g * DensePacking.GroupDepth + t;
                            if (k < inputs)
                                sum += (input[k] ^ flip) * w[p];
                        }
                        acc[column0 + lane] += sum;
                    }
                }
            }
        }

        PackedRequantization requantization = layer.Requantization;
        int endColumn = Math.Min(outputs, endBlock * DensePacking.BlockColumns);
        for (int j = firstTile * DensePacking.TileBlocks * DensePacking.BlockColumns; j < endColumn; j++)
        {
            int a = unchecked(acc[j] + layer.FoldedBias[j]);
            if (hasWeightZeroPoints)
                a = unchecked(a - layer.WeightZeroPoints[j] * inputSum);
            requantization.Store(output, j, a, j);
        }

        if (rented is not null)
            System.Buffers.ArrayPool<int>.Shared.Return(rented);
    }
}
