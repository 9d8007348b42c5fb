namespace KernelGen.Generator.Model;

/// <summary>[Concat(inputs...)]: channel concatenation of feature maps (or of vectors).</summary>
/// <param name="OutputScale">Null when not set: the first input's.</param>
/// <param name="OutputZeroPoint">Null when not set: the first input's.</param>
internal sealed record ConcatLayerSpec(
    int Index, string Name, LocationInfo? Location, EquatableArray<ArgumentLocation> Arguments, EquatableArray<string> InputNames,
    float? OutputScale, int? OutputZeroPoint)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => "Concat";

    /// <summary>The i-th constructor argument (the whole array when it was written as one).</summary>
    public override LocationInfo? InputLocation(int i) => ArgumentLookup.Find(Arguments, "#" + i) ?? LocationOf("#0");
}
