namespace KernelGen.Generator.Model;

/// <summary>[Dequantize]: ONNX DequantizeLinear of an 8-bit or int32 tensor to float.</summary>
internal sealed record DequantizeLayerSpec(
    int Index, string Name, LocationInfo? Location, EquatableArray<ArgumentLocation> Arguments, EquatableArray<string> InputNames)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => "Dequantize";
}
