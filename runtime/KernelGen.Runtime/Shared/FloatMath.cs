using System;

namespace KernelGen.Quantization;

/// <summary>
/// IEEE single-precision steps that netstandard2.0 lacks, written so that the generator (which folds constants with
/// them) and the runtime compute the same bits as the x86 instructions the peers' kernels use.
/// </summary>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
static class FloatMath
{
    /// <summary>
    /// The fused multiply-add a * b + c with one rounding to float (vfmadd..ps; MathF.FusedMultiplyAdd where it exists).
    /// The product of two floats is exact in double; the sum is rounded to double with round-to-odd (Knuth's TwoSum gives
    /// the exact error, and a double with an even last bit is moved one ulp toward the exact sum when the error is not
    /// zero), and a round-to-odd result with at least two more bits than float rounds to float exactly as the exact sum
    /// would (no double rounding). Infinities and NaN propagate as in IEEE arithmetic.
    /// </summary>
    public static float FusedMultiplyAdd(float a, float b, float c)
    {
        double product = (double)a * b;   // 24 + 24 significant bits: exact, and within double's range
        double sum = product + c;
        if (double.IsNaN(sum) || double.IsInfinity(sum))
            return (float)sum;
        double virtualC = sum - product;
        double error = (product - (sum - virtualC)) + (c - virtualC);
        long bits = BitConverter.DoubleToInt64Bits(sum);
        if (error != 0 && (bits & 1) == 0)
        {
            // sum != 0 here (a zero sum is exact). Toward +inf is +1 on the bits of a positive double, -1 on a negative one.
            bits += (error > 0) == (sum > 0) ? 1 : -1;
            sum = BitConverter.Int64BitsToDouble(bits);
        }
        return (float)sum;
    }

    /// <summary>
    /// x86's cvtps2dq under the default rounding mode: round half to even; NaN and values outside [-2^31, 2^31) give
    /// the "integer indefinite" int.MinValue.
    /// </summary>
    public static int ConvertToInt32RoundHalfToEven(float value)
    {
        if (!(value >= -2147483648f && value < 2147483648f))
            return int.MinValue;
        return (int)Math.Round((double)value, MidpointRounding.ToEven);
    }
}
