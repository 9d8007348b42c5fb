using System;
using System.Runtime.InteropServices;

namespace KernelGen.Kernels;

/// <summary>
/// A layer's packed int8 weight operand widened to int16, element for element, in a pinned buffer whose first element is
/// 64-byte aligned: the operand of the exact vpmaddwd-from-memory path (<c>WeightOperand.Int16</c>), which the generator
/// picks for layers whose int16 copy stays cache-resident. Made once, when a generated model's kernels class initializes;
/// the kernels read it through <see cref="Reference"/> and never allocate.
/// </summary>
public sealed class WidenedWeights
{
    private const int Alignment = 64;

    private readonly short[] _buffer;
    private readonly int _start;

    /// <summary>Widens <paramref name="packed"/> (int8 values as bytes) to int16.</summary>
    public WidenedWeights(ReadOnlySpan<byte> packed)
    {
        // Pinned, so the aligned start computed here stays aligned.
        _buffer = GC.AllocateUninitializedArray<short>(packed.Length + Alignment / sizeof(short), pinned: true);
        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, 0);
        _start = (int)((Alignment - (address & (Alignment - 1))) & (Alignment - 1)) / sizeof(short);
        ReadOnlySpan<sbyte> values = MemoryMarshal.Cast<byte, sbyte>(packed);
        Span<short> target = _buffer.AsSpan(_start, packed.Length);
        for (int i = 0; i < values.Length; i++)
            target[i] = values[i];
    }

    /// <summary>The first widened weight (64-byte aligned).</summary>
    public ref short Reference => ref _buffer[_start];
}
