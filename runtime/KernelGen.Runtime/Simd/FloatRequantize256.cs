using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Simd;

/// <summary>
/// <see cref="Quantization.FloatRequantization.Apply"/> over eight int32 accumulators with AVX: vcvtdq2ps, vmulps by the
/// scale, vmaxps / vminps against the float bounds (clampMin - zeroPoint, clampMax - zeroPoint), vcvtps2dq (round half
/// to even under the default rounding mode, which .NET never changes), vpaddd of the zero point. Bit-identical with the
/// scalar for every accumulator and every finite scale: the conversion of an int32 to float and the product are the
/// same IEEE single operations, the bounds are integers so the clamp never needs more than the float it compares, and
/// the clamped value is within the 8-bit range so the conversion cannot overflow. Callers check
/// <see cref="Avx2.IsSupported"/>.
/// </summary>
public static class FloatRequantize256
{
    /// <summary>Requantizes eight accumulators, each with its own scale (per output channel).</summary>
    /// <param name="accumulators">The int32 accumulators.</param>
    /// <param name="scales">The float requantization scale of each lane; finite.</param>
    /// <param name="zeroPoint">The output zero point.</param>
    /// <param name="clampMin">The lowest output (the type's minimum, raised by an activation).</param>
    /// <param name="clampMax">The highest output (the type's maximum, lowered by an activation).</param>
    /// <returns>The outputs as int32 lanes in [<paramref name="clampMin"/>, <paramref name="clampMax"/>], ready for
    /// <see cref="Store256"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Apply(Vector256<int> accumulators, Vector256<float> scales, int zeroPoint, int clampMin, int clampMax)
    {
        Vector256<float> value = Avx.Multiply(Avx.ConvertToVector256Single(accumulators), scales);
        // max(min, value) and min(max, value) with the bound first: for NaN, x86 returns the second operand, as the
        // scalar's `value < min ? min : value` keeps value; otherwise they are the scalar's comparisons.
        value = Avx.Max(Vector256.Create((float)(clampMin - zeroPoint)), value);
        value = Avx.Min(Vector256.Create((float)(clampMax - zeroPoint)), value);
        return Avx2.Add(Avx.ConvertToVector256Int32(value), Vector256.Create(zeroPoint));
    }

    /// <summary>Requantizes eight accumulators with one scale (per tensor).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Apply(Vector256<int> accumulators, float scale, int zeroPoint, int clampMin, int clampMax)
        => Apply(accumulators, Vector256.Create(scale), zeroPoint, clampMin, clampMax);
}
