using System;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// A Dense layer in its declared, unfolded form: raw weights, zero points and float scales. The reference computes from
/// these directly, so it shares nothing with the generator's folding or packing.
/// </summary>
public sealed class DenseReferenceLayer : IReferenceLayer
{
    /// <summary>Creates a layer; scales and zero points are per tensor (length 1) or per output channel (length outputs).</summary>
    /// <param name="inputs">K.</param>
    /// <param name="outputs">N.</param>
    /// <param name="activationType">Type of this layer's input and output.</param>
    /// <param name="inputScale">Scale of the input.</param>
    /// <param name="inputZeroPoint">Zero point of the input.</param>
    /// <param name="weightType">Int8 or UInt8.</param>
    /// <param name="weights">Row-major [outputs, inputs] weights as raw bytes (int8 weights reinterpreted).</param>
    /// <param name="weightScales">One scale, or one per output.</param>
    /// <param name="weightZeroPoints">One zero point, or one per output.</param>
    /// <param name="bias">One int32 per output, or null for none.</param>
    /// <param name="outputScale">Scale of the output.</param>
    /// <param name="outputZeroPoint">Zero point of the output.</param>
    /// <param name="activation">Activation folded into the clamp.</param>
    /// <param name="perChannelScales">Whether the scales were declared per channel (decides how the multiplier is
    /// computed, see <see cref="QuantizationMath.RequantizationMultiplier"/>); default: more than one scale.</param>
    /// <param name="scheme">How the accumulators are requantized.</param>
    /// <param name="outputType">Type of the output: UInt8 or Int8 (default: the input's type), or Int32 for the raw
    /// accumulators with no requantization (ONNX MatMulInteger; the output scale, zero point and activation are then unused).</param>
    public DenseReferenceLayer(
        int inputs, int outputs, QuantType activationType, float inputScale, int inputZeroPoint,
        QuantType weightType, byte[] weights, float[] weightScales, int[] weightZeroPoints, int[]? bias,
        float outputScale, int outputZeroPoint, Activation activation, bool? perChannelScales = null,
        RequantizationScheme scheme = RequantizationScheme.FixedPoint, QuantType? outputType = null)
    {
        if (inputs <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "Must be positive.");
        if (outputs <= 0) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "Must be positive.");
        if (!QuantizationMath.IsEightBit(activationType)) throw new ArgumentOutOfRangeException(nameof(activationType), activationType, "Activations are UInt8 or Int8.");
        if (!QuantizationMath.IsEightBit(weightType)) throw new ArgumentOutOfRangeException(nameof(weightType), weightType, "Weights are UInt8 or Int8.");
        if (weights is null || weights.Length != inputs * outputs)
            throw new ArgumentException($"Expected {inputs * outputs} weights, got {weights?.Length ?? 0}.", nameof(weights));
        if (weightScales is null || (weightScales.Length != 1 && weightScales.Length != outputs))
            throw new ArgumentException($"Expected 1 or {outputs} weight scales.", nameof(weightScales));
        if (weightZeroPoints is null || (weightZeroPoints.Length != 1 && weightZeroPoints.Length != outputs))
            throw new ArgumentException($"Expected 1 or {outputs} weight zero points.", nameof(weightZeroPoints));
        if (outputType is { } o && o != QuantType.Int32 && !QuantizationMath.IsEightBit(o))
            throw new ArgumentOutOfRangeException(nameof(outputType), outputType, "Outputs are UInt8, Int8 or Int32.");
        if (bias is not null && bias.Length != outputs)
            throw new ArgumentException($"Expected {outputs} biases, got {bias.Length}.", nameof(bias));

        Inputs = inputs;
        Outputs = outputs;
        ActivationType = activationType;
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
        PerChannelScales = perChannelScales ?? weightScales.Length > 1;
        Scheme = scheme;
        OutputType = outputType ?? activationType;
        if (!PerChannelScales && weightScales.Length != 1)
            throw new ArgumentException("Per-tensor scales need exactly one scale.", nameof(perChannelScales));
    }

    /// <summary>K.</summary>
    public int Inputs { get; }
    /// <summary>N.</summary>
    public int Outputs { get; }
    /// <summary>Type of the input.</summary>
    public QuantType ActivationType { get; }
    /// <summary>Type of the output: UInt8, Int8, or Int32 (raw accumulators).</summary>
    public QuantType OutputType { get; }
    /// <summary>How the accumulators are requantized.</summary>
    public RequantizationScheme Scheme { get; }
    /// <summary>Input scale.</summary>
    public float InputScale { get; }
    /// <summary>Input zero point.</summary>
    public int InputZeroPoint { get; }
    /// <summary>Weight type.</summary>
    public QuantType WeightType { get; }
    /// <summary>Raw weight bytes, row-major [outputs, inputs].</summary>
    public byte[] Weights { get; }
    /// <summary>Weight scales (1 or N).</summary>
    public float[] WeightScales { get; }
    /// <summary>Weight zero points (1 or N).</summary>
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

    /// <inheritdoc/>
    public int OutputBytes => OutputType == QuantType.Int32 ? 4 * Outputs : Outputs;

    /// <inheritdoc/>
    public void Run(System.Collections.Generic.IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        if (inputs is null || inputs.Count != 1)
            throw new ArgumentException("A Dense layer reads one tensor.", nameof(inputs));
        ReferenceOps.Dense(this, inputs[0], output);
    }
}
