namespace KernelGen.Generator.Model;

/// <summary>The model's input: the [QuantizedModel] attribute.</summary>
internal sealed record InputSpec(
    int Size,
    QuantType ActivationType,
    float Scale,
    int ZeroPoint,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments)
{
    public LocationInfo? LocationOf(string argument) => ArgumentLookup.Find(Arguments, argument) ?? Location;
}
