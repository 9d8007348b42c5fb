using System;
using System.Collections.Generic;

namespace KernelGen.Reference;

/// <summary>
/// Reshape and Flatten: the same values in the same order under a new shape, so the output is a copy of the input's
/// bytes. Any element type (one byte per 8-bit value, four per int32 or float).
/// </summary>
public sealed class ReshapeReferenceLayer : IReferenceLayer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="elements">Values in the input and the output.</param>
    /// <param name="type">Element type, which fixes the bytes per value.</param>
    public ReshapeReferenceLayer(int elements, QuantType type)
    {
        if (elements <= 0) throw new ArgumentOutOfRangeException(nameof(elements), elements, "Must be positive.");
        int size = LayoutReferenceLayer.ElementBytes(type);
        if (elements > int.MaxValue / size)
            throw new ArgumentOutOfRangeException(nameof(elements), elements, "The tensor would exceed int.MaxValue bytes.");
        Elements = elements;
        Type = type;
    }

    /// <summary>Values in the input and the output.</summary>
    public int Elements { get; }
    /// <summary>Element type.</summary>
    public QuantType Type { get; }

    /// <inheritdoc/>
    public int OutputBytes => Elements * LayoutReferenceLayer.ElementBytes(Type);

    /// <inheritdoc/>
    public void Run(IReadOnlyList<byte[]> inputs, Span<byte> output)
    {
        if (inputs is null || inputs.Count != 1)
            throw new ArgumentException("A Reshape layer reads one tensor.", nameof(inputs));
        byte[] input = inputs[0];
        if (input is null || input.Length != OutputBytes)
            throw new ArgumentException($"Expected {OutputBytes} input bytes, got {input?.Length ?? 0}.", nameof(inputs));
        if (output.Length != OutputBytes)
            throw new ArgumentException($"Expected {OutputBytes} output bytes, got {output.Length}.", nameof(output));
        input.CopyTo(output);
    }
}
