namespace KernelGen.Kernels;

/// <summary>
/// The packed weight layout of a Dense layer, shared by the generator (which packs at compile time) and the runtime's
/// scalar fallback (which reads the same bytes).
/// </summary>
/// <remarks>
/// Output columns are grouped in blocks of <see cref="BlockColumns"/> (one Vector256 of int32 accumulators) and blocks in
/// tiles of at most <see cref="TileBlocks"/> that share one input broadcast. The reduction dimension is grouped by
/// <see cref="GroupDepth"/>: one int32 lane holds four consecutive k of one column, the operand of vpdpbusd and of
/// vpmaddubsw + vpmaddwd. For a tile starting at block b0 with <c>t</c> blocks, group g, block b and lane j:
/// <c>offset = b0 * groups * 32 + g * t * 32 + (b - b0) * 32 + j * 4 + (k % 4)</c>.
/// Columns and k past the layer's size are zero, so padding never changes a dot product.
/// </remarks>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
static class DensePacking
{
    /// <summary>Output columns per block: int32 lanes in a Vector256.</summary>
    public const int BlockColumns = 8;

    /// <summary>Consecutive k values packed into one int32 lane.</summary>
    public const int GroupDepth = 4;

    /// <summary>Most blocks one tile accumulates at once (register budget of the AVX2 exact path: 2 accumulators per block).</summary>
    public const int TileBlocks = 4;

    /// <summary>Number of column blocks for <paramref name="outputs"/> columns.</summary>
    public static int Blocks(int outputs) => (outputs + BlockColumns - 1) / BlockColumns;

    /// <summary>Number of column tiles (of up to <see cref="TileBlocks"/> blocks) for <paramref name="outputs"/> columns.</summary>
    public static int Tiles(int outputs) => (Blocks(outputs) + TileBlocks - 1) / TileBlocks;

    /// <summary>Number of k groups for <paramref name="inputs"/> values.</summary>
    public static int Groups(int inputs) => (inputs + GroupDepth - 1) / GroupDepth;

    /// <summary>Columns after padding to whole blocks.</summary>
    public static int PaddedOutputs(int outputs) => Blocks(outputs) * BlockColumns;

    /// <summary>Bytes of the packed weights.</summary>
    public static int PackedLength(int inputs, int outputs) => Blocks(outputs) * Groups(inputs) * BlockColumns * GroupDepth;

    /// <summary>Number of blocks in the tile that starts at <paramref name="firstBlock"/>.</summary>
    public static int TileWidth(int firstBlock, int blocks) => blocks - firstBlock < TileBlocks ? blocks - firstBlock : TileBlocks;

    /// <summary>Offset of weight (column <paramref name="column"/>, k = <paramref name="k"/>) in the packed bytes.</summary>
    public static int Offset(int column, int k, int inputs, int outputs)
    {
        int groups = Groups(inputs);
        int blocks = Blocks(outputs);
        int block = column / BlockColumns;
        int firstBlock = block / TileBlocks * TileBlocks;
        int width = TileWidth(firstBlock, blocks);
        int group = k / GroupDepth;
        return firstBlock * groups * BlockColumns * GroupDepth
            + group * width * BlockColumns * GroupDepth
            + (block - firstBlock) * BlockColumns * GroupDepth
            + (column % BlockColumns) * GroupDepth
            + k % GroupDepth;
    }

#if !KERNELGEN_GENERATOR
    /// <summary>
    /// The declared weights, row-major [outputs, inputs] raw bytes, recovered from the packed operand: the inverse of the
    /// generator's packing (operand v = w for int8 weights, v = w - 128 for uint8 weights). Generated RunReference uses it,
    /// so Run and RunReference read one baked-in copy of the weights and can never disagree about them.
    /// </summary>
    public static byte[] UnpackWeights(System.ReadOnlySpan<sbyte> packed, int inputs, int outputs, QuantType weightType)
    {
        if (packed.Length != PackedLength(inputs, outputs))
            throw new System.ArgumentException($"Expected {PackedLength(inputs, outputs)} packed bytes for {inputs} x {outputs}, got {packed.Length}.", nameof(packed));
        int shift = weightType == QuantType.UInt8 ? 128 : 0;
        var weights = new byte[inputs * outputs];
        for (int j = 0; j < outputs; j++)
        {
            for (int k = 0; k < inputs; k++)
                weights[j * inputs + k] = unchecked((byte)(packed[Offset(j, k, inputs, outputs)] + shift));
        }
        return weights;
    }
#endif
}
