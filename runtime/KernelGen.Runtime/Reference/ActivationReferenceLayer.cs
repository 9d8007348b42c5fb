using System;
using System.Collections.Generic;
using KernelGen.Quantization;

namespace KernelGen.Reference;

/// <summary>A standalone ReLU or ReLU6 as declared: each value clamped to TFLite's activation range of its own scale and zero point.</summary>
public sealed class ActivationReferenceLayer : IReferenceLayer
{
    /// <summary>Creates the layer over <paramref name="elements"/> values of <paramref name="type"/>.</summary>
    public ActivationReferenceLayer(int elements, QuantType type, float scale, int zeroPoint, Activation activation)
    {
        if (elements <= 0) throw new ArgumentOutOfRangeException(nameof(elements), elements, "Must be positive.");
        if (!QuantizationMath.IsEightBit(type)) throw new ArgumentOutOfRangeException(nameof(type), type, "UInt8 or Int8.");
        Elements = elements;
        Type = type;
        Scale = scale;
        ZeroPoint = zeroPoint;
        Activation = activation;
    }

    /// <summary>Values per image.</summary>
    public int Elements { get; }
    /// <summary>Type of input and output.</summary>
    public QuantType Type { get; }
    /// <summary>Scale of input and output.</summary>
    public float Scale { get; }
    /// <summary>Zero point of input and output.</summary>
    public int ZeroPoint { get; }
    /// <summary>ReLU or ReLU6.</summary>
    public Activation Activation { get; }

    /// <inheritdoc/>
    public int OutputBytes => Elements;

    /// <inheritdoc/>
    public void Run(IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        if (inputs is null || inputs.Count != 1 || inputs[0].Length != Elements)
            throw new ArgumentException($"An activation layer reads one tensor of {Elements} values.", nameof(inputs));
        if (output.Length != Elements)
            throw new ArgumentException($"Expected {Elements} outputs, got {output.Length}.", nameof(output));
        QuantizationMath.ActivationRange(Activation, Scale, ZeroPoint, Type, out int min, out int max);
        for (int i = 0; i < Elements; i++)
            output[i] = unchecked((byte)Math.Clamp(ReferenceOps.Value(inputs[0][i], Type), min, max));
    }
}
