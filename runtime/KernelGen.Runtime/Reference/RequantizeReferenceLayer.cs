using System;
using System.Collections.Generic;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>
/// [Requantize] as declared: every value through <see cref="Rescale.Apply"/> (TFLite's Requantize op in the fixed-point
/// scheme, ONNX DequantizeLinear then QuantizeLinear in the float scheme), saturated to the output type.
/// </summary>
public sealed class RequantizeReferenceLayer : IReferenceLayer
{
    /// <summary>Creates the layer over <paramref name="elements"/> values per image.</summary>
    public RequantizeReferenceLayer(
        int elements, QuantType inputType, float inputScale, int inputZeroPoint,
        QuantType outputType, float outputScale, int outputZeroPoint, RequantizationScheme scheme)
    {
        if (elements <= 0) throw new ArgumentOutOfRangeException(nameof(elements), elements, "Must be positive.");
        if (!QuantizationMath.IsEightBit(inputType)) throw new ArgumentOutOfRangeException(nameof(inputType), inputType, "UInt8 or Int8.");
        if (!QuantizationMath.IsEightBit(outputType)) throw new ArgumentOutOfRangeException(nameof(outputType), outputType, "UInt8 or Int8.");
        Elements = elements;
        InputType = inputType;
        InputScale = inputScale;
        InputZeroPoint = inputZeroPoint;
        OutputType = outputType;
        OutputScale = outputScale;
        OutputZeroPoint = outputZeroPoint;
        Scheme = scheme;
    }

    /// <summary>Values per image.</summary>
    public int Elements { get; }
    /// <summary>Input type.</summary>
    public QuantType InputType { get; }
    /// <summary>Input scale.</summary>
    public float InputScale { get; }
    /// <summary>Input zero point.</summary>
    public int InputZeroPoint { get; }
    /// <summary>Output type.</summary>
    public QuantType OutputType { get; }
    /// <summary>Output scale.</summary>
    public float OutputScale { get; }
    /// <summary>Output zero point.</summary>
    public int OutputZeroPoint { get; }
    /// <summary>The rescale's scheme.</summary>
    public RequantizationScheme Scheme { get; }

    /// <inheritdoc/>
    public int OutputBytes => Elements;

    /// <inheritdoc/>
    public void Run(IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        if (inputs is null || inputs.Count != 1 || inputs[0].Length != Elements)
            throw new ArgumentException($"A Requantize layer reads one tensor of {Elements} values.", nameof(inputs));
        if (output.Length != Elements)
            throw new ArgumentException($"Expected {Elements} outputs, got {output.Length}.", nameof(output));
        int min = QuantizationMath.TypeMin(OutputType), max = QuantizationMath.TypeMax(OutputType);
        for (int i = 0; i < Elements; i++)
        {
            int q = ReferenceOps.Value(inputs[0][i], InputType);
            output[i] = unchecked((byte)Rescale.Apply(q, Scheme, InputScale, InputZeroPoint, OutputScale, OutputZeroPoint, min, max));
        }
    }
}
