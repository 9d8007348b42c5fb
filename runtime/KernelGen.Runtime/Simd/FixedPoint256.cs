using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Simd;

/// <summary>
/// <see cref="Quantization.FixedPoint"/> over eight int32 lanes with AVX2, bit-exact with the scalar definitions.
/// Callers check <see cref="Avx2.IsSupported"/>.
/// </summary>
public static class FixedPoint256
{
    /// <summary>
    /// gemmlowp SaturatingRoundingDoublingHighMul per lane. For any 64-bit product p, gemmlowp's
    /// (p + nudge) / 2^31 truncated equals floor((p + 2^30) / 2^31), so one arithmetic shift serves both signs; its low
    /// 32 bits are bits 31..62 of p + 2^30, which a logical shift yields as well (AVX2 has no 64-bit arithmetic shift).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> SaturatingRoundingDoublingHighMul(Vector256<int> a, Vector256<int> b)
    {
        Vector256<long> nudge = Vector256.Create(1L << 30);
        Vector256<long> even = Avx2.Multiply(a, b);
        Vector256<long> odd = Avx2.Multiply(
            Avx2.ShiftRightLogical(a.AsInt64(), 32).AsInt32(),
            Avx2.ShiftRightLogical(b.AsInt64(), 32).AsInt32());
        // Even lanes: bits 31..62 into the low dword. Odd lanes: the same bits into the high dword.
        Vector256<int> evenHigh = Avx2.ShiftRightLogical(Avx2.Add(even, nudge), 31).AsInt32();
        Vector256<int> oddHigh = Avx2.ShiftLeftLogical(Avx2.Add(odd, nudge), 1).AsInt32();
        Vector256<int> result = Avx2.Blend(evenHigh, oddHigh, 0b1010_1010);
        // a = b = int.MinValue gives 0x80000000 above; flipping every bit of it gives int.MaxValue.
        Vector256<int> min = Vector256.Create(int.MinValue);
        Vector256<int> saturate = Avx2.And(Avx2.CompareEqual(a, min), Avx2.CompareEqual(b, min));
        return Avx2.Xor(result, saturate);
    }

    /// <summary>gemmlowp RoundingDivideByPOT with one exponent (0..31) for all lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> RoundingDivideByPOT(Vector256<int> x, [System.Diagnostics.CodeAnalysis.ConstantExpected(Min = 0, Max = 31)] byte exponent)
    {
        Vector256<int> mask = Vector256.Create((int)((1L << exponent) - 1));
        Vector256<int> remainder = Avx2.And(x, mask);
        // threshold = mask / 2, plus one for negative x (x >> 31 is -1 there).
        Vector256<int> threshold = Avx2.Subtract(Avx2.ShiftRightArithmetic(mask, 1), Avx2.ShiftRightArithmetic(x, 31));
        // CompareGreaterThan yields -1 where the quotient rounds up.
        return Avx2.Subtract(Avx2.ShiftRightArithmetic(x, exponent), Avx2.CompareGreaterThan(remainder, threshold));
    }

    /// <summary>gemmlowp RoundingDivideByPOT with a per-lane exponent (each 0..31).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> RoundingDivideByPOT(Vector256<int> x, Vector256<int> exponent)
    {
        Vector256<int> one = Vector256.Create(1);
        Vector256<int> mask = Avx2.Subtract(Avx2.ShiftLeftLogicalVariable(one, exponent.AsUInt32()), one);
        Vector256<int> remainder = Avx2.And(x, mask);
        Vector256<int> threshold = Avx2.Subtract(Avx2.ShiftRightArithmetic(mask, 1), Avx2.ShiftRightArithmetic(x, 31));
        return Avx2.Subtract(
            Avx2.ShiftRightArithmeticVariable(x, exponent.AsUInt32()),
            Avx2.CompareGreaterThan(remainder, threshold));
    }
}
