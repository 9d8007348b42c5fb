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
        bool outputSigned,
        ReadOnlySpan<sbyte> weights,
        ReadOnlySpan<int> foldedBias,
        ReadOnlySpan<int> weightZeroPoints,
        ReadOnlySpan<int> multipliers,
        ReadOnlySpan<int> leftShifts,
        ReadOnlySpan<int> rightShifts,
        int outputZeroPoint,
        int clampMin,
        int clampMax)
    {
        Inputs = inputs;
        Outputs = outputs;
        InputSigned = inputSigned;
        OutputSigned = outputSigned;
        Weights = weights;
        FoldedBias = foldedBias;
        WeightZeroPoints = weightZeroPoints;
        Multipliers = multipliers;
        LeftShifts = leftShifts;
        RightShifts = rightShifts;
        OutputZeroPoint = outputZeroPoint;
        ClampMin = clampMin;
        ClampMax = clampMax;
    }

    /// <summary>K: values read per row.</summary>
    public int Inputs { get; }

    /// <summary>N: values written per row.</summary>
    public int Outputs { get; }

    /// <summary>True for int8 activations: the kernel reads x ^ 0x80 (= x + 128) as its uint8 operand.</summary>
    public bool InputSigned { get; }

    /// <summary>True when the output is int8.</summary>
    public bool OutputSigned { get; }

    /// <summary>Packed int8 weight operand v (int8 weights as they are, uint8 weights minus 128).</summary>
    public ReadOnlySpan<sbyte> Weights { get; }

    /// <summary>c_j = bias_j - z_in' * Σ_k v_jk + K * z_in' * z_w'_j, with z_in' the zero point of the uint8 operand.</summary>
    public ReadOnlySpan<int> FoldedBias { get; }

    /// <summary>z_w'_j, the weight zero point in the packed operand's terms; empty when every one is 0.</summary>
    public ReadOnlySpan<int> WeightZeroPoints { get; }

    /// <summary>Q31 multiplier per column.</summary>
    public ReadOnlySpan<int> Multipliers { get; }

    /// <summary>Left shift per column (multipliers above 1); empty when every one is 0.</summary>
    public ReadOnlySpan<int> LeftShifts { get; }

    /// <summary>Rounding right shift per column.</summary>
    public ReadOnlySpan<int> RightShifts { get; }

    /// <summary>Output zero point.</summary>
    public int OutputZeroPoint { get; }

    /// <summary>Lower clamp bound (type range and activation folded).</summary>
    public int ClampMin { get; }

    /// <summary>Upper clamp bound.</summary>
    public int ClampMax { get; }
}
