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
        if (output.Length != layer.Outputs)
            throw new ArgumentException($"Expected {layer.Outputs} outputs, got {output.Length}.", nameof(output));

        QuantizationMath.ActivationRange(layer.Activation, layer.OutputScale, layer.OutputZeroPoint, layer.ActivationType, out int min, out int max);
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

            float weightScale = layer.WeightScales[layer.WeightScales.Length == 1 ? 0 : j];
            QuantizationMath.QuantizeMultiplier(
                QuantizationMath.RequantizationMultiplier(layer.InputScale, weightScale, layer.OutputScale, layer.PerChannelScales),
                out int multiplier, out int shift);
            int q = FixedPoint.MultiplyByQuantizedMultiplier(acc, multiplier, shift) + layer.OutputZeroPoint;
            q = Math.Clamp(q, min, max);
            output[j] = (byte)q;
        }
    }

    /// <summary>
    /// Runs <paramref name="layers"/> in order over a batch: <paramref name="input"/> holds whole rows of the first layer's
    /// inputs, <paramref name="output"/> the same rows of the last layer's outputs. Allocates its intermediate rows.
    /// </summary>
    public static void Model(IReferenceLayer[] layers, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (layers is null || layers.Length == 0)
            throw new ArgumentException("A model needs at least one layer.", nameof(layers));
        int inputSize = layers[0].Inputs;
        int outputSize = layers[layers.Length - 1].Outputs;
        int rows = KernelGuard.BatchRows(input.Length, inputSize, output.Length, outputSize);
        for (int r = 0; r < rows; r++)
        {
            byte[] current = input.Slice(r * inputSize, inputSize).ToArray();
            foreach (IReferenceLayer layer in layers)
            {
                byte[] next = new byte[layer.Outputs];
                layer.Run(current, next);
                current = next;
            }
            current.CopyTo(output.Slice(r * outputSize, outputSize));
        }
    }

    private static int Value(byte raw, QuantType type) => type == QuantType.Int8 ? (sbyte)raw : raw;
}
