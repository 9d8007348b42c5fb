using System;
using KernelGen.Quantization;

namespace KernelGen.Kernels;

/// <summary>
/// The scalar fallbacks of the tensor ops (Add, Concat, Reshape copy, Quantize, Dequantize, layout conversion): the
/// same folded constants the generated SIMD kernels use, one element at a time. Runs where AVX2 is unavailable or
/// disabled, and for the last elements of a SIMD loop.
/// </summary>
public static class ScalarTensorOps
{
    /// <summary>TFLite's fixed-point Add of <paramref name="count"/> elements (<see cref="AddParameters.ApplyFixedPoint"/>).</summary>
    public static void AddFixedPoint(
        ReadOnlySpan<byte> input1, ReadOnlySpan<byte> input2, Span<byte> output, int count, bool signed,
        int input1ZeroPoint, int input1Multiplier, int input1Shift, int input2ZeroPoint, int input2Multiplier, int input2Shift,
        int outputMultiplier, int outputShift, int outputZeroPoint, int clampMin, int clampMax)
    {
        Check(input1.Length, count); Check(input2.Length, count); Check(output.Length, count);
        for (int i = 0; i < count; i++)
        {
            int q1 = signed ? (sbyte)input1[i] : input1[i];
            int q2 = signed ? (sbyte)input2[i] : input2[i];
            output[i] = (byte)AddParameters.ApplyFixedPoint(q1, q2, input1ZeroPoint, input1Multiplier, input1Shift,
                input2ZeroPoint, input2Multiplier, input2Shift, outputMultiplier, outputShift, outputZeroPoint, clampMin, clampMax);
        }
    }

    /// <summary>ONNX Runtime's QLinearAdd of <paramref name="count"/> elements (<see cref="AddParameters.ApplyFloat"/>).</summary>
    public static void AddFloat(
        ReadOnlySpan<byte> input1, ReadOnlySpan<byte> input2, Span<byte> output, int count, bool signed,
        float ratio1, float ratio2, float fixedPart, int clampMin, int clampMax)
    {
        Check(input1.Length, count); Check(input2.Length, count); Check(output.Length, count);
        for (int i = 0; i < count; i++)
        {
            int q1 = signed ? (sbyte)input1[i] : input1[i];
            int q2 = signed ? (sbyte)input2[i] : input2[i];
            output[i] = (byte)AddParameters.ApplyFloat(q1, q2, ratio1, ratio2, fixedPart, clampMin, clampMax);
        }
    }

    /// <summary>
    /// One input of a channel concatenation: <paramref name="positions"/> runs of <paramref name="channels"/> bytes,
    /// each written at <paramref name="offset"/> in a run of <paramref name="outputChannels"/> bytes of
    /// <paramref name="output"/>, through the 256-entry <paramref name="table"/> (indexed by the byte), or copied when
    /// the table is empty.
    /// </summary>
    public static void ConcatInput(
        ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<byte> table, int positions, int channels, int outputChannels, int offset)
    {
        Check(input.Length, positions * channels);
        Check(output.Length, (positions - 1) * outputChannels + offset + channels);
        if (!table.IsEmpty && table.Length != 256)
            throw new ArgumentException("A rescale table has 256 entries.", nameof(table));
        for (int p = 0; p < positions; p++)
        {
            ReadOnlySpan<byte> source = input.Slice(p * channels, channels);
            Span<byte> destination = output.Slice(p * outputChannels + offset, channels);
            if (table.IsEmpty)
            {
                source.CopyTo(destination);
                continue;
            }
            for (int c = 0; c < channels; c++)
                destination[c] = table[source[c]];
        }
    }

    /// <summary>Copies <paramref name="input"/> to <paramref name="output"/> (a Reshape that could not share its buffer).</summary>
    public static void Copy(ReadOnlySpan<byte> input, Span<byte> output) => input.CopyTo(output);

    /// <summary>ONNX QuantizeLinear (<see cref="LinearQuantization.Quantize(float, float, int, QuantType)"/>) of <paramref name="count"/> floats.</summary>
    public static void Quantize(ReadOnlySpan<float> input, Span<byte> output, int count, float scale, int zeroPoint, QuantType type)
    {
        Check(input.Length, count); Check(output.Length, count);
        for (int i = 0; i < count; i++)
            output[i] = (byte)LinearQuantization.Quantize(input[i], scale, zeroPoint, type);
    }

    /// <summary>ONNX DequantizeLinear of <paramref name="count"/> values of <paramref name="type"/> (UInt8, Int8: one byte; Int32: four).</summary>
    public static void Dequantize(ReadOnlySpan<byte> input, Span<float> output, int count, QuantType type, float scale, int zeroPoint)
    {
        Check(input.Length, type == QuantType.Int32 ? 4 * count : count); Check(output.Length, count);
        for (int i = 0; i < count; i++)
        {
            int q = type switch
            {
                QuantType.Int32 => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(input.Slice(4 * i)),
                QuantType.Int8 => (sbyte)input[i],
                _ => input[i],
            };
            output[i] = LinearQuantization.Dequantize(q, scale, zeroPoint);
        }
    }

    /// <summary>
    /// Transposes a <paramref name="rows"/> x <paramref name="columns"/> matrix of elements of
    /// <paramref name="elementBytes"/> bytes: NCHW to NHWC is (C, H*W) to (H*W, C), and NHWC to NCHW the converse.
    /// </summary>
    public static void Transpose(ReadOnlySpan<byte> input, Span<byte> output, int rows, int columns, int elementBytes)
    {
        Check(input.Length, rows * columns * elementBytes); Check(output.Length, rows * columns * elementBytes);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                input.Slice((r * columns + c) * elementBytes, elementBytes).CopyTo(output.Slice((c * rows + r) * elementBytes, elementBytes));
        }
    }

    private static void Check(int length, int needed)
    {
        if (length < needed)
            throw new ArgumentException($"A span of {length} elements is shorter than the {needed} the layer needs.");
    }
}
