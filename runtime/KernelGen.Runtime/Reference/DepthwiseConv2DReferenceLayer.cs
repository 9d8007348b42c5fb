using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// A depthwise 2-D convolution in its declared, unfolded form (TFLite reference_integer_ops DepthwiseConv and its
/// per-channel variant; ONNX QLinearConv / ConvInteger with group = channels), computed by plain loops from raw weights,
/// zero points and float scales. It shares nothing with the generator's folding or packing.
/// </summary>
/// <remarks>
/// Output channel o = c * depthMultiplier + m reads input channel c only: acc = bias[o] + Σ over (i, j) of
/// (in[y * sh - top + i * dh, x * sw - left + j * dw, c] - z_in) * (w[i, j, o] - z_w[o]), accumulated in int32 with
/// wrap-around; positions outside the input are padding and contribute nothing (they read as the input zero point).
/// The output is <see cref="ReferenceOps.Requantize"/>(acc) clamped to the activation range of the output type, or acc
/// itself as four little-endian bytes when the output type is Int32. Tensors are NHWC: input [H, W, C], output
/// [OH, OW, C * depthMultiplier].
/// </remarks>
public sealed class DepthwiseConv2DReferenceLayer : IReferenceLayer
{
    /// <summary>Creates a layer; weight scales and zero points are per tensor (length 1) or per output channel (length
    /// channels * depthMultiplier).</summary>
    /// <param name="inputHeight">Input rows.</param>
    /// <param name="inputWidth">Input columns.</param>
    /// <param name="channels">Input channels.</param>
    /// <param name="depthMultiplier">Filters per input channel; the output has channels * depthMultiplier channels.</param>
    /// <param name="kernelHeight">Kernel rows.</param>
    /// <param name="kernelWidth">Kernel columns.</param>
    /// <param name="strides">{height, width}, positive; null: {1, 1}.</param>
    /// <param name="dilations">{height, width}, positive; null: {1, 1}.</param>
    /// <param name="pads">{top, left, bottom, right}, non-negative; null: no padding. (For
    /// <see cref="Padding.Same"/> compute them with <see cref="ConvolutionGeometry.SamePadding"/>.)</param>
    /// <param name="inputType">UInt8 or Int8.</param>
    /// <param name="inputScale">Scale of the input.</param>
    /// <param name="inputZeroPoint">Zero point of the input, in the range of <paramref name="inputType"/>.</param>
    /// <param name="weightType">Int8 or UInt8.</param>
    /// <param name="weights">Weights [kernelHeight, kernelWidth, channels * depthMultiplier] as raw bytes (int8 weights
    /// reinterpreted): weight (i, j, o) is element (i * kernelWidth + j) * outputChannels + o.</param>
    /// <param name="weightScales">One scale, or one per output channel.</param>
    /// <param name="weightZeroPoints">One zero point, or one per output channel, in the range of <paramref name="weightType"/>.</param>
    /// <param name="bias">One int32 per output channel, or null for none.</param>
    /// <param name="outputScale">Scale of the output.</param>
    /// <param name="outputZeroPoint">Zero point of the output, in the range of the output type.</param>
    /// <param name="activation">Activation folded into the clamp.</param>
    /// <param name="perChannelScales">Whether the scales were declared per channel (decides how the multiplier is
    /// computed, see <see cref="QuantizationMath.RequantizationMultiplier"/>); default: more than one scale. A one-element
    /// array is per tensor.</param>
    /// <param name="scheme">How the accumulators are requantized.</param>
    /// <param name="outputType">Type of the output: UInt8 or Int8 (default: the input's type), or Int32 for the raw
    /// accumulators with no requantization (the scales, output zero point and activation are then unused and not
    /// checked).</param>
    /// <exception cref="ArgumentException">An argument is out of range or inconsistent with the others.</exception>
    public DepthwiseConv2DReferenceLayer(
        int inputHeight, int inputWidth, int channels, int depthMultiplier, int kernelHeight, int kernelWidth,
        int[]? strides, int[]? dilations, int[]? pads,
        QuantType inputType, float inputScale, int inputZeroPoint,
        QuantType weightType, byte[] weights, float[] weightScales, int[] weightZeroPoints, int[]? bias,
        float outputScale, int outputZeroPoint, Activation activation, bool? perChannelScales = null,
        RequantizationScheme scheme = RequantizationScheme.FixedPoint, QuantType? outputType = null)
    {
        ReferenceArguments.Positive(inputHeight, nameof(inputHeight));
        ReferenceArguments.Positive(inputWidth, nameof(inputWidth));
        ReferenceArguments.Positive(channels, nameof(channels));
        ReferenceArguments.Positive(depthMultiplier, nameof(depthMultiplier));
        ReferenceArguments.Positive(kernelHeight, nameof(kernelHeight));
        ReferenceArguments.Positive(kernelWidth, nameof(kernelWidth));
        Strides = ReferenceArguments.Pair(strides, 1, 1, nameof(strides));
        Dilations = ReferenceArguments.Pair(dilations, 1, 1, nameof(dilations));
        Pads = ReferenceArguments.Pads(pads, nameof(pads));
        OutputHeight = ReferenceArguments.ConvolutionAxis("Height", inputHeight, kernelHeight, Strides[0], Dilations[0], Pads[0], Pads[2], nameof(kernelHeight));
        OutputWidth = ReferenceArguments.ConvolutionAxis("Width", inputWidth, kernelWidth, Strides[1], Dilations[1], Pads[1], Pads[3], nameof(kernelWidth));
        InputBytes = ReferenceArguments.Size("input", nameof(channels), inputHeight, inputWidth, channels);
        OutputChannels = ReferenceArguments.Size("output channels", nameof(depthMultiplier), channels, depthMultiplier);

        ReferenceArguments.EightBit(inputType, nameof(inputType), "Activations");
        ReferenceArguments.EightBit(weightType, nameof(weightType), "Weights");
        OutputType = ReferenceArguments.OutputType(outputType, inputType);
        OutputBytes = ReferenceArguments.Size("output", nameof(depthMultiplier),
            OutputHeight, OutputWidth, OutputChannels, OutputType == QuantType.Int32 ? 4 : 1);
        int weightCount = ReferenceArguments.Size("weights", nameof(weights), kernelHeight, kernelWidth, OutputChannels);
        if (weights is null || weights.Length != weightCount)
            throw new ArgumentException($"Expected {weightCount} [kernelHeight, kernelWidth, channels * depthMultiplier] weights, got {weights?.Length ?? 0}.", nameof(weights));
        bool requantized = OutputType != QuantType.Int32;
        PerChannelScales = ReferenceArguments.WeightQuantization(OutputChannels, weightType, weightScales, weightZeroPoints, perChannelScales, requantized);
        if (bias is not null && bias.Length != OutputChannels)
            throw new ArgumentException($"Expected {OutputChannels} biases, got {bias.Length}.", nameof(bias));
        ReferenceArguments.ZeroPoint(inputZeroPoint, inputType, nameof(inputZeroPoint));
        if (requantized)
        {
            ReferenceArguments.Scale(inputScale, nameof(inputScale));
            ReferenceArguments.Scale(outputScale, nameof(outputScale));
            ReferenceArguments.ZeroPoint(outputZeroPoint, OutputType, nameof(outputZeroPoint));
            QuantizationMath.ActivationRange(activation, outputScale, outputZeroPoint, OutputType, out int min, out int max);
            OutputMin = min;
            OutputMax = max;
        }
        else
        {
            OutputMin = int.MinValue;
            OutputMax = int.MaxValue;
        }

        InputHeight = inputHeight;
        InputWidth = inputWidth;
        Channels = channels;
        DepthMultiplier = depthMultiplier;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        InputType = inputType;
        InputScale = inputScale;
        InputZeroPoint = inputZeroPoint;
        WeightType = weightType;
        Weights = weights;
        WeightScales = weightScales;
        WeightZeroPoints = weightZeroPoints;
        Bias = bias;
        OutputScale = outputScale;
        OutputZeroPoint = outputZeroPoint;
        Activation = activation;
        Scheme = scheme;
    }

    /// <summary>Input rows.</summary>
    public int InputHeight { get; }
    /// <summary>Input columns.</summary>
    public int InputWidth { get; }
    /// <summary>Input channels.</summary>
    public int Channels { get; }
    /// <summary>Filters per input channel.</summary>
    public int DepthMultiplier { get; }
    /// <summary>Output channels: channels * depthMultiplier.</summary>
    public int OutputChannels { get; }
    /// <summary>Kernel rows.</summary>
    public int KernelHeight { get; }
    /// <summary>Kernel columns.</summary>
    public int KernelWidth { get; }
    /// <summary>Stride {height, width}.</summary>
    public int[] Strides { get; }
    /// <summary>Dilation {height, width}.</summary>
    public int[] Dilations { get; }
    /// <summary>Padding {top, left, bottom, right}.</summary>
    public int[] Pads { get; }
    /// <summary>Output rows.</summary>
    public int OutputHeight { get; }
    /// <summary>Output columns.</summary>
    public int OutputWidth { get; }
    /// <summary>Type of the input.</summary>
    public QuantType InputType { get; }
    /// <summary>Input scale.</summary>
    public float InputScale { get; }
    /// <summary>Input zero point.</summary>
    public int InputZeroPoint { get; }
    /// <summary>Weight type.</summary>
    public QuantType WeightType { get; }
    /// <summary>Raw weight bytes, [kernelHeight, kernelWidth, channels * depthMultiplier].</summary>
    public byte[] Weights { get; }
    /// <summary>Weight scales (1 or outputChannels).</summary>
    public float[] WeightScales { get; }
    /// <summary>Weight zero points (1 or outputChannels).</summary>
    public int[] WeightZeroPoints { get; }
    /// <summary>Bias or null.</summary>
    public int[]? Bias { get; }
    /// <summary>Output scale.</summary>
    public float OutputScale { get; }
    /// <summary>Output zero point.</summary>
    public int OutputZeroPoint { get; }
    /// <summary>Fused activation.</summary>
    public Activation Activation { get; }
    /// <summary>True when the weight scales are per output channel.</summary>
    public bool PerChannelScales { get; }
    /// <summary>How the accumulators are requantized.</summary>
    public RequantizationScheme Scheme { get; }
    /// <summary>Type of the output: UInt8, Int8, or Int32 (raw accumulators).</summary>
    public QuantType OutputType { get; }
    /// <summary>Lower clamp bound of the output (the activation range; int.MinValue for Int32).</summary>
    public int OutputMin { get; }
    /// <summary>Upper clamp bound of the output (the activation range; int.MaxValue for Int32).</summary>
    public int OutputMax { get; }
    /// <summary>Bytes of the input for one image: inputHeight * inputWidth * channels.</summary>
    public int InputBytes { get; }

    /// <inheritdoc/>
    public int OutputBytes { get; }

    /// <inheritdoc/>
    public void Run(IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        byte[] input = ReferenceArguments.SingleInput(inputs, InputBytes, output.Length, OutputBytes, "DepthwiseConv2D");
        for (int y = 0; y < OutputHeight; y++)
        {
            for (int x = 0; x < OutputWidth; x++)
            {
                for (int c = 0; c < Channels; c++)
                {
                    for (int m = 0; m < DepthMultiplier; m++)
                    {
                        int o = c * DepthMultiplier + m;
                        int weightZeroPoint = WeightZeroPoints[WeightZeroPoints.Length == 1 ? 0 : o];
                        int acc = 0;
                        for (int i = 0; i < KernelHeight; i++)
                        {
                            int inY = y * Strides[0] - Pads[0] + i * Dilations[0];
                            if (inY < 0 || inY >= InputHeight)
                                continue;   // padding: (z_in - z_in) * w = 0
                            for (int j = 0; j < KernelWidth; j++)
                            {
                                int inX = x * Strides[1] - Pads[1] + j * Dilations[1];
                                if (inX < 0 || inX >= InputWidth)
                                    continue;
                                int xv = ReferenceOps.Value(input[(inY * InputWidth + inX) * Channels + c], InputType) - InputZeroPoint;
                                int wv = ReferenceOps.Value(Weights[(i * KernelWidth + j) * OutputChannels + o], WeightType) - weightZeroPoint;
                                acc = unchecked(acc + xv * wv);
                            }
                        }
                        if (Bias is not null)
                            acc = unchecked(acc + Bias[o]);

                        int index = (y * OutputWidth + x) * OutputChannels + o;
                        if (OutputType == QuantType.Int32)
                        {
                            BinaryPrimitives.WriteInt32LittleEndian(output.Slice(4 * index), acc);
                            continue;
                        }
                        float weightScale = WeightScales[WeightScales.Length == 1 ? 0 : o];
                        output[index] = (byte)ReferenceOps.Requantize(acc, Scheme, InputScale, weightScale, OutputScale, PerChannelScales,
                            OutputZeroPoint, OutputMin, OutputMax);
                    }
                }
            }
        }
    }
}
