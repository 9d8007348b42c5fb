using System;
using System.Collections.Generic;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// A global average pool in its declared form (ONNX GlobalAveragePool on quantized values, TFLite Mean over height and
/// width as an AveragePool over the whole map), computed by plain loops.
/// </summary>
/// <remarks>
/// Output (0, 0, c) is the average of the raw values in[y, x, c] over the whole height and width, rounded as TFLite's
/// integer AveragePool rounds it: acc &gt; 0 ? (acc + count / 2) / count : (acc - count / 2) / count with C's integer
/// division (half away from zero). When the output scale or zero point differs from the input's, the average is
/// rescaled with <see cref="Rescale.Apply"/> in the model's scheme; then it is clamped to the activation range of the
/// output (<see cref="QuantizationMath.ActivationRange"/>). Tensors are NHWC: input [H, W, C], output [1, 1, C].
/// </remarks>
public sealed class GlobalAveragePoolReferenceLayer : IReferenceLayer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="inputHeight">Input rows.</param>
    /// <param name="inputWidth">Input columns.</param>
    /// <param name="channels">Channels, the same in the output.</param>
    /// <param name="type">UInt8 or Int8, of the input and the output.</param>
    /// <param name="inputScale">Scale of the input.</param>
    /// <param name="inputZeroPoint">Zero point of the input, in the range of <paramref name="type"/>.</param>
    /// <param name="outputScale">Scale of the output; the input's for no rescale.</param>
    /// <param name="outputZeroPoint">Zero point of the output, in the range of <paramref name="type"/>; the input's for
    /// no rescale.</param>
    /// <param name="activation">Activation folded into the output clamp.</param>
    /// <param name="scheme">How a value is rescaled when the output scale or zero point differs from the input's
    /// (<see cref="Rescale.Apply"/>).</param>
    /// <exception cref="ArgumentException">An argument is out of range or inconsistent with the others.</exception>
    public GlobalAveragePoolReferenceLayer(
        int inputHeight, int inputWidth, int channels,
        QuantType type, float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint,
        Activation activation = Activation.None, RequantizationScheme scheme = RequantizationScheme.FixedPoint)
    {
        ReferenceArguments.Positive(inputHeight, nameof(inputHeight));
        ReferenceArguments.Positive(inputWidth, nameof(inputWidth));
        ReferenceArguments.Positive(channels, nameof(channels));
        // The int32 sum of up to 255 per position must not overflow.
        ReferenceArguments.Size("bound of the int32 sum (rows x columns x 256)", nameof(inputWidth), inputHeight, inputWidth, 256);
        InputBytes = ReferenceArguments.Size("input", nameof(channels), inputHeight, inputWidth, channels);
        OutputBytes = channels;
        ReferenceArguments.EightBit(type, nameof(type), "Pool tensors");
        ReferenceArguments.Scale(inputScale, nameof(inputScale));
        ReferenceArguments.Scale(outputScale, nameof(outputScale));
        ReferenceArguments.ZeroPoint(inputZeroPoint, type, nameof(inputZeroPoint));
        ReferenceArguments.ZeroPoint(outputZeroPoint, type, nameof(outputZeroPoint));
        QuantizationMath.ActivationRange(activation, outputScale, outputZeroPoint, type, out int min, out int max);
        OutputMin = min;
        OutputMax = max;
        Rescaled = !Rescale.IsIdentity(inputScale, inputZeroPoint, outputScale, outputZeroPoint);

        InputHeight = inputHeight;
        InputWidth = inputWidth;
        Channels = channels;
        Type = type;
        InputScale = inputScale;
        InputZeroPoint = inputZeroPoint;
        OutputScale = outputScale;
        OutputZeroPoint = outputZeroPoint;
        Activation = activation;
        Scheme = scheme;
    }

    /// <summary>Input rows.</summary>
    public int InputHeight { get; }
    /// <summary>Input columns.</summary>
    public int InputWidth { get; }
    /// <summary>Channels of the input and the output.</summary>
    public int Channels { get; }
    /// <summary>Type of the input and the output.</summary>
    public QuantType Type { get; }
    /// <summary>Input scale.</summary>
    public float InputScale { get; }
    /// <summary>Input zero point.</summary>
    public int InputZeroPoint { get; }
    /// <summary>Output scale.</summary>
    public float OutputScale { get; }
    /// <summary>Output zero point.</summary>
    public int OutputZeroPoint { get; }
    /// <summary>Fused activation.</summary>
    public Activation Activation { get; }
    /// <summary>How a value is rescaled to the output's scale and zero point.</summary>
    public RequantizationScheme Scheme { get; }
    /// <summary>True when the output scale or zero point differs from the input's, so each value is rescaled.</summary>
    public bool Rescaled { get; }
    /// <summary>Lower clamp bound of the output (the activation range on the output's quantization).</summary>
    public int OutputMin { get; }
    /// <summary>Upper clamp bound of the output.</summary>
    public int OutputMax { get; }
    /// <summary>Bytes of the input for one image: inputHeight * inputWidth * channels.</summary>
    public int InputBytes { get; }

    /// <inheritdoc/>
    public int OutputBytes { get; }

    /// <inheritdoc/>
    public void Run(IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        byte[] input = ReferenceArguments.SingleInput(inputs, InputBytes, output.Length, OutputBytes, "GlobalAveragePool");
        int count = InputHeight * InputWidth;
        for (int c = 0; c < Channels; c++)
        {
            int acc = 0;
            for (int p = 0; p < count; p++)
                acc += ReferenceOps.Value(input[p * Channels + c], Type);
            int value = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
            output[c] = (byte)Finish(value);
        }
    }

    private int Finish(int value)
    {
        if (Rescaled)
            return Rescale.Apply(value, Scheme, InputScale, InputZeroPoint, OutputScale, OutputZeroPoint, OutputMin, OutputMax);
        return value < OutputMin ? OutputMin : value > OutputMax ? OutputMax : value;
    }
}
