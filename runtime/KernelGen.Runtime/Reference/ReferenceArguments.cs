using System;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// Constructor argument checks that the windowed reference layers (<see cref="Conv2DReferenceLayer"/>,
/// <see cref="DepthwiseConv2DReferenceLayer"/>, the pools) share: the shape of the stride, dilation and padding arrays,
/// the geometry of each axis, and the quantization parameters. Only checks; every layer computes with its own loops.
/// </summary>
internal static class ReferenceArguments
{
    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, "Must be positive.");
    }

    /// <summary>A {height, width} pair of positive values, or {<paramref name="fallbackHeight"/>, <paramref name="fallbackWidth"/>} when null.</summary>
    public static int[] Pair(int[]? values, int fallbackHeight, int fallbackWidth, string name)
    {
        if (values is null)
            return new[] { fallbackHeight, fallbackWidth };
        if (values.Length != 2)
            throw new ArgumentException($"Expected {{height, width}}, got {values.Length} values.", name);
        if (values[0] <= 0 || values[1] <= 0)
            throw new ArgumentException($"Must be positive, got {{{values[0]}, {values[1]}}}.", name);
        return new[] { values[0], values[1] };
    }

    /// <summary>{top, left, bottom, right}, non-negative; null: no padding.</summary>
    public static int[] Pads(int[]? pads, string name)
    {
        if (pads is null)
            return new int[4];
        if (pads.Length != 4)
            throw new ArgumentException($"Expected {{top, left, bottom, right}}, got {pads.Length} values.", name);
        foreach (int pad in pads)
        {
            if (pad < 0)
                throw new ArgumentException($"Must not be negative, got {{{pads[0]}, {pads[1]}, {pads[2]}, {pads[3]}}}.", name);
        }
        return new[] { pads[0], pads[1], pads[2], pads[3] };
    }

    /// <summary>The output size along one axis of a convolution, or an <see cref="ArgumentException"/> with the reason.</summary>
    public static int ConvolutionAxis(string axis, int input, int kernel, int stride, int dilation, int padBefore, int padAfter, string name)
    {
        if (!ConvolutionGeometry.TryValidate(input, kernel, stride, dilation, padBefore, padAfter, out int output, out string? reason))
            throw new ArgumentException($"{axis}: {reason}", name);
        return output;
    }

    /// <summary>The output size along one axis of a pool, or an <see cref="ArgumentException"/> with the reason.</summary>
    public static int PoolAxis(string axis, int input, int window, int stride, int padBefore, int padAfter, string name)
    {
        if (!ConvolutionGeometry.TryValidatePool(input, window, stride, padBefore, padAfter, out int output, out string? reason))
            throw new ArgumentException($"{axis}: {reason}", name);
        return output;
    }

    /// <summary>The product of positive sizes, or an <see cref="ArgumentException"/> when it does not fit an int.</summary>
    public static int Size(string what, string name, params int[] factors)
    {
        long size = 1;
        foreach (int factor in factors)
        {
            size *= factor;
            if (size > int.MaxValue)
                throw new ArgumentException($"The {what} ({string.Join(" x ", factors)}) does not fit an int.", name);
        }
        return (int)size;
    }

    public static void EightBit(QuantType type, string name, string role)
    {
        if (!QuantizationMath.IsEightBit(type))
            throw new ArgumentOutOfRangeException(name, type, $"{role} are UInt8 or Int8.");
    }

    public static void Scale(float scale, string name)
    {
        if (!(scale > 0) || float.IsInfinity(scale))
            throw new ArgumentOutOfRangeException(name, scale, "Must be finite and positive.");
    }

    public static void ZeroPoint(int zeroPoint, QuantType type, string name)
    {
        if (zeroPoint < QuantizationMath.TypeMin(type) || zeroPoint > QuantizationMath.TypeMax(type))
            throw new ArgumentOutOfRangeException(name, zeroPoint, $"Must be in the range of {type}.");
    }

    /// <summary>The weight quantization of a layer with <paramref name="channels"/> output channels: scales and zero
    /// points per tensor (one) or per channel, in range, and the per-channel flag agreeing with the scales.</summary>
    public static bool WeightQuantization(
        int channels, QuantType weightType, float[] weightScales, int[] weightZeroPoints, bool? perChannelScales, bool checkScales)
    {
        if (weightScales is null || (weightScales.Length != 1 && weightScales.Length != channels))
            throw new ArgumentException($"Expected 1 or {channels} weight scales, got {weightScales?.Length ?? 0}.", nameof(weightScales));
        if (weightZeroPoints is null || (weightZeroPoints.Length != 1 && weightZeroPoints.Length != channels))
            throw new ArgumentException($"Expected 1 or {channels} weight zero points, got {weightZeroPoints?.Length ?? 0}.", nameof(weightZeroPoints));
        foreach (int zeroPoint in weightZeroPoints)
            ZeroPoint(zeroPoint, weightType, nameof(weightZeroPoints));
        if (checkScales)
        {
            foreach (float scale in weightScales)
                Scale(scale, nameof(weightScales));
        }
        bool perChannel = perChannelScales ?? weightScales.Length > 1;
        if (!perChannel && weightScales.Length != 1)
            throw new ArgumentException("Per-tensor scales need exactly one scale.", nameof(perChannelScales));
        return perChannel;
    }

    /// <summary>The output type: null means <paramref name="inputType"/>; otherwise UInt8, Int8 or Int32.</summary>
    public static QuantType OutputType(QuantType? outputType, QuantType inputType)
    {
        if (outputType is { } type && type != QuantType.Int32 && !QuantizationMath.IsEightBit(type))
            throw new ArgumentOutOfRangeException(nameof(outputType), outputType, "Outputs are UInt8, Int8 or Int32.");
        return outputType ?? inputType;
    }

    /// <summary>The single input tensor of a layer, of <paramref name="bytes"/> bytes, and an output of <paramref name="outputBytes"/>.</summary>
    public static byte[] SingleInput(System.Collections.Generic.IReadOnlyList<byte[]> inputs, int bytes, int outputLength, int outputBytes, string layer)
    {
        if (inputs is null || inputs.Count != 1 || inputs[0] is null)
            throw new ArgumentException($"A {layer} layer reads one tensor.", nameof(inputs));
        if (inputs[0].Length != bytes)
            throw new ArgumentException($"Expected an input of {bytes} bytes, got {inputs[0].Length}.", nameof(inputs));
        if (outputLength != outputBytes)
            throw new ArgumentException($"Expected an output of {outputBytes} bytes, got {outputLength}.", "output");
        return inputs[0];
    }
}
