using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>A planned Reshape / Flatten: the output is the input's bytes, so the memory plan shares the buffer where it
/// can; where it cannot (the model input straight to the output) the step copies.</summary>
internal sealed record ReshapeLayerPlan(
    int Index, string Name, string Identifier, EquatableArray<int> InputTensors, int OutputTensor,
    int Elements, QuantType Type, int Bytes, string From, string To)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor)
{
    public override bool CanAliasInput => true;
}
