using System;

namespace KernelGen.Kernels;

/// <summary>The scalar fallback of a folded per-value map: one table lookup per byte.</summary>
public static class ScalarTable
{
    /// <summary>output[i] = table[input[i]] for the <paramref name="input"/>'s length.</summary>
    public static void Map(ReadOnlySpan<byte> table, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (table.Length != 256)
            throw new ArgumentException($"A lookup table has 256 entries, not {table.Length}.", nameof(table));
        if (output.Length < input.Length)
            throw new ArgumentException($"Output length {output.Length} is shorter than the input's {input.Length}.", nameof(output));
        for (int i = 0; i < input.Length; i++)
            output[i] = table[input[i]];
    }
}
