namespace KernelGen.Generator.Model;

/// <summary>One type declaration in the chain: its keyword (class, struct, record, record struct, interface), name and
/// type parameter names.</summary>
internal sealed record TypeShape(string Keyword, string Name, EquatableArray<string> TypeParameters)
{
    public string DisplayName => TypeParameters.Length == 0 ? Name : Name + "<" + string.Join(", ", TypeParameters) + ">";

    /// <summary>The hint-name segment: the name, with type parameters in cref style.</summary>
    public string HintSegment => TypeParameters.Length == 0 ? Name : Name + "{" + string.Join(",", TypeParameters) + "}";
}
