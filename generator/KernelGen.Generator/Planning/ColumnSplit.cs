using KernelGen.Kernels;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Which GEMM layers RunParallel may split over their output columns when the batch is too small to split over rows
/// (a single row of a large layer): the layer's kernels then take a range of column tiles, and each worker runs its own
/// range of the same rows.
/// </summary>
internal static class ColumnSplit
{
    /// <summary>
    /// Fewest multiply-adds per row (K x N) worth a split: 2^18, a 512x512 layer, which takes about 3 µs per row on one
    /// core; handing work to another thread and waiting for it costs a few microseconds, so smaller layers run whole.
    /// </summary>
    public const long MinMultiplyAdds = 1L << 18;

    /// <summary>The layer's column tiles when its kernels take a tile range (at least two tiles and
    /// <see cref="MinMultiplyAdds"/> per row), else 0.</summary>
    public static int Tiles(int inputs, int outputs)
    {
        int tiles = DensePacking.Tiles(outputs);
        return tiles >= 2 && (long)inputs * outputs >= MinMultiplyAdds ? tiles : 0;
    }
}
