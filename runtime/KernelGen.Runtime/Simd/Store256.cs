using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Simd;

/// <summary>
/// Narrowing stores of eight requantized int32 lanes to bytes. The lanes are already clamped to the output type's
/// range, so the saturating packs only narrow.
/// </summary>
public static class Store256
{
    /// <summary>Stores the eight lanes as uint8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreUInt8(Vector256<int> clamped, ref byte destination)
        => Unsafe.WriteUnaligned(ref destination, PackUInt8(clamped));

    /// <summary>Stores the eight lanes as int8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInt8(Vector256<int> clamped, ref byte destination)
        => Unsafe.WriteUnaligned(ref destination, PackInt8(clamped));

    /// <summary>Stores the first <paramref name="count"/> (1..7, a constant at the call site) lanes as uint8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreUInt8(Vector256<int> clamped, ref byte destination, int count)
        => StorePartial(PackUInt8(clamped), ref destination, count);

    /// <summary>Stores the first <paramref name="count"/> (1..7, a constant at the call site) lanes as int8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInt8(Vector256<int> clamped, ref byte destination, int count)
        => StorePartial(PackInt8(clamped), ref destination, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong PackUInt8(Vector256<int> v)
    {
        Vector128<short> words = Sse2.PackSignedSaturate(v.GetLower(), v.GetUpper());
        return Sse2.PackUnsignedSaturate(words, words).AsUInt64().ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong PackInt8(Vector256<int> v)
    {
        Vector128<short> words = Sse2.PackSignedSaturate(v.GetLower(), v.GetUpper());
        return Sse2.PackSignedSaturate(words, words).AsUInt64().ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePartial(ulong bytes, ref byte destination, int count)
    {
        if ((count & 4) != 0)
        {
            Unsafe.WriteUnaligned(ref destination, (uint)bytes);
            destination = ref Unsafe.Add(ref destination, 4);
            bytes >>= 32;
        }
        if ((count & 2) != 0)
        {
            Unsafe.WriteUnaligned(ref destination, (ushort)bytes);
            destination = ref Unsafe.Add(ref destination, 2);
            bytes >>= 16;
        }
        if ((count & 1) != 0)
            destination = (byte)bytes;
    }
}
