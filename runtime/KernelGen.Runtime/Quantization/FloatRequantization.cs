using System;

namespace KernelGen.Quantization;

/// <summary>
/// The run-time half of <see cref="RequantizationScheme.Float"/>, scalar: ONNX Runtime's <c>MlasRequantizeOutput</c> as it
/// reads (float product, clamp to the output range less the zero point, round half to even, add the zero point).
/// Every SIMD path of the float scheme is tested against this.
/// </summary>
public static class FloatRequantization
{
    /// <summary>
    /// clamp(zeroPoint + round_half_to_even((float)acc * scale), clampMin, clampMax), computed in float exactly as MLAS
    /// does: the clamp comes before the rounding (the bounds are integers, so the order does not change the result, and
    /// the rounding never sees a value outside the 8-bit range).
    /// </summary>
    public static int Apply(int acc, float scale, int zeroPoint, int clampMin, int clampMax)
    {
        float value = acc * scale;
        float min = clampMin - zeroPoint;
        float max = clampMax - zeroPoint;
        value = value < min ? min : value;
        value = value > max ? max : value;
        return (int)MathF.Round(value, MidpointRounding.ToEven) + zeroPoint;
    }
}
