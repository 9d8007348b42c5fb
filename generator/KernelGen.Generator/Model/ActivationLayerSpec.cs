namespace KernelGen.Generator.Model;

/// <summary>[Relu] or [Relu6]: a standalone activation.</summary>
internal sealed record ActivationLayerSpec(
    int Index,
    string Name,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments,
    EquatableArray<string> InputNames,
    Activation Kind)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => Kind == Activation.Relu6 ? "Relu6" : "Relu";
}
