namespace KernelGen.Quantization;

/// <summary>
/// The run-time half of the integer arithmetic, scalar: gemmlowp's fixed-point primitives and TFLite's
/// <c>MultiplyByQuantizedMultiplier</c>, written as the published definitions read. Every SIMD path is tested against these.
/// The generator compiles this file too, to fold rescale tables at compile time from the same definitions.
/// </summary>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
static class FixedPoint
{
    /// <summary>
    /// gemmlowp <c>SaturatingRoundingDoublingHighMul</c>: the high 32 bits of 2*a*b, rounded (nudge 2^30 for a
    /// non-negative product, 1 - 2^30 for a negative one, then division by 2^31 truncating toward zero). The one case
    /// that overflows, a = b = int.MinValue, saturates to int.MaxValue.
    /// </summary>
    public static int SaturatingRoundingDoublingHighMul(int a, int b)
    {
        if (a == b && a == int.MinValue)
            return int.MaxValue;
        long ab = (long)a * b;
        long nudge = ab >= 0 ? 1L << 30 : 1 - (1L << 30);
        return (int)((ab + nudge) / (1L << 31));
    }

    /// <summary>
    /// gemmlowp <c>RoundingDivideByPOT</c>: x / 2^exponent rounded to nearest, ties away from zero.
    /// <paramref name="exponent"/> is in [0, 31].
    /// </summary>
    public static int RoundingDivideByPOT(int x, int exponent)
    {
        int mask = (int)((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /// <summary>
    /// TFLite <c>MultiplyByQuantizedMultiplier</c>: x * M0 * 2^(shift - 31) with gemmlowp rounding. A positive
    /// <paramref name="shift"/> multiplies x by 2^shift first, wrapping in int32 as the compiled C++ does.
    /// </summary>
    public static int MultiplyByQuantizedMultiplier(int x, int quantizedMultiplier, int shift)
    {
        int leftShift = shift > 0 ? shift : 0;
        int rightShift = shift > 0 ? 0 : -shift;
        return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(unchecked(x << leftShift), quantizedMultiplier), rightShift);
    }
}
