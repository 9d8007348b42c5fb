using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// A planned DepthwiseConv2D layer: its geometry with the padding resolved, the weights less their zero points in tap-major
/// order, the bias, and the requantization step.
/// </summary>
/// <param name="Pads">{top, left, bottom, right}, resolved from Padding or Pads.</param>
/// <param name="Weights">v = w - z_w per (tap, output channel): element tap * PaddedChannels + o, tap = i * KernelWidth + j;
/// padded channels hold 0. |v| &lt;= 255, so int16.</param>
/// <param name="Bias">Declared bias per output channel (0 without one), padded to whole blocks of 8.</param>
internal sealed record DepthwiseConv2DLayerPlan(
    int Index,
    string Name,
    string Identifier,
    EquatableArray<int> InputTensors,
    int OutputTensor,
    int InputHeight,
    int InputWidth,
    int Channels,
    int DepthMultiplier,
    int KernelHeight,
    int KernelWidth,
    int StrideHeight,
    int StrideWidth,
    int DilationHeight,
    int DilationWidth,
    EquatableArray<int> Pads,
    int OutputHeight,
    int OutputWidth,
    bool InputSigned,
    EquatableArray<short> Weights,
    EquatableArray<int> Bias,
    RequantizationPlan Requantization,
    DenseReferencePlan Reference)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor)
{
    public int OutputChannels => Channels * DepthMultiplier;

    public int PaddedChannels => (OutputChannels + 7) / 8 * 8;

    public int InputZeroPoint => Reference.InputZeroPoint;

    public int OutputElementBytes => Requantization.OutputType == QuantType.Int32 ? 4 : 1;
}
