namespace KernelGen.Generator.Model;

/// <summary>[Add(first, second)]: elementwise sum of two tensors (TFLite Add; ONNX QLinearAdd in the float scheme).</summary>
internal sealed record AddLayerSpec(
    int Index, string Name, LocationInfo? Location, EquatableArray<ArgumentLocation> Arguments, EquatableArray<string> InputNames,
    float OutputScale, int OutputZeroPoint, Activation Activation)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => "Add";

    /// <summary>The i-th constructor argument.</summary>
    public override LocationInfo? InputLocation(int i) => LocationOf("#" + i);
}
