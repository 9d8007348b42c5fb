using System;
using System.Collections.Generic;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// An elementwise Add of two tensors with the same element count and 8-bit type, each with its own scale and zero
/// point, in the declared, unfolded form: the constants come from <see cref="AddParameters"/> and each element from
/// <see cref="AddParameters.Apply"/> (TFLite's quantized Add under <see cref="RequantizationScheme.FixedPoint"/>,
/// ONNX Runtime's QLinearAdd under <see cref="RequantizationScheme.Float"/>).
/// </summary>
public sealed class AddReferenceLayer : IReferenceLayer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="elements">Values in each input and in the output (H * W * C for a feature map).</param>
    /// <param name="type">Type of both inputs and the output: UInt8 or Int8.</param>
    /// <param name="input1Scale">Scale of the first input.</param>
    /// <param name="input1ZeroPoint">Zero point of the first input.</param>
    /// <param name="input2Scale">Scale of the second input.</param>
    /// <param name="input2ZeroPoint">Zero point of the second input.</param>
    /// <param name="outputScale">Scale of the output.</param>
    /// <param name="outputZeroPoint">Zero point of the output.</param>
    /// <param name="activation">Activation folded into the clamp.</param>
    /// <param name="scheme">Which arithmetic.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="elements"/> is not positive, or the parameters are
    /// rejected by <see cref="AddParameters(QuantType, float, int, float, int, float, int, Activation, RequantizationScheme)"/>.</exception>
    public AddReferenceLayer(
        int elements, QuantType type, float input1Scale, int input1ZeroPoint, float input2Scale, int input2ZeroPoint,
        float outputScale, int outputZeroPoint, Activation activation = Activation.None,
        RequantizationScheme scheme = RequantizationScheme.FixedPoint)
    {
        if (elements <= 0) throw new ArgumentOutOfRangeException(nameof(elements), elements, "Must be positive.");
        Parameters = new AddParameters(type, input1Scale, input1ZeroPoint, input2Scale, input2ZeroPoint, outputScale, outputZeroPoint,
            activation, scheme);
        Elements = elements;
    }

    /// <summary>Values in each input and in the output.</summary>
    public int Elements { get; }

    /// <summary>Type of the inputs and the output.</summary>
    public QuantType Type => Parameters.Type;

    /// <summary>How the sum is requantized.</summary>
    public RequantizationScheme Scheme => Parameters.Scheme;

    /// <summary>Fused activation.</summary>
    public Activation Activation => Parameters.Activation;

    /// <summary>The derived constants (multipliers and shifts, clamp bounds) and the declared scales and zero points.</summary>
    public AddParameters Parameters { get; }

    /// <inheritdoc/>
    public int OutputBytes => Elements;

    /// <inheritdoc/>
    public void Run(IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        if (inputs is null || inputs.Count != 2)
            throw new ArgumentException("An Add layer reads two tensors.", nameof(inputs));
        byte[] first = inputs[0] ?? throw new ArgumentException("The first input is null.", nameof(inputs));
        byte[] second = inputs[1] ?? throw new ArgumentException("The second input is null.", nameof(inputs));
        if (first.Length != Elements || second.Length != Elements)
            throw new ArgumentException($"Expected two inputs of {Elements} values, got {first.Length} and {second.Length}.", nameof(inputs));
        if (output.Length != Elements)
            throw new ArgumentException($"Expected {Elements} output bytes, got {output.Length}.", nameof(output));

        QuantType type = Parameters.Type;
        for (int i = 0; i < Elements; i++)
            output[i] = (byte)Parameters.Apply(ReferenceOps.Value(first[i], type), ReferenceOps.Value(second[i], type));
    }
}
