using System;

namespace KernelGen.Reference;

/// <summary>
/// One layer of a model in its declared, unfolded form, computed by plain loops with the published integer semantics.
/// Each op has one (<see cref="DenseReferenceLayer"/>, ...); <see cref="ReferenceOps.Model"/> chains them.
/// </summary>
public interface IReferenceLayer
{
    /// <summary>Values per input row.</summary>
    int Inputs { get; }

    /// <summary>Values per output row.</summary>
    int Outputs { get; }

    /// <summary>One row: <paramref name="input"/> holds <see cref="Inputs"/> raw values of the layer's input type,
    /// <paramref name="output"/> receives <see cref="Outputs"/>.</summary>
    void Run(ReadOnlySpan<byte> input, Span<byte> output);
}
