using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// A planned Conv2D layer: the geometry (all known at compile time), one packed GEMM operand per group, the folded bias,
/// the requantization step and the dot-product choice. The constant tables (bias, weight zero points, requantization)
/// hold <see cref="TableColumns"/> columns per group, each group's padded to whole blocks of 8.
/// </summary>
/// <param name="Pads">{top, left, bottom, right}, resolved (Same computed, explicit as written).</param>
/// <param name="PackedWeights">Per group, the <see cref="KernelGen.Kernels.DensePacking"/> operand of K = kh * kw * C / groups
/// inputs and OC / groups outputs, groups one after another.</param>
internal sealed record Conv2DLayerPlan(
    int Index,
    string Name,
    string Identifier,
    EquatableArray<int> InputTensors,
    int OutputTensor,
    int InputHeight,
    int InputWidth,
    int InputChannels,
    int OutputHeight,
    int OutputWidth,
    int OutputChannels,
    int KernelHeight,
    int KernelWidth,
    int StrideHeight,
    int StrideWidth,
    int DilationHeight,
    int DilationWidth,
    EquatableArray<int> Pads,
    int Groups,
    bool InputSigned,
    int InputZeroPoint,
    EquatableArray<sbyte> PackedWeights,
    EquatableArray<int> FoldedBias,
    EquatableArray<int> WeightZeroPoints,
    bool UniformWeightZeroPoint,
    RequantizationPlan Requantization,
    WeightOperand Operand,
    string SaturationProof,
    DenseReferencePlan Reference)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor)
{
    /// <summary>Input channels per group.</summary>
    public int GroupInputs => InputChannels / Groups;

    /// <summary>Output channels per group: the outputs of one GEMM row.</summary>
    public int GroupOutputs => OutputChannels / Groups;

    /// <summary>K: the bytes of one receptive field of one group.</summary>
    public int RowInputs => KernelHeight * KernelWidth * GroupInputs;

    /// <summary>Table columns per group: the group's outputs padded to whole blocks.</summary>
    public int TableColumns => KernelGen.Kernels.DensePacking.PaddedOutputs(GroupOutputs);

    /// <summary>Packed bytes per group.</summary>
    public int GroupPackedBytes => KernelGen.Kernels.DensePacking.PackedLength(RowInputs, GroupOutputs);

    public bool HasWeightZeroPoints => WeightZeroPoints.Length != 0;

    public bool HasPadding => Pads[0] != 0 || Pads[1] != 0 || Pads[2] != 0 || Pads[3] != 0;

    /// <summary>True when every receptive field is already one contiguous row of the input: a 1x1 kernel with no
    /// padding (any stride); the group's channels of the input pixel are the row.</summary>
    public bool DirectRows => KernelHeight == 1 && KernelWidth == 1 && !HasPadding;

    /// <summary>One gathered receptive field, unless the rows are read in place.</summary>
    public override int WorkspaceBytes => ContiguousRows ? 0 : GemmBlocking.MaxRows * RowInputs;

    /// <summary>1x1, unpadded, stride 1: the GEMM rows of consecutive output pixels are consecutive input pixels, read in
    /// place (InputChannels bytes apart). Any other convolution gathers a block of pixels' receptive fields into its
    /// workspace, one row of <see cref="RowInputs"/> bytes per pixel.</summary>
    public bool ContiguousRows => DirectRows && StrideHeight == 1 && StrideWidth == 1;

    public int OutputElementBytes => Requantization.OutputType == QuantType.Int32 ? 4 : 1;
}
