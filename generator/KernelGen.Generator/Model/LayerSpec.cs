namespace KernelGen.Generator.Model;

/// <summary>One layer attribute. Each op adds a record deriving from this, a planning rule and an emitter.</summary>
/// <param name="InputNames">The tensors the layer reads, as written ("input" or earlier layers' names); empty: the
/// previous layer's output (the model input for the first layer).</param>
internal abstract record LayerSpec(
    int Index, string Name, LocationInfo? Location, EquatableArray<ArgumentLocation> Arguments, EquatableArray<string> InputNames)
{
    /// <summary>The op as written in the attribute's name, for messages.</summary>
    public abstract string Op { get; }

    /// <summary>How messages name this layer, e.g. "Dense layer 'fc1'".</summary>
    public string DisplayName => $"{Op} layer '{Name}'";

    public LocationInfo? LocationOf(string argument) => ArgumentLookup.Find(Arguments, argument) ?? Location;

    /// <summary>True when the attribute sets <paramref name="argument"/> (a named argument, or "#i" for a constructor one).</summary>
    public bool Has(string argument) => ArgumentLookup.Find(Arguments, argument) is not null;

    /// <summary>Where the i-th input name was written: the Input argument or the i-th constructor argument.</summary>
    public virtual LocationInfo? InputLocation(int i) => ArgumentLookup.Find(Arguments, "Input") ?? LocationOf("#" + i);

    /// <summary>
    /// This layer declared with another output quantization instead, for the graph pass that folds a following
    /// [Requantize] into it (null: the op cannot take it, e.g. it has no requantization step of its own).
    /// </summary>
    public virtual LayerSpec? WithOutput(float scale, int zeroPoint, QuantType? type) => null;

    /// <summary>
    /// This layer with <paramref name="activation"/> fused into its output clamp, for the graph pass that fuses a following
    /// [Relu] / [Relu6] (null: the op has no output clamp of its own).
    /// </summary>
    public virtual LayerSpec? WithActivation(Activation activation) => null;

    /// <summary>The layer's constant tensors (weights, bias, ...); none by default.</summary>
    public virtual System.Collections.Generic.IEnumerable<ConstantSource> Constants()
    {
        yield break;
    }
}
