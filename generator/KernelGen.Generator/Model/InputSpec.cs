namespace KernelGen.Generator.Model;

/// <summary>The model's input and model-wide options: the [QuantizedModel] attribute.</summary>
/// <param name="Size">Values per row (height * width * channels for a feature map).</param>
/// <param name="Shape">Empty for a vector input, else {height, width, channels} as written.</param>
internal sealed record InputSpec(
    int Size,
    EquatableArray<int> Shape,
    QuantType ActivationType,
    float Scale,
    int ZeroPoint,
    TensorLayout Layout,
    RequantizationScheme Scheme,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments)
{
    public LocationInfo? LocationOf(string argument) => ArgumentLookup.Find(Arguments, argument) ?? Location;
}
