using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>A planned [Requantize] that could not be folded into its producer: a 256-entry table, folded at compile time.</summary>
/// <param name="Table">Output byte for each raw input byte.</param>
internal sealed record RequantizeLayerPlan(
    int Index,
    string Name,
    string Identifier,
    EquatableArray<int> InputTensors,
    int OutputTensor,
    int Elements,
    EquatableArray<byte> Table,
    QuantType InputType,
    float InputScale,
    int InputZeroPoint,
    QuantType OutputType,
    float OutputScale,
    int OutputZeroPoint,
    RequantizationScheme Scheme)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor);
