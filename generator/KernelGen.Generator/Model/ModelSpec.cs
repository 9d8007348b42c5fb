namespace KernelGen.Generator.Model;

/// <summary>
/// A model class as declared: names, the input, the layers in declaration order, and what parsing could not accept.
/// Holds only strings, numbers and equatable arrays (no symbols or syntax), so unchanged declarations cache.
/// </summary>
internal sealed record ModelSpec(
    ModelDeclaration Declaration,
    LocationInfo? Location,
    InputSpec Input,
    EquatableArray<LayerSpec> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    public string ClassName => Declaration.Type.Name;

    /// <summary>The AdditionalFiles names the layers give (WeightsFile, BiasFile), as written.</summary>
    public System.Collections.Generic.IEnumerable<string> RequestedFiles()
    {
        foreach (LayerSpec layer in Layers)
        {
            foreach (ConstantSource source in layer.Constants())
            {
                if (source.FilePath is not null)
                    yield return source.FilePath;
            }
        }
    }

    /// <summary>The large array fields the layers read, whose values come from the per-tree constant reader.</summary>
    public System.Collections.Generic.IEnumerable<FieldKey> LargeFields()
    {
        foreach (LayerSpec layer in Layers)
        {
            foreach (ConstantSource source in layer.Constants())
            {
                if (source.LargeField is not null)
                    yield return source.LargeField;
            }
        }
    }
}

/// <summary>The model's input: the [QuantizedModel] attribute.</summary>
internal sealed record InputSpec(
    int Size,
    int ActivationType,
    float Scale,
    int ZeroPoint,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments)
{
    public LocationInfo? LocationOf(string argument) => ArgumentLookup.Find(Arguments, argument) ?? Location;
}

/// <summary>One layer attribute. Each op adds a record deriving from this, a planning rule and an emitter.</summary>
internal abstract record LayerSpec(int Index, string Name, LocationInfo? Location, EquatableArray<ArgumentLocation> Arguments)
{
    /// <summary>The op as written in the attribute's name, for messages.</summary>
    public abstract string Op { get; }

    /// <summary>How messages name this layer, e.g. "Dense layer 'fc1'".</summary>
    public string DisplayName => $"{Op} layer '{Name}'";

    public LocationInfo? LocationOf(string argument) => ArgumentLookup.Find(Arguments, argument) ?? Location;

    /// <summary>The layer's constant tensors (weights, bias, ...).</summary>
    public abstract System.Collections.Generic.IEnumerable<ConstantSource> Constants();
}

/// <summary>Where a tensor's constant values come from: a field of the model class or an AdditionalFiles item.</summary>
/// <param name="FieldName">Name given in the attribute, or null.</param>
/// <param name="FilePath">File path given in the attribute, or null.</param>
/// <param name="FieldValues">The field's constant values when the field was small and readable.</param>
/// <param name="LargeField">For a field of more than <see cref="LargeFieldThreshold"/> elements: the key under which the
/// per-tree constant reader finds its values (read from syntax, cached per file).</param>
internal sealed record ConstantSource(string? FieldName, string? FilePath, EquatableArray<int>? FieldValues, FieldKey? LargeField = null)
{
    /// <summary>Fields with more elements than this are read from syntax by the cached per-tree reader.</summary>
    public const int LargeFieldThreshold = 4096;

    public bool IsEmpty => FieldName is null && FilePath is null;

    public string Describe => FieldName is not null ? $"field '{FieldName}'" : $"file '{FilePath}'";
}

/// <summary>[Dense]: a fully connected layer.</summary>
internal sealed record DenseLayerSpec(
    int Index,
    string Name,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments,
    int Inputs,
    int Outputs,
    ConstantSource Weights,
    int WeightType,
    float? WeightScale,
    EquatableArray<float>? WeightScales,
    int? WeightZeroPoint,
    EquatableArray<int>? WeightZeroPoints,
    ConstantSource Bias,
    float OutputScale,
    int OutputZeroPoint,
    int Activation)
    : LayerSpec(Index, Name, Location, Arguments)
{
    public override string Op => "Dense";

    public override System.Collections.Generic.IEnumerable<ConstantSource> Constants()
    {
        yield return Weights;
        yield return Bias;
    }
}

internal static class ArgumentLookup
{
    public static LocationInfo? Find(EquatableArray<ArgumentLocation> arguments, string name)
    {
        foreach (ArgumentLocation argument in arguments)
        {
            if (argument.Name == name)
                return argument.Location;
        }
        return null;
    }
}
