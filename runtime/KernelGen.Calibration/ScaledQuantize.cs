using System;
using KernelGen.Quantization;

namespace KernelGen.Calibration;

/// <summary>
/// Scale and zero point from an observed real range [min, max] (nGraph's scaled-quantize builders): the range is first
/// widened to include 0, so real 0 is exactly representable (a quantized value, the zero point, dequantizes to exactly
/// 0, which padding and ReLU need).
/// </summary>
/// <remarks>
/// Degenerate ranges: when the widened range is a single point (every observed value was 0) or its scale would not be a
/// normal float, the scale is 1 and the zero point what the affine formula gives with scale 1 (qmin - 0 = qmin; the
/// middle of the range for the symmetric scheme): any scale represents such a tensor exactly, and a zero or subnormal scale would make x / scale overflow. (ONNX DynamicQuantizeLinear divides by zero
/// there and TFLite returns scale 0; ONNX Runtime's tools use scale 1, as here.) NaN or infinite bounds throw.
/// </remarks>
public static class ScaledQuantize
{
    /// <summary>
    /// ONNX DynamicQuantizeLinear's parameters (opset 11), in float32 as the operator defines them: min' = min(min, 0),
    /// max' = max(max, 0), scale = (max' - min') / (qmax - qmin), zero point = saturate(round_half_to_even(qmin - min' /
    /// scale)), for UInt8 over 0..255. <see cref="Asymmetric"/> is the same formula for other ranges.
    /// </summary>
    /// <exception cref="ArgumentException">A bound is NaN or infinite, or <paramref name="min"/> exceeds <paramref name="max"/>.</exception>
    public static QuantizationParameters DynamicQuantizeLinear(float min, float max)
        => Asymmetric(min, max, QuantType.UInt8);

    /// <summary>
    /// Affine (asymmetric) parameters over the scheme's range (<see cref="QuantRange.Of"/>): the formula of
    /// <see cref="DynamicQuantizeLinear"/>, float32 arithmetic, zero point rounded half to even and saturated.
    /// </summary>
    /// <exception cref="ArgumentException">A bound is NaN or infinite, or <paramref name="min"/> exceeds <paramref name="max"/>.</exception>
    public static QuantizationParameters Asymmetric(float min, float max, QuantType type, bool reducedRange = false)
    {
        Check(min, max);
        QuantRange range = QuantRange.Of(type, symmetric: false, reducedRange);
        float low = Math.Min(min, 0f), high = Math.Max(max, 0f);
        float scale = (high - low) / (float)(range.Max - range.Min);
        if (!IsUsable(scale))
            return new QuantizationParameters(1f, range.Min, type);
        float zero = range.Min - low / scale;
        return new QuantizationParameters(scale, SaturateRound(zero, range), type);
    }

    /// <summary>
    /// Symmetric parameters: the range [-a, a] with a = max(|min|, |max|), scale = 2a / (qmax - qmin) in float32 (a / 127
    /// for int8; a / 64 with the reduced range), zero point the middle of the range, rounded half to even (0 for int8;
    /// 128 for uint8, 64 with the reduced range). The weights' usual scheme (TFLite's and ONNX Runtime's per-tensor or
    /// per-channel int8 weights).
    /// </summary>
    /// <exception cref="ArgumentException">A bound is NaN or infinite, or <paramref name="min"/> exceeds <paramref name="max"/>.</exception>
    public static QuantizationParameters Symmetric(float min, float max, QuantType type = QuantType.Int8, bool reducedRange = false)
    {
        Check(min, max);
        QuantRange range = QuantRange.Of(type, symmetric: true, reducedRange);
        float absMax = Math.Max(Math.Abs(min), Math.Abs(max));
        int zeroPoint = (int)Math.Round((range.Min + range.Max) / 2.0, MidpointRounding.ToEven);
        float scale = 2f * absMax / (range.Max - range.Min);
        return IsUsable(scale)
            ? new QuantizationParameters(scale, zeroPoint, type)
            : new QuantizationParameters(1f, zeroPoint, type);
    }

    /// <summary>
    /// TFLite's ChooseQuantizationParams (tensorflow/lite/kernels/internal/quantization_util.h), in double: scale =
    /// (max' - min') / (qmax - qmin); the zero point from whichever bound loses less precision (qmin - min' / scale or
    /// qmax - max' / scale), nudged into [qmin, qmax] and rounded half away from zero (std::round); the scale returned
    /// as float. Differs from <see cref="Asymmetric"/> in the rounding of a .5 zero point and in double arithmetic.
    /// </summary>
    /// <exception cref="ArgumentException">A bound is NaN or infinite, or <paramref name="min"/> exceeds <paramref name="max"/>.</exception>
    public static QuantizationParameters Tflite(float min, float max, QuantType type)
    {
        Check(min, max);
        QuantRange range = QuantRange.Of(type, symmetric: false, reducedRange: false);
        double low = Math.Min(min, 0.0), high = Math.Max(max, 0.0);
        double qmin = range.Min, qmax = range.Max;
        double scale = (high - low) / (qmax - qmin);
        if (!IsUsable((float)scale))
            return new QuantizationParameters(1f, range.Min, type);
        double fromMin = qmin - low / scale;
        double fromMax = qmax - high / scale;
        double fromMinError = Math.Abs(qmin) + Math.Abs(low / scale);
        double fromMaxError = Math.Abs(qmax) + Math.Abs(high / scale);
        double zero = fromMinError < fromMaxError ? fromMin : fromMax;
        int nudged = zero < qmin ? range.Min
            : zero > qmax ? range.Max
            : (int)Math.Round(zero, MidpointRounding.AwayFromZero);
        return new QuantizationParameters((float)scale, nudged, type);
    }

    /// <summary>The smallest normal float, 2^-126 (numpy's finfo(float32).tiny).</summary>
    private const float SmallestNormal = 1.17549435E-38f;

    private static bool IsUsable(float scale) => scale >= SmallestNormal && float.IsFinite(scale);

    private static int SaturateRound(float zero, QuantRange range)
    {
        // Saturate, then round half to even (the operator's order; the same result for integer bounds).
        float saturated = Math.Clamp(zero, range.Min, range.Max);
        return (int)MathF.Round(saturated, MidpointRounding.ToEven);
    }

    private static void Check(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max))
            throw new ArgumentException(FormattableString.Invariant(
                $"The observed range [{min}, {max}] is not finite: the calibration data holds NaN or infinity, so no scale can be derived from it."));
        if (min > max)
            throw new ArgumentException(FormattableString.Invariant($"The observed range [{min}, {max}] is empty: min exceeds max."));
    }
}
