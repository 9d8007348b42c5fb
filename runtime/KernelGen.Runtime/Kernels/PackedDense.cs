using System;

namespace KernelGen.Kernels;

/// <summary>
/// The compile-time constants of one Dense layer as the generator folded them, in the layout the SIMD kernels read
/// (<see cref="DensePacking"/>). The generated scalar path hands this to <see cref="ScalarDense"/>; it costs no allocation.
/// </summary>
public readonly ref struct PackedDense
{
    /// <summary>Creates the view. Spans are indexed by padded column (<see cref="DensePacking.PaddedOutputs"/>).</summary>
    public PackedDense(
        int inputs,
        int outputs,
        bool inputSigned,
        ReadOnlySpan<sbyte> weights,
        ReadOnlySpan<int> foldedBias,
        ReadOnlySpan<int> weightZeroPoints,
        PackedRequantization requantization)
    {
        Inputs = inputs;
        Outputs = outputs;
        InputSigned = inputSigned;
        Weights = weights;
        FoldedBias = foldedBias;
        WeightZeroPoints = weightZeroPoints;
        Requantization = requantization;
    }

    /// <summary>K: values read per row.</summary>
    public int Inputs { get; }

    /// <summary>N: values written per row.</summary>
    public int Outputs { get; }

    /// <summary>True for int8 activations: the kernel reads x ^ 0x80 (= x + 128) as its uint8 operand.</summary>
    public bool InputSigned { get; }

    /// <summary>Packed int8 weight operand v (int8 weights as they are, uint8 weights minus 128).</summary>
    public ReadOnlySpan<sbyte> Weights { get; }

    /// <summary>c_j = bias_j - z_in' * Σ_k v_jk + K * z_in' * z_w'_j, with z_in' the zero point of the uint8 operand.</summary>
    public ReadOnlySpan<int> FoldedBias { get; }

    /// <summary>z_w'_j, the weight zero point in the packed operand's terms; empty when every one is 0.</summary>
    public ReadOnlySpan<int> WeightZeroPoints { get; }

    /// <summary>The requantization step (or none, for Int32 outputs).</summary>
    public PackedRequantization Requantization { get; }
}
