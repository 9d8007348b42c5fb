using System;
using System.Collections.Generic;

namespace KernelGen.Reference;

/// <summary>
/// A layout conversion at a model's edge: NCHW (ONNX's order) to NHWC (the order inside a model), or back, of one
/// image of H x W x C elements of one or four bytes. Values are moved whole; nothing is converted.
/// </summary>
public sealed class LayoutReferenceLayer : IReferenceLayer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="channels">C.</param>
    /// <param name="from">Layout of the input.</param>
    /// <param name="to">Layout of the output; the other one.</param>
    /// <param name="elementBytes">Bytes per element: 1 (uint8, int8) or 4 (int32, float).</param>
    public LayoutReferenceLayer(int height, int width, int channels, TensorLayout from, TensorLayout to, int elementBytes)
    {
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "Must be positive.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "Must be positive.");
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Must be positive.");
        if (from != TensorLayout.Nhwc && from != TensorLayout.Nchw) throw new ArgumentOutOfRangeException(nameof(from), from, "Unknown layout.");
        if (to != TensorLayout.Nhwc && to != TensorLayout.Nchw) throw new ArgumentOutOfRangeException(nameof(to), to, "Unknown layout.");
        if (from == to) throw new ArgumentException($"A layout conversion needs two different layouts, got {from} twice.", nameof(to));
        if (elementBytes != 1 && elementBytes != 4)
            throw new ArgumentOutOfRangeException(nameof(elementBytes), elementBytes, "Elements are 1 or 4 bytes.");
        if ((long)height * width * channels * elementBytes > int.MaxValue)
            throw new ArgumentException("The tensor would exceed int.MaxValue bytes.", nameof(channels));
        Height = height;
        Width = width;
        Channels = channels;
        From = from;
        To = to;
        ElementBytesPerValue = elementBytes;
    }

    /// <summary>H.</summary>
    public int Height { get; }
    /// <summary>W.</summary>
    public int Width { get; }
    /// <summary>C.</summary>
    public int Channels { get; }
    /// <summary>Layout of the input.</summary>
    public TensorLayout From { get; }
    /// <summary>Layout of the output.</summary>
    public TensorLayout To { get; }
    /// <summary>Bytes per element: 1 or 4.</summary>
    public int ElementBytesPerValue { get; }

    /// <inheritdoc/>
    public int OutputBytes => Height * Width * Channels * ElementBytesPerValue;

    /// <summary>Bytes per element of <paramref name="type"/>: 1 for UInt8 and Int8, 4 for Int32 and Float32.</summary>
    public static int ElementBytes(QuantType type) => type switch
    {
        QuantType.UInt8 or QuantType.Int8 => 1,
        QuantType.Int32 or QuantType.Float32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown element type."),
    };

    /// <inheritdoc/>
    public void Run(IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        if (inputs is null || inputs.Count != 1)
            throw new ArgumentException("A layout conversion reads one tensor.", nameof(inputs));
        byte[] input = inputs[0];
        if (input is null || input.Length != OutputBytes)
            throw new ArgumentException($"Expected {OutputBytes} input bytes, got {input?.Length ?? 0}.", nameof(inputs));
        if (output.Length != OutputBytes)
            throw new ArgumentException($"Expected {OutputBytes} output bytes, got {output.Length}.", nameof(output));

        int size = ElementBytesPerValue;
        int positions = Height * Width;
        for (int p = 0; p < positions; p++)
        {
            for (int c = 0; c < Channels; c++)
            {
                int nhwc = (p * Channels + c) * size;
                int nchw = (c * positions + p) * size;
                ReadOnlySpan<byte> source = input.AsSpan(From == TensorLayout.Nchw ? nchw : nhwc, size);
                source.CopyTo(output.Slice(From == TensorLayout.Nchw ? nhwc : nchw, size));
            }
        }
    }
}
