namespace KernelGen.Generator.Model;

/// <summary>[Requantize]: one tensor moved to another scale and zero point.</summary>
/// <param name="OutputType">Null when not set: the input's type.</param>
internal sealed record RequantizeLayerSpec(
    int Index,
    string Name,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments,
    EquatableArray<string> InputNames,
    float OutputScale,
    int OutputZeroPoint,
    QuantType? OutputType)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => "Requantize";
}
