using System;
using System.Collections.Generic;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// An average pool in its declared form (TFLite reference_integer_ops AveragePool; ONNX AveragePool with
/// count_include_pad = 0 on quantized values), computed by plain loops.
/// </summary>
/// <remarks>
/// Output (y, x, c) is the average of the raw values in[y * sh - top + i, x * sw - left + j, c] over the window positions
/// inside the input (padded positions are left out of the sum and of the count), rounded as TFLite rounds it:
/// acc &gt; 0 ? (acc + count / 2) / count : (acc - count / 2) / count, with C's integer division (truncating toward zero),
/// i.e. half away from zero. When the output scale or zero point differs from the input's, the average is rescaled
/// with <see cref="Rescale.Apply"/> in the model's scheme; then it is clamped to the activation range of the output
/// (<see cref="QuantizationMath.ActivationRange"/>). Tensors are NHWC: input [H, W, C], output [OH, OW, C].
/// </remarks>
public sealed class AveragePoolReferenceLayer : IReferenceLayer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="inputHeight">Input rows.</param>
    /// <param name="inputWidth">Input columns.</param>
    /// <param name="channels">Channels, the same in the output.</param>
    /// <param name="windowHeight">Window rows.</param>
    /// <param name="windowWidth">Window columns.</param>
    /// <param name="strides">{height, width}, positive; null: the window size.</param>
    /// <param name="pads">{top, left, bottom, right}, non-negative and each smaller than the window along its axis; null:
    /// no padding. (For <see cref="Padding.Same"/> compute them with <see cref="ConvolutionGeometry.SamePadding"/>.)</param>
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
    public AveragePoolReferenceLayer(
        int inputHeight, int inputWidth, int channels, int windowHeight, int windowWidth, int[]? strides, int[]? pads,
        QuantType type, float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint,
        Activation activation = Activation.None, RequantizationScheme scheme = RequantizationScheme.FixedPoint)
    {
        ReferenceArguments.Positive(inputHeight, nameof(inputHeight));
        ReferenceArguments.Positive(inputWidth, nameof(inputWidth));
        ReferenceArguments.Positive(channels, nameof(channels));
        ReferenceArguments.Positive(windowHeight, nameof(windowHeight));
        ReferenceArguments.Positive(windowWidth, nameof(windowWidth));
        ReferenceArguments.Size("bound of the int32 window sum (rows x columns x 256)", nameof(windowWidth), windowHeight, windowWidth, 256);
        Strides = ReferenceArguments.Pair(strides, windowHeight, windowWidth, nameof(strides));
        Pads = ReferenceArguments.Pads(pads, nameof(pads));
        OutputHeight = ReferenceArguments.PoolAxis("Height", inputHeight, windowHeight, Strides[0], Pads[0], Pads[2], nameof(pads));
        OutputWidth = ReferenceArguments.PoolAxis("Width", inputWidth, windowWidth, Strides[1], Pads[1], Pads[3], nameof(pads));
        InputBytes = ReferenceArguments.Size("input", nameof(channels), inputHeight, inputWidth, channels);
        OutputBytes = ReferenceArguments.Size("output", nameof(channels), OutputHeight, OutputWidth, channels);
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
        WindowHeight = windowHeight;
        WindowWidth = windowWidth;
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
    /// <summary>Window rows.</summary>
    public int WindowHeight { get; }
    /// <summary>Window columns.</summary>
    public int WindowWidth { get; }
    /// <summary>Stride {height, width}.</summary>
    public int[] Strides { get; }
    /// <summary>Padding {top, left, bottom, right}.</summary>
    public int[] Pads { get; }
    /// <summary>Output rows.</summary>
    public int OutputHeight { get; }
    /// <summary>Output columns.</summary>
    public int OutputWidth { get; }
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
        byte[] input = ReferenceArguments.SingleInput(inputs, InputBytes, output.Length, OutputBytes, "AveragePool");
        for (int y = 0; y < OutputHeight; y++)
        {
            for (int x = 0; x < OutputWidth; x++)
            {
                for (int c = 0; c < Channels; c++)
                {
                    // Padded positions are left out of the sum and of the count.
                    int acc = 0, count = 0;
                    for (int i = 0; i < WindowHeight; i++)
                    {
                        int inY = y * Strides[0] - Pads[0] + i;
                        if (inY < 0 || inY >= InputHeight)
                            continue;
                        for (int j = 0; j < WindowWidth; j++)
                        {
                            int inX = x * Strides[1] - Pads[1] + j;
                            if (inX < 0 || inX >= InputWidth)
                                continue;
                            acc += ReferenceOps.Value(input[(inY * InputWidth + inX) * Channels + c], Type);
                            count++;
                        }
                    }
                    int value = Average(acc, count);
                    output[(y * OutputWidth + x) * Channels + c] = (byte)Finish(value);
                }
            }
        }
    }

    private int Finish(int value)
    {
        if (Rescaled)
            return Rescale.Apply(value, Scheme, InputScale, InputZeroPoint, OutputScale, OutputZeroPoint, OutputMin, OutputMax);
        return value < OutputMin ? OutputMin : value > OutputMax ? OutputMax : value;
    }

    /// <summary>TFLite's integer rounding of acc / count: half away from zero (C# division truncates toward zero, as C's).</summary>
    private static int Average(int acc, int count)
        => acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
}
