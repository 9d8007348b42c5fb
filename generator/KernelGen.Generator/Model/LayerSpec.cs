namespace KernelGen.Generator.Model;

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
