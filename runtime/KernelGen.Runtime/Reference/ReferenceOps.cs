using System;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// Plain loops with the published integer semantics (TFLite reference_integer_ops FullyConnected and its per-channel
/// variant), computed from the declared parameters. Generated kernels are tested bit-for-bit against these.
/// </summary>
public static class ReferenceOps
{
    /// <summary>One Dense row: <paramref name="input"/> holds K raw values of the layer's activation type.</summary>
    public static void Dense(DenseReferenceLayer layer, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length != layer.Inputs)
            throw new ArgumentException($"Expected {layer.Inputs} inputs, got {input.Length}.", nameof(input));
        if (output.Length != (layer.OutputType == QuantType.Int32 ? 4 * layer.Outputs : layer.Outputs))
            throw new ArgumentException(layer.OutputType == QuantType.Int32
                ? $"Expected {layer.Outputs} Int32 outputs ({4 * layer.Outputs} bytes), got {output.Length} bytes."
                : $"Expected {layer.Outputs} outputs, got {output.Length}.", nameof(output));

        bool integerOnly = layer.OutputType == QuantType.Int32;
        int min = 0, max = 0;
        if (!integerOnly)
            QuantizationMath.ActivationRange(layer.Activation, layer.OutputScale, layer.OutputZeroPoint, layer.OutputType, out min, out max);
        for (int j = 0; j < layer.Outputs; j++)
        {
            int weightZeroPoint = layer.WeightZeroPoints[layer.WeightZeroPoints.Length == 1 ? 0 : j];
            int acc = 0;
            for (int k = 0; k < layer.Inputs; k++)
            {
                int x = Value(input[k], layer.ActivationType) - layer.InputZeroPoint;
                int w = Value(layer.Weights[j * layer.Inputs + k], layer.WeightType) - weightZeroPoint;
                acc = unchecked(acc + x * w);
            }
            if (layer.Bias is not null)
                acc = unchecked(acc + layer.Bias[j]);

            if (integerOnly)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(output.Slice(4 * j), acc);
                continue;
            }
            float weightScale = layer.WeightScales[layer.WeightScales.Length == 1 ? 0 : j];
            output[j] = (byte)Requantize(acc, layer.Scheme, layer.InputScale, weightScale, layer.OutputScale, layer.PerChannelScales,
                layer.OutputZeroPoint, min, max);
        }
    }

    /// <summary>
    /// Runs <paramref name="model"/> over a batch: <paramref name="input"/> holds whole images of
    /// <see cref="ReferenceModel.InputBytes"/> bytes, <paramref name="output"/> receives the last node's output for each.
    /// Allocates every intermediate tensor; not for production use.
    /// </summary>
    public static void Model(ReferenceModel model, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (model is null)
            throw new ArgumentNullException(nameof(model));
        int inputBytes = model.InputBytes;
        int outputBytes = model.OutputBytes;
        int rows = KernelGuard.BatchRows(input.Length, inputBytes, output.Length, outputBytes);
        var tensors = new byte[model.Nodes.Length + 1][];
        for (int r = 0; r < rows; r++)
        {
            tensors[0] = input.Slice(r * inputBytes, inputBytes).ToArray();
            for (int i = 0; i < model.Nodes.Length; i++)
            {
                ReferenceNode node = model.Nodes[i];
                var inputs = new byte[node.Inputs.Length][];
                for (int t = 0; t < inputs.Length; t++)
                    inputs[t] = tensors[node.Inputs[t]];
                tensors[i + 1] = new byte[node.Layer.OutputBytes];
                node.Layer.Run(inputs, tensors[i + 1]);
            }
            tensors[model.Nodes.Length].CopyTo(output.Slice(r * outputBytes, outputBytes));
        }
    }

    /// <summary>Runs a chain of layers (each reading the previous one's output) over a batch of <paramref name="inputBytes"/>-byte images.</summary>
    public static void Model(int inputBytes, IReferenceLayer[] layers, ReadOnlySpan<byte> input, Span<byte> output)
        => Model(ReferenceModel.Chain(inputBytes, layers), input, output);

    /// <summary>
    /// Requantizes one accumulator from the declared scales, in the chosen scheme: TFLite's MultiplyByQuantizedMultiplier with
    /// the multiplier computed as TFLite computes it, or ONNX Runtime's float requantization. Clamped to [min, max].
    /// </summary>
    public static int Requantize(
        int acc, RequantizationScheme scheme, float inputScale, float weightScale, float outputScale, bool perChannelScales,
        int outputZeroPoint, int min, int max)
    {
        if (scheme == RequantizationScheme.Float)
        {
            float scale = QuantizationMath.FloatRequantizationScale(inputScale, weightScale, outputScale);
            return FloatRequantization.Apply(acc, scale, outputZeroPoint, min, max);
        }
        QuantizationMath.QuantizeMultiplier(
            QuantizationMath.RequantizationMultiplier(inputScale, weightScale, outputScale, perChannelScales),
            out int multiplier, out int shift);
        int q = FixedPoint.MultiplyByQuantizedMultiplier(acc, multiplier, shift) + outputZeroPoint;
        return Math.Clamp(q, min, max);
    }

    /// <summary>A raw 8-bit value as the integer it stands for.</summary>
    public static int Value(byte raw, QuantType type) => type == QuantType.Int8 ? (sbyte)raw : raw;
}
