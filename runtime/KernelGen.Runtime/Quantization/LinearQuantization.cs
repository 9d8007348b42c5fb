using System;

namespace KernelGen.Quantization;

/// <summary>ONNX QuantizeLinear / DequantizeLinear for the edges of a model: floats in, quantized values out and back.</summary>
public static class LinearQuantization
{
    /// <summary>ONNX QuantizeLinear: saturate(round_half_to_even(x / scale) + zeroPoint), the division in float.</summary>
    public static int Quantize(float x, float scale, int zeroPoint, QuantType type)
    {
        float ratio = x / scale;
        double q = Math.Round((double)ratio, MidpointRounding.ToEven) + zeroPoint;
        int min = QuantizationMath.TypeMin(type);
        int max = QuantizationMath.TypeMax(type);
        if (double.IsNaN(q)) return Math.Clamp(zeroPoint, min, max);
        return q < min ? min : q > max ? max : (int)q;
    }

    /// <summary>ONNX DequantizeLinear: (q - zeroPoint) * scale in float.</summary>
    public static float Dequantize(int q, float scale, int zeroPoint) => (q - zeroPoint) * scale;

    /// <summary>Quantizes <paramref name="source"/> into uint8 <paramref name="destination"/> of the same length.</summary>
    public static void Quantize(ReadOnlySpan<float> source, float scale, byte zeroPoint, Span<byte> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
            destination[i] = (byte)Quantize(source[i], scale, zeroPoint, QuantType.UInt8);
    }

    /// <summary>Quantizes <paramref name="source"/> into int8 <paramref name="destination"/> of the same length.</summary>
    public static void Quantize(ReadOnlySpan<float> source, float scale, sbyte zeroPoint, Span<sbyte> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
            destination[i] = (sbyte)Quantize(source[i], scale, zeroPoint, QuantType.Int8);
    }

    /// <summary>Dequantizes uint8 <paramref name="source"/> into <paramref name="destination"/> of the same length.</summary>
    public static void Dequantize(ReadOnlySpan<byte> source, float scale, byte zeroPoint, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
            destination[i] = Dequantize(source[i], scale, zeroPoint);
    }

    /// <summary>Dequantizes int8 <paramref name="source"/> into <paramref name="destination"/> of the same length.</summary>
    public static void Dequantize(ReadOnlySpan<sbyte> source, float scale, sbyte zeroPoint, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
            destination[i] = Dequantize(source[i], scale, zeroPoint);
    }

    private static void CheckLengths(int source, int destination)
    {
        if (source != destination)
            throw new ArgumentException($"Destination length {destination} does not match source length {source}.", "destination");
    }
}
