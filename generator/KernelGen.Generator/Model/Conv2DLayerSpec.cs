namespace KernelGen.Generator.Model;

/// <summary>[Conv2D]: a 2-D convolution over an NHWC feature map (with OutputType Int32: ConvInteger). Values as written.</summary>
/// <param name="Strides">{height, width} as written, or null for {1, 1}.</param>
/// <param name="Dilations">{height, width} as written, or null for {1, 1}.</param>
/// <param name="Pads">{top, left, bottom, right} as written, or null for <paramref name="Padding"/>.</param>
/// <param name="Padding">The Padding argument (an int: undefined values are kept and reported).</param>
internal sealed record Conv2DLayerSpec(
    int Index,
    string Name,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments,
    EquatableArray<string> InputNames,
    int OutputChannels,
    int KernelHeight,
    int KernelWidth,
    EquatableArray<int>? Strides,
    EquatableArray<int>? Dilations,
    int Padding,
    EquatableArray<int>? Pads,
    int Groups,
    WeightSpec Weights)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => "Conv2D";

    /// <summary>Where the input was named: the Input argument, else the attribute (the constructor arguments are sizes).</summary>
    public override LocationInfo? InputLocation(int i) => ArgumentLookup.Find(Arguments, "Input") ?? Location;

    public override System.Collections.Generic.IEnumerable<ConstantSource> Constants()
    {
        yield return Weights.Values;
        yield return Weights.Bias;
    }
}
