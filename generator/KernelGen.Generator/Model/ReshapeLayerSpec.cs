namespace KernelGen.Generator.Model;

/// <summary>[Reshape(shape...)] and [Flatten]: the same values under a new shape.</summary>
/// <param name="Shape">The new shape as written; empty for Flatten (a vector of every value).</param>
/// <param name="IsFlatten">True for [Flatten].</param>
internal sealed record ReshapeLayerSpec(
    int Index, string Name, LocationInfo? Location, EquatableArray<ArgumentLocation> Arguments, EquatableArray<string> InputNames,
    EquatableArray<int> Shape, bool IsFlatten)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => IsFlatten ? "Flatten" : "Reshape";
}
