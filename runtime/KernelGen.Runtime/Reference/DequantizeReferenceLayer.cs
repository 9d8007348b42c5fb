using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// ONNX DequantizeLinear with one scale and zero point (per tensor): UInt8, Int8 or Int32 values to float32 (four
/// little-endian bytes per value) by <see cref="LinearQuantization.Dequantize(int, float, int)"/>: (q - zero_point) * scale,
/// the difference converted to float and the product in float.
/// </summary>
public sealed class DequantizeReferenceLayer : IReferenceLayer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="elements">Values in the input and the output.</param>
    /// <param name="inputType">UInt8, Int8, or Int32 (one int32 per four little-endian bytes).</param>
    /// <param name="scale">Scale of the input; finite and positive.</param>
    /// <param name="zeroPoint">Zero point of the input, in the range of an 8-bit type; 0 for Int32, which ONNX
    /// dequantizes with no zero point.</param>
    public DequantizeReferenceLayer(int elements, QuantType inputType, float scale, int zeroPoint)
    {
        if (elements <= 0) throw new ArgumentOutOfRangeException(nameof(elements), elements, "Must be positive.");
        if (elements > int.MaxValue / 4) throw new ArgumentOutOfRangeException(nameof(elements), elements, "The float output would exceed int.MaxValue bytes.");
        if (!QuantizationMath.IsEightBit(inputType) && inputType != QuantType.Int32)
            throw new ArgumentOutOfRangeException(nameof(inputType), inputType, "Dequantize reads UInt8, Int8 or Int32.");
        if (!(scale > 0) || float.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Must be finite and positive.");
        if (inputType == QuantType.Int32)
        {
            if (zeroPoint != 0)
                throw new ArgumentOutOfRangeException(nameof(zeroPoint), zeroPoint, "Int32 values are dequantized with zero point 0.");
        }
        else
        {
            int min = QuantizationMath.TypeMin(inputType), max = QuantizationMath.TypeMax(inputType);
            if (zeroPoint < min || zeroPoint > max)
                throw new ArgumentOutOfRangeException(nameof(zeroPoint), zeroPoint, $"Outside the range of {inputType}, [{min}, {max}].");
        }
        Elements = elements;
        InputType = inputType;
        Scale = scale;
        ZeroPoint = zeroPoint;
    }

    /// <summary>Values in the input and the output.</summary>
    public int Elements { get; }
    /// <summary>Type of the input.</summary>
    public QuantType InputType { get; }
    /// <summary>Input scale.</summary>
    public float Scale { get; }
    /// <summary>Input zero point.</summary>
    public int ZeroPoint { get; }

    /// <summary>Bytes of the input: one per 8-bit value, four per int32.</summary>
    public int InputBytes => InputType == QuantType.Int32 ? 4 * Elements : Elements;

    /// <inheritdoc/>
    public int OutputBytes => 4 * Elements;

    /// <inheritdoc/>
    public void Run(IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        if (inputs is null || inputs.Count != 1)
            throw new ArgumentException("A Dequantize layer reads one tensor.", nameof(inputs));
        byte[] input = inputs[0];
        if (input is null || input.Length != InputBytes)
            throw new ArgumentException($"Expected {InputBytes} input bytes ({Elements} values of {InputType}), got {input?.Length ?? 0}.", nameof(inputs));
        if (output.Length != OutputBytes)
            throw new ArgumentException($"Expected {OutputBytes} output bytes ({Elements} floats), got {output.Length}.", nameof(output));
        for (int i = 0; i < Elements; i++)
        {
            int q = InputType == QuantType.Int32
                ? BinaryPrimitives.ReadInt32LittleEndian(input.AsSpan(4 * i))
                : ReferenceOps.Value(input[i], InputType);
            BinaryPrimitives.WriteSingleLittleEndian(output.Slice(4 * i), LinearQuantization.Dequantize(q, Scale, ZeroPoint));
        }
    }
}
