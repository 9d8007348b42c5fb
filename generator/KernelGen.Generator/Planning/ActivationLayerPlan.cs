using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>A standalone activation that could not be fused into its producer: a clamp to [Min, Max].</summary>
internal sealed record ActivationLayerPlan(
    int Index,
    string Name,
    string Identifier,
    EquatableArray<int> InputTensors,
    int OutputTensor,
    int Elements,
    QuantType Type,
    float Scale,
    int ZeroPoint,
    Activation Kind,
    int Min,
    int Max)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor);
