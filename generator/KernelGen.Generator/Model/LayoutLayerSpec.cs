namespace KernelGen.Generator.Model;

/// <summary>
/// An internal layout conversion the planner inserts at the edges of an NCHW model (no attribute declares it):
/// <paramref name="ToNhwc"/> true converts the NCHW model input to NHWC, false the NHWC output to NCHW.
/// </summary>
internal sealed record LayoutLayerSpec(int Index, string Name, LocationInfo? Location, bool ToNhwc)
    : LayerSpec(Index, Name, Location, EquatableArray<ArgumentLocation>.Empty, EquatableArray<string>.Empty)
{
    public override string Op => "Layout";
}
