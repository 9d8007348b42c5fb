using System;
using KernelGen.Quantization;

namespace KernelGen.Calibration;

/// <summary>
/// A tensor's quantization: real = <see cref="Scale"/> * (q - <see cref="ZeroPoint"/>), q of <see cref="Type"/>. What the
/// attributes take as InputScale / InputZeroPoint, OutputScale / OutputZeroPoint or WeightScale.
/// </summary>
/// <param name="Scale">The real step between adjacent quantized values; positive and finite.</param>
/// <param name="ZeroPoint">The quantized value that represents real 0, within <paramref name="Type"/>'s range.</param>
/// <param name="Type">The quantized type (UInt8 or Int8).</param>
public readonly record struct QuantizationParameters(float Scale, int ZeroPoint, QuantType Type)
{
    /// <summary>ONNX QuantizeLinear of <paramref name="x"/> with these parameters (round half to even, saturate).</summary>
    public int Quantize(float x) => LinearQuantization.Quantize(x, Scale, ZeroPoint, Type);

    /// <summary>ONNX DequantizeLinear of <paramref name="q"/>: (q - zero point) * scale.</summary>
    public float Dequantize(int q) => LinearQuantization.Dequantize(q, Scale, ZeroPoint);

    /// <summary>The real values the quantized type covers: [scale * (qmin - zp), scale * (qmax - zp)].</summary>
    public (float Min, float Max) RealRange
        => (Dequantize(QuantizationMath.TypeMin(Type)), Dequantize(QuantizationMath.TypeMax(Type)));

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"scale {Scale:R}, zero point {ZeroPoint} ({Type})");
}
