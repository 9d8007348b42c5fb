namespace KernelGen.Quantization;

/// <summary>
/// Moves one 8-bit value from one scale and zero point to another: what a Concat input, a pool with its own output
/// scale, or a folded explicit requantization does to each value. Defined per <see cref="RequantizationScheme"/>; the
/// generator folds it into 256-entry tables at compile time from this same definition, and the reference calls it.
/// </summary>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
static class Rescale
{
    /// <summary>
    /// The rescaled value, clamped to [<paramref name="clampMin"/>,
    /// <paramref name="clampMax"/>] (the output type's range, narrowed by an activation):
    /// <list type="bullet">
    /// <item><see cref="RequantizationScheme.FixedPoint"/>: TFLite's Requantize op: z_out +
    /// MultiplyByQuantizedMultiplier(q - z_in, QuantizeMultiplier((double)s_in / s_out)).</item>
    /// <item><see cref="RequantizationScheme.Float"/>: ONNX DequantizeLinear then QuantizeLinear, as ONNX Runtime's
    /// QLinearConcat tables compute it: z_out + round_half_to_even((float)(q - z_in) * s_in / s_out), in float.</item>
    /// </list>
    /// </summary>
    public static int Apply(
        int q, RequantizationScheme scheme, float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint,
        int clampMin, int clampMax)
    {
        int value;
        if (scheme == RequantizationScheme.Float)
        {
            float real = (q - inputZeroPoint) * inputScale;
            float ratio = real / outputScale;
            double rounded = System.Math.Round((double)ratio, System.MidpointRounding.ToEven) + outputZeroPoint;
            value = rounded < clampMin ? clampMin : rounded > clampMax ? clampMax : (int)rounded;
        }
        else
        {
            QuantizationMath.QuantizeMultiplier((double)inputScale / outputScale, out int multiplier, out int shift);
            value = FixedPoint.MultiplyByQuantizedMultiplier(q - inputZeroPoint, multiplier, shift) + outputZeroPoint;
        }
        return value < clampMin ? clampMin : value > clampMax ? clampMax : value;
    }

    /// <summary>True when the rescale is the identity on every value of the type (same scale and zero point).</summary>
    public static bool IsIdentity(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint)
        => inputScale == outputScale && inputZeroPoint == outputZeroPoint;
}
