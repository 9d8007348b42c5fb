using System;

namespace KernelGen.Kernels;

/// <summary>The scalar fallback of a standalone activation: each 8-bit value clamped to [min, max].</summary>
public static class ScalarClamp
{
    /// <summary>output[i] = clamp(input[i], min, max), the bytes read as <paramref name="signed"/> int8 or uint8.</summary>
    public static void Run(ReadOnlySpan<byte> input, Span<byte> output, bool signed, int min, int max)
    {
        if (output.Length < input.Length)
            throw new ArgumentException($"Output length {output.Length} is shorter than the input's {input.Length}.", nameof(output));
        for (int i = 0; i < input.Length; i++)
        {
            int value = signed ? (sbyte)input[i] : input[i];
            output[i] = unchecked((byte)Math.Clamp(value, min, max));
        }
    }
}
