namespace KernelGen.Generator.Model;

/// <summary>[Quantize]: ONNX QuantizeLinear of a float tensor.</summary>
internal sealed record QuantizeLayerSpec(
    int Index, string Name, LocationInfo? Location, EquatableArray<ArgumentLocation> Arguments, EquatableArray<string> InputNames,
    float Scale, int ZeroPoint, QuantType OutputType)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => "Quantize";
}
