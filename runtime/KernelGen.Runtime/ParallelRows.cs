using System;
using System.Threading.Tasks;

namespace KernelGen;

/// <summary>
/// The splits behind a generated model's RunParallel. A batch of more than one block of rows is split over rows: whole
/// blocks, one contiguous range per worker, each worker running the model's single-threaded Run on its range with its
/// own thread's scratch arena. A smaller batch is split over columns (<see cref="SplitsColumns"/>): the model runs layer
/// by layer on the calling thread's arena, and each layer large enough to share (its kernels take a range of column
/// tiles) is shared out by <see cref="ForTiles"/>, every worker computing the same rows' outputs in its own tiles.
/// </summary>
public static class ParallelRows
{
    /// <summary>Rows are split in multiples of this (the register-blocked kernels' largest row block), so that every
    /// range but the last runs whole blocks.</summary>
    public const int Granularity = 8;

    /// <summary>Runs one range of rows.</summary>
    /// <param name="first">The range's first row.</param>
    /// <param name="count">Rows in the range (at least 1).</param>
    public delegate void RangeAction(int first, int count);

    /// <summary>
    /// Calls <paramref name="body"/> on at most <paramref name="degreeOfParallelism"/> disjoint ranges covering
    /// <paramref name="rows"/> rows, concurrently, and returns when all have run. One range runs on the calling thread
    /// without a task.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degreeOfParallelism"/> is less than 1.</exception>
    public static void For(int rows, int degreeOfParallelism, RangeAction body)
    {
        Check(degreeOfParallelism, body);
        if (rows <= 0)
            return;
        int ranges = Math.Min(degreeOfParallelism, (rows + Granularity - 1) / Granularity);
        Split(ranges, body, i => Range(rows, ranges, i));
    }

    /// <summary>True when RunParallel splits a batch of <paramref name="rows"/> over columns rather than rows: more than one
    /// worker is allowed, and the batch is a single block of <see cref="Granularity"/> rows or less, so a row split would
    /// leave every worker but one idle.</summary>
    public static bool SplitsColumns(int rows, int degreeOfParallelism) => degreeOfParallelism > 1 && rows <= Granularity;

    /// <summary>
    /// Calls <paramref name="body"/> with (first tile, tile count) on at most <paramref name="degreeOfParallelism"/>
    /// disjoint contiguous ranges covering <paramref name="tiles"/> column tiles, concurrently, and returns when all have
    /// run. One range runs on the calling thread without a task.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degreeOfParallelism"/> is less than 1.</exception>
    public static void ForTiles(int tiles, int degreeOfParallelism, RangeAction body)
    {
        Check(degreeOfParallelism, body);
        if (tiles <= 0)
            return;
        int ranges = Math.Min(degreeOfParallelism, tiles);
        Split(ranges, body, i => Share(tiles, ranges, i));
    }

    /// <summary>Range <paramref name="index"/> of <paramref name="ranges"/>: whole blocks of <see cref="Granularity"/>
    /// rows shared out as evenly as they go, the last range taking the rows past the last whole block.</summary>
    public static (int First, int Count) Range(int rows, int ranges, int index)
    {
        (int firstBlock, int blockCount) = Share((rows + Granularity - 1) / Granularity, ranges, index);
        int first = firstBlock * Granularity;
        return (first, Math.Min(rows, first + blockCount * Granularity) - first);
    }

    /// <summary>Share <paramref name="index"/> of <paramref name="units"/> split into <paramref name="ranges"/> contiguous
    /// ranges as evenly as they go (the first units % ranges ranges one longer).</summary>
    private static (int First, int Count) Share(int units, int ranges, int index)
    {
        int per = units / ranges, extra = units % ranges;
        return (index * per + Math.Min(index, extra), per + (index < extra ? 1 : 0));
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="ranges"/> ranges concurrently, a single one on the calling
    /// thread without a task.</summary>
    private static void Split(int ranges, RangeAction body, Func<int, (int First, int Count)> range)
    {
        if (ranges == 1)
        {
            (int first, int count) = range(0);
            body(first, count);
            return;
        }
        Parallel.For(0, ranges, new ParallelOptions { MaxDegreeOfParallelism = ranges }, i =>
        {
            (int first, int count) = range(i);
            body(first, count);
        });
    }

    private static void Check(int degreeOfParallelism, RangeAction body)
    {
        if (degreeOfParallelism < 1)
            throw new ArgumentOutOfRangeException(nameof(degreeOfParallelism), degreeOfParallelism, "The degree of parallelism must be at least 1.");
        ArgumentNullException.ThrowIfNull(body);
    }
}
