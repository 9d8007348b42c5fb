using System;

namespace KernelGen.Quantization;

/// <summary>
/// Fake quantization: a float through ONNX QuantizeLinear and back through DequantizeLinear
/// (<see cref="LinearQuantization"/>), so that float code sees exactly the values the quantized model can represent.
/// For calibration (the error a scale and zero point cause) and QAT-style checks (a float model evaluated on the grid).
/// </summary>
public static class FakeQuantization
{
    /// <summary>
    /// Dequantize(Quantize(<paramref name="x"/>)): (saturate(round_half_to_even(x / scale) + zeroPoint) - zeroPoint) * scale,
    /// each step in float as ONNX defines it. NaN quantizes to the zero point (so gives 0); infinities saturate.
    /// </summary>
    /// <param name="x">The float value.</param>
    /// <param name="scale">Scale; finite and positive.</param>
    /// <param name="zeroPoint">Zero point, in the range of <paramref name="type"/> (0 for Int32).</param>
    /// <param name="type">The quantized type: UInt8, Int8 or Int32.</param>
    public static float Apply(float x, float scale, int zeroPoint, QuantType type)
    {
        Check(scale, zeroPoint, type);
        return LinearQuantization.Dequantize(LinearQuantization.Quantize(x, scale, zeroPoint, type), scale, zeroPoint);
    }

    /// <summary>
    /// <see cref="Apply(float, float, int, QuantType)"/> for each value of <paramref name="source"/> into
    /// <paramref name="destination"/> of the same length; the two may be the same span (in place).
    /// </summary>
    public static void Apply(ReadOnlySpan<float> source, float scale, int zeroPoint, QuantType type, Span<float> destination)
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"Destination length {destination.Length} does not match source length {source.Length}.", nameof(destination));
        Check(scale, zeroPoint, type);
        for (int i = 0; i < source.Length; i++)
            destination[i] = LinearQuantization.Dequantize(LinearQuantization.Quantize(source[i], scale, zeroPoint, type), scale, zeroPoint);
    }

    /// <summary>
    /// The largest absolute difference between each value of <paramref name="values"/> and its fake-quantized value
    /// (0 for an empty span; NaN values are skipped): how much a scale and zero point distort a calibration sample.
    /// </summary>
    public static float MaxAbsoluteError(ReadOnlySpan<float> values, float scale, int zeroPoint, QuantType type)
    {
        Check(scale, zeroPoint, type);
        float worst = 0;
        foreach (float x in values)
        {
            if (float.IsNaN(x))
                continue;
            float error = MathF.Abs(x - LinearQuantization.Dequantize(LinearQuantization.Quantize(x, scale, zeroPoint, type), scale, zeroPoint));
            if (error > worst)
                worst = error;
        }
        return worst;
    }

    private static void Check(float scale, int zeroPoint, QuantType type)
    {
        if (!QuantizationMath.IsEightBit(type) && type != QuantType.Int32)
            throw new ArgumentOutOfRangeException(nameof(type), type, "Fake quantization is to UInt8, Int8 or Int32.");
        if (!(scale > 0) || float.IsInfinity(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "Must be finite and positive.");
        if (type == QuantType.Int32 && zeroPoint != 0)
            throw new ArgumentOutOfRangeException(nameof(zeroPoint), zeroPoint, "Int32 is quantized with zero point 0, as ONNX does.");
        int min = QuantizationMath.TypeMin(type), max = QuantizationMath.TypeMax(type);
        if (zeroPoint < min || zeroPoint > max)
            throw new ArgumentOutOfRangeException(nameof(zeroPoint), zeroPoint, $"Outside the range of {type}, [{min}, {max}].");
    }
}
