namespace KernelGen.Generator.Model;

/// <summary>[DepthwiseConv2D]: a depthwise 2-D convolution (with OutputType Int32: ConvInteger with group = channels).</summary>
/// <param name="Strides">As written ({height, width}), or null for {1, 1}.</param>
/// <param name="Dilations">As written ({height, width}), or null for {1, 1}.</param>
/// <param name="Padding">The Padding enum value as written (Valid 0, Same 1); ignored when <paramref name="Pads"/> is set.</param>
/// <param name="Pads">As written ({top, left, bottom, right}), or null.</param>
internal sealed record DepthwiseConv2DLayerSpec(
    int Index,
    string Name,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments,
    EquatableArray<string> InputNames,
    int KernelHeight,
    int KernelWidth,
    int DepthMultiplier,
    EquatableArray<int>? Strides,
    EquatableArray<int>? Dilations,
    int Padding,
    EquatableArray<int>? Pads,
    WeightSpec Weights)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => "DepthwiseConv2D";

    public override System.Collections.Generic.IEnumerable<ConstantSource> Constants()
    {
        yield return Weights.Values;
        yield return Weights.Bias;
    }
}
