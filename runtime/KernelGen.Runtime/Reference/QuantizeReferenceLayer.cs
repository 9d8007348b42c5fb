using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// ONNX QuantizeLinear with one scale and zero point (per tensor): a float32 tensor (four little-endian bytes per value)
/// to UInt8 or Int8 by <see cref="LinearQuantization.Quantize(float, float, int, QuantType)"/>:
/// saturate(round_half_to_even(x / scale) + zero_point), the division in float.
/// </summary>
public sealed class QuantizeReferenceLayer : IReferenceLayer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="elements">Values in the input and the output.</param>
    /// <param name="scale">Scale of the output; finite and positive.</param>
    /// <param name="zeroPoint">Zero point of the output, in the range of <paramref name="outputType"/>.</param>
    /// <param name="outputType">UInt8 (ONNX's default) or Int8.</param>
    public QuantizeReferenceLayer(int elements, float scale, int zeroPoint, QuantType outputType = QuantType.UInt8)
    {
        if (elements <= 0) throw new ArgumentOutOfRangeException(nameof(elements), elements, "Must be positive.");
        if (elements > int.MaxValue / 4) throw new ArgumentOutOfRangeException(nameof(elements), elements, "The float input would exceed int.MaxValue bytes.");
        if (!QuantizationMath.IsEightBit(outputType)) throw new ArgumentOutOfRangeException(nameof(outputType), outputType, "Quantize writes UInt8 or Int8.");
        if (!(scale > 0) || float.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Must be finite and positive.");
        int min = QuantizationMath.TypeMin(outputType), max = QuantizationMath.TypeMax(outputType);
        if (zeroPoint < min || zeroPoint > max)
            throw new ArgumentOutOfRangeException(nameof(zeroPoint), zeroPoint, $"Outside the range of {outputType}, [{min}, {max}].");
        Elements = elements;
        Scale = scale;
        ZeroPoint = zeroPoint;
        OutputType = outputType;
    }

    /// <summary>Values in the input and the output.</summary>
    public int Elements { get; }
    /// <summary>Output scale.</summary>
    public float Scale { get; }
    /// <summary>Output zero point.</summary>
    public int ZeroPoint { get; }
    /// <summary>Type of the output.</summary>
    public QuantType OutputType { get; }

    /// <summary>Bytes of the float32 input.</summary>
    public int InputBytes => 4 * Elements;

    /// <inheritdoc/>
    public int OutputBytes => Elements;

    /// <inheritdoc/>
    public void Run(IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        if (inputs is null || inputs.Count != 1)
            throw new ArgumentException("A Quantize layer reads one tensor.", nameof(inputs));
        byte[] input = inputs[0];
        if (input is null || input.Length != InputBytes)
            throw new ArgumentException($"Expected {InputBytes} input bytes ({Elements} floats), got {input?.Length ?? 0}.", nameof(inputs));
        if (output.Length != OutputBytes)
            throw new ArgumentException($"Expected {OutputBytes} output bytes, got {output.Length}.", nameof(output));
        for (int i = 0; i < Elements; i++)
        {
            float x = BinaryPrimitives.ReadSingleLittleEndian(input.AsSpan(4 * i));
            output[i] = (byte)LinearQuantization.Quantize(x, Scale, ZeroPoint, OutputType);
        }
    }
}
