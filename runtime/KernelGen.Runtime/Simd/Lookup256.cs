using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Simd;

/// <summary>
/// A 256-entry byte table applied to 32 bytes at once with AVX2 (vpshufb): the table is held as 16 vectors of 16 entries
/// (each repeated in both 128-bit lanes); each input byte's high nibble selects a vector and its low nibble the entry.
/// Exact by construction: every output byte is a table entry. Used by generated kernels for folded per-value maps
/// (an unfolded Requantize, rescaled pool outputs and Concat inputs).
/// </summary>
public readonly struct Lookup256
{
    private readonly Vector256<byte> _t0, _t1, _t2, _t3, _t4, _t5, _t6, _t7, _t8, _t9, _t10, _t11, _t12, _t13, _t14, _t15;

    /// <summary>Loads <paramref name="table"/> (256 bytes).</summary>
    public Lookup256(ReadOnlySpan<byte> table)
    {
        if (table.Length != 256)
            throw new ArgumentException($"A lookup table has 256 entries, not {table.Length}.", nameof(table));
        ref byte t = ref MemoryMarshal.GetReference(table);
        _t0 = Chunk(ref t, 0); _t1 = Chunk(ref t, 1); _t2 = Chunk(ref t, 2); _t3 = Chunk(ref t, 3);
        _t4 = Chunk(ref t, 4); _t5 = Chunk(ref t, 5); _t6 = Chunk(ref t, 6); _t7 = Chunk(ref t, 7);
        _t8 = Chunk(ref t, 8); _t9 = Chunk(ref t, 9); _t10 = Chunk(ref t, 10); _t11 = Chunk(ref t, 11);
        _t12 = Chunk(ref t, 12); _t13 = Chunk(ref t, 13); _t14 = Chunk(ref t, 14); _t15 = Chunk(ref t, 15);
    }

    /// <summary>table[x] for each of the 32 bytes of <paramref name="x"/>. Needs AVX2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<byte> Apply(Vector256<byte> x)
    {
        Vector256<byte> low = Avx2.And(x, Vector256.Create((byte)0x0F));
        Vector256<byte> high = Avx2.And(x, Vector256.Create((byte)0xF0));
        Vector256<byte> r = Avx2.And(Avx2.Shuffle(_t0, low), Avx2.CompareEqual(high, Vector256.Create((byte)0x00)));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t1, low), Avx2.CompareEqual(high, Vector256.Create((byte)0x10))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t2, low), Avx2.CompareEqual(high, Vector256.Create((byte)0x20))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t3, low), Avx2.CompareEqual(high, Vector256.Create((byte)0x30))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t4, low), Avx2.CompareEqual(high, Vector256.Create((byte)0x40))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t5, low), Avx2.CompareEqual(high, Vector256.Create((byte)0x50))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t6, low), Avx2.CompareEqual(high, Vector256.Create((byte)0x60))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t7, low), Avx2.CompareEqual(high, Vector256.Create((byte)0x70))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t8, low), Avx2.CompareEqual(high, Vector256.Create((byte)0x80))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t9, low), Avx2.CompareEqual(high, Vector256.Create((byte)0x90))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t10, low), Avx2.CompareEqual(high, Vector256.Create((byte)0xA0))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t11, low), Avx2.CompareEqual(high, Vector256.Create((byte)0xB0))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t12, low), Avx2.CompareEqual(high, Vector256.Create((byte)0xC0))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t13, low), Avx2.CompareEqual(high, Vector256.Create((byte)0xD0))));
        r = Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t14, low), Avx2.CompareEqual(high, Vector256.Create((byte)0xE0))));
        return Avx2.Or(r, Avx2.And(Avx2.Shuffle(_t15, low), Avx2.CompareEqual(high, Vector256.Create((byte)0xF0))));
    }

    /// <summary>
    /// Maps <paramref name="count"/> bytes from <paramref name="source"/> to <paramref name="destination"/>: whole blocks of
    /// 32 with <see cref="Apply"/>, the rest one by one. Needs AVX2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Map(ref byte source, ref byte destination, int count, ReadOnlySpan<byte> table)
    {
        int i = 0;
        for (; i + 32 <= count; i += 32)
            Vector256.StoreUnsafe(Apply(Vector256.LoadUnsafe(ref Unsafe.Add(ref source, i))), ref Unsafe.Add(ref destination, i));
        for (; i < count; i++)
            Unsafe.Add(ref destination, i) = table[Unsafe.Add(ref source, i)];
    }

    private static Vector256<byte> Chunk(ref byte table, int chunk)
    {
        Vector128<byte> entries = Vector128.LoadUnsafe(ref Unsafe.Add(ref table, 16 * chunk));
        return Vector256.Create(entries, entries);
    }
}
