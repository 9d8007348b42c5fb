using System;

namespace KernelGen.Quantization;

/// <summary>
/// The compile-time half of the integer arithmetic: turning real scales into a fixed-point multiplier and shift,
/// type ranges and activation clamp bounds. The generator compiles this same file, so the constants folded into the
/// generated kernels and the ones the runtime's reference computes come from one definition.
/// </summary>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
static class QuantizationMath
{
    /// <summary>The largest left shift a multiplier may need: its value must stay below 2^31.</summary>
    public const int MaxLeftShift = 31;

    /// <summary>
    /// TFLite's <c>QuantizeMultiplier</c> (quantization_util.cc, default double rounding): decomposes a real multiplier
    /// into a Q31 value <paramref name="quantizedMultiplier"/> in [2^30, 2^31) and a power-of-two exponent
    /// <paramref name="shift"/> (positive = left shift) with real ≈ quantizedMultiplier * 2^(shift - 31).
    /// Multipliers below 2^-32 underflow to (0, 0), as in TFLite.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The multiplier is negative, not finite, or 2^31 or more.</exception>
    public static void QuantizeMultiplier(double realMultiplier, out int quantizedMultiplier, out int shift)
    {
        if (!(realMultiplier >= 0) || double.IsInfinity(realMultiplier))
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "The multiplier must be finite and non-negative.");
        if (realMultiplier == 0)
        {
            quantizedMultiplier = 0;
            shift = 0;
            return;
        }

        double fraction = Frexp(realMultiplier, out int exponent);
        // TfLiteRound is std::round: half away from zero.
        long fixedPoint = (long)Math.Round(fraction * (1L << 31), MidpointRounding.AwayFromZero);
        if (fixedPoint == 1L << 31)
        {
            fixedPoint /= 2;
            exponent++;
        }
        if (exponent < -31)
        {
            exponent = 0;
            fixedPoint = 0;
        }
        if (exponent > MaxLeftShift)
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "The multiplier must be below 2^31.");

        quantizedMultiplier = (int)fixedPoint;
        shift = exponent;
    }

    /// <summary>C's frexp for a positive finite value: value = fraction * 2^exponent with fraction in [0.5, 1).</summary>
    public static double Frexp(double value, out int exponent)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)((bits >> 52) & 0x7FF);
        int adjust = 0;
        if (biased == 0)
        {
            // Subnormal: scale into the normal range first (exact, a power of two).
            value *= 18014398509481984.0; // 2^54
            bits = BitConverter.DoubleToInt64Bits(value);
            biased = (int)((bits >> 52) & 0x7FF);
            adjust = -54;
        }
        exponent = biased - 1022 + adjust;
        return BitConverter.Int64BitsToDouble((bits & ~(0x7FFL << 52)) | (1022L << 52));
    }

    /// <summary>
    /// The real requantization multiplier input_scale * weight_scale / output_scale, computed as TFLite computes it.
    /// Per-tensor weights (TFLite's GetQuantizedConvolutionMultipler): the scale product is rounded to float, then
    /// divided in double. Per-channel weights (PopulateConvolutionQuantizationParams): every product in double. The two
    /// can differ in the last bit of the Q31 multiplier, and so in a rounded output.
    /// </summary>
    public static double RequantizationMultiplier(float inputScale, float weightScale, float outputScale, bool perChannel)
        => perChannel
            ? (double)inputScale * weightScale / outputScale
            : (double)(float)(inputScale * weightScale) / outputScale;

    /// <summary>
    /// The float requantization scale of <see cref="RequantizationScheme.Float"/>, computed as ONNX Runtime computes it
    /// (qlinearconv.cc, quantize_linear_matmul.cc): input_scale * weight_scale / output_scale, each step in float.
    /// </summary>
    public static float FloatRequantizationScale(float inputScale, float weightScale, float outputScale)
    {
        float product = inputScale * weightScale;
        return product / outputScale;
    }

    /// <summary>Smallest value of an 8-bit quantized type.</summary>
    public static int TypeMin(QuantType type) => type switch
    {
        QuantType.UInt8 => 0,
        QuantType.Int8 => -128,
        QuantType.Int32 => int.MinValue,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown quantized type."),
    };

    /// <summary>Largest value of an 8-bit quantized type.</summary>
    public static int TypeMax(QuantType type) => type switch
    {
        QuantType.UInt8 => 255,
        QuantType.Int8 => 127,
        QuantType.Int32 => int.MaxValue,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown quantized type."),
    };

    /// <summary>True for the 8-bit types that activations and weights may use.</summary>
    public static bool IsEightBit(QuantType type) => type == QuantType.UInt8 || type == QuantType.Int8;

    /// <summary>
    /// TFLite's <c>CalculateActivationRangeQuantized</c>: the clamp bounds of an output after a fused activation.
    /// The real bounds 0 and 6 are quantized as zero_point + round(f / scale), with the division in float and
    /// round half away from zero, then intersected with the type's range.
    /// </summary>
    public static void ActivationRange(Activation activation, float outputScale, int outputZeroPoint, QuantType outputType, out int min, out int max)
    {
        int qmin = TypeMin(outputType);
        int qmax = TypeMax(outputType);
        switch (activation)
        {
            case Activation.None:
                min = qmin;
                max = qmax;
                break;
            case Activation.Relu:
                min = Math.Max(qmin, QuantizeBound(0f, outputScale, outputZeroPoint));
                max = qmax;
                break;
            case Activation.Relu6:
                min = Math.Max(qmin, QuantizeBound(0f, outputScale, outputZeroPoint));
                max = Math.Min(qmax, QuantizeBound(6f, outputScale, outputZeroPoint));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    private static int QuantizeBound(float real, float scale, int zeroPoint)
    {
        float ratio = real / scale;
        double rounded = Math.Round((double)ratio, MidpointRounding.AwayFromZero) + zeroPoint;
        // Saturate instead of overflowing for absurdly small scales; the caller intersects with the type range.
        if (rounded > int.MaxValue) return int.MaxValue;
        if (rounded < int.MinValue) return int.MinValue;
        return (int)rounded;
    }
}
