using System;
using System.Collections.Generic;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// A concatenation along the last axis (channels) of NHWC feature maps with one height and width, or of vectors
/// (height = width = 1), in the declared, unfolded form. Each value is moved from its input's scale and zero point to
/// the output's by <see cref="Rescale.Apply"/> in the layer's scheme, clamped to the type's range, and copied as it is
/// where <see cref="Rescale.IsIdentity"/> holds for its input.
/// </summary>
public sealed class ConcatReferenceLayer : IReferenceLayer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="height">Height of every input and of the output (1 for vectors).</param>
    /// <param name="width">Width of every input and of the output (1 for vectors).</param>
    /// <param name="channels">Channels of each input, in order (the lengths, for vectors); the output has their sum.</param>
    /// <param name="type">Type of every input and of the output: UInt8 or Int8.</param>
    /// <param name="inputScales">Scale of each input.</param>
    /// <param name="inputZeroPoints">Zero point of each input.</param>
    /// <param name="outputScale">Scale of the output.</param>
    /// <param name="outputZeroPoint">Zero point of the output.</param>
    /// <param name="scheme">How a value is rescaled to the output's scale and zero point.</param>
    public ConcatReferenceLayer(
        int height, int width, int[] channels, QuantType type, float[] inputScales, int[] inputZeroPoints,
        float outputScale, int outputZeroPoint, RequantizationScheme scheme = RequantizationScheme.FixedPoint)
    {
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "Must be positive.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "Must be positive.");
        if (channels is null || channels.Length == 0)
            throw new ArgumentException("A Concat layer needs at least one input.", nameof(channels));
        if (!QuantizationMath.IsEightBit(type)) throw new ArgumentOutOfRangeException(nameof(type), type, "Concat reads and writes UInt8 or Int8.");
        if (scheme != RequantizationScheme.FixedPoint && scheme != RequantizationScheme.Float)
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown requantization scheme.");
        if (inputScales is null || inputScales.Length != channels.Length)
            throw new ArgumentException($"Expected {channels.Length} input scales, got {inputScales?.Length ?? 0}.", nameof(inputScales));
        if (inputZeroPoints is null || inputZeroPoints.Length != channels.Length)
            throw new ArgumentException($"Expected {channels.Length} input zero points, got {inputZeroPoints?.Length ?? 0}.", nameof(inputZeroPoints));
        int min = QuantizationMath.TypeMin(type), max = QuantizationMath.TypeMax(type);
        long total = 0;
        for (int i = 0; i < channels.Length; i++)
        {
            if (channels[i] <= 0)
                throw new ArgumentOutOfRangeException(nameof(channels), channels[i], $"Input {i} has no channels.");
            if (!(inputScales[i] > 0) || float.IsInfinity(inputScales[i]))
                throw new ArgumentOutOfRangeException(nameof(inputScales), inputScales[i], $"The scale of input {i} must be finite and positive.");
            if (inputZeroPoints[i] < min || inputZeroPoints[i] > max)
                throw new ArgumentOutOfRangeException(nameof(inputZeroPoints), inputZeroPoints[i], $"The zero point of input {i} is outside [{min}, {max}].");
            total += channels[i];
        }
        if (!(outputScale > 0) || float.IsInfinity(outputScale))
            throw new ArgumentOutOfRangeException(nameof(outputScale), outputScale, "Must be finite and positive.");
        if (outputZeroPoint < min || outputZeroPoint > max)
            throw new ArgumentOutOfRangeException(nameof(outputZeroPoint), outputZeroPoint, $"Outside [{min}, {max}].");
        if (total * height * width > int.MaxValue)
            throw new ArgumentException("The output has more than int.MaxValue values.", nameof(channels));

        Height = height;
        Width = width;
        Channels = channels;
        OutputChannels = (int)total;
        Type = type;
        InputScales = inputScales;
        InputZeroPoints = inputZeroPoints;
        OutputScale = outputScale;
        OutputZeroPoint = outputZeroPoint;
        Scheme = scheme;
    }

    /// <summary>Height of the inputs and the output.</summary>
    public int Height { get; }
    /// <summary>Width of the inputs and the output.</summary>
    public int Width { get; }
    /// <summary>Channels of each input.</summary>
    public int[] Channels { get; }
    /// <summary>Channels of the output: the sum of <see cref="Channels"/>.</summary>
    public int OutputChannels { get; }
    /// <summary>Type of the inputs and the output.</summary>
    public QuantType Type { get; }
    /// <summary>Scale of each input.</summary>
    public float[] InputScales { get; }
    /// <summary>Zero point of each input.</summary>
    public int[] InputZeroPoints { get; }
    /// <summary>Output scale.</summary>
    public float OutputScale { get; }
    /// <summary>Output zero point.</summary>
    public int OutputZeroPoint { get; }
    /// <summary>How values are rescaled.</summary>
    public RequantizationScheme Scheme { get; }

    /// <inheritdoc/>
    public int OutputBytes => Height * Width * OutputChannels;

    /// <inheritdoc/>
    public void Run(IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        if (inputs is null || inputs.Count != Channels.Length)
            throw new ArgumentException($"This Concat layer reads {Channels.Length} tensors, got {inputs?.Count ?? 0}.", nameof(inputs));
        int positions = Height * Width;
        for (int i = 0; i < Channels.Length; i++)
        {
            if (inputs[i] is null || inputs[i].Length != positions * Channels[i])
                throw new ArgumentException($"Expected input {i} of {positions * Channels[i]} values, got {inputs[i]?.Length ?? 0}.", nameof(inputs));
        }
        if (output.Length != OutputBytes)
            throw new ArgumentException($"Expected {OutputBytes} output bytes, got {output.Length}.", nameof(output));

        int min = QuantizationMath.TypeMin(Type), max = QuantizationMath.TypeMax(Type);
        int offset = 0;   // first output channel of input i
        for (int i = 0; i < Channels.Length; i++)
        {
            int c = Channels[i];
            byte[] input = inputs[i];
            bool identity = Rescale.IsIdentity(InputScales[i], InputZeroPoints[i], OutputScale, OutputZeroPoint);
            for (int p = 0; p < positions; p++)
            {
                Span<byte> destination = output.Slice(p * OutputChannels + offset, c);
                ReadOnlySpan<byte> source = input.AsSpan(p * c, c);
                if (identity)
                {
                    source.CopyTo(destination);
                    continue;
                }
                for (int k = 0; k < c; k++)
                {
                    destination[k] = (byte)Rescale.Apply(ReferenceOps.Value(source[k], Type), Scheme,
                        InputScales[i], InputZeroPoints[i], OutputScale, OutputZeroPoint, min, max);
                }
            }
            offset += c;
        }
    }
}
