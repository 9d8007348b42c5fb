using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// A planned pool ([MaxPool], [AveragePool], [GlobalAveragePool] as an average over a window of the whole map): the
/// geometry, and the rescale folded into a 256-entry table (empty when the output keeps the input's quantization).
/// </summary>
/// <param name="Table">Output byte per input byte (the raw bits of the pooled value, the index for both types), with the
/// rescale and the clamp applied; empty: no rescale, the pooled value is clamped to [ClampMin, ClampMax].</param>
/// <param name="FloatDivision">True when the average's division is done in float (proven exact for the layer's sums),
/// false when in double.</param>
internal sealed record PoolLayerPlan(
    int Index,
    string Name,
    string Identifier,
    EquatableArray<int> InputTensors,
    int OutputTensor,
    PoolKind Kind,
    int Height,
    int Width,
    int Channels,
    int WindowHeight,
    int WindowWidth,
    int StrideHeight,
    int StrideWidth,
    int PadTop,
    int PadLeft,
    int PadBottom,
    int PadRight,
    int OutputHeight,
    int OutputWidth,
    bool Signed,
    EquatableArray<byte> Table,
    int ClampMin,
    int ClampMax,
    float InputScale,
    int InputZeroPoint,
    float OutputScale,
    int OutputZeroPoint,
    Activation Activation,
    RequantizationScheme Scheme,
    bool FloatDivision)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor)
{
    public bool Rescaled => Table.Length != 0;

    public bool IsAverage => Kind != PoolKind.Max;
}
