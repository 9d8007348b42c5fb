namespace KernelGen.Generator.Model;

/// <summary>
/// Where and how the model type is declared, as the generated partial part must repeat it: namespace, containing
/// types, the type itself, the unique hint name, and what the compilation allows. Names are kept as C# spells them in
/// metadata (no '@'); the emitter escapes keywords.
/// </summary>
/// <param name="Namespace">Dotted namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">Outermost first.</param>
/// <param name="HintBase">Unique up to letter case among the compilation's types: namespace and type names with their type
/// parameters in cref style, e.g. "N.G{TKey,TValue}.M". The pipeline disambiguates names that differ only in case.</param>
/// <param name="HiddenMembers">Generated member names that hide an inherited member, emitted with <c>new</c>.</param>
/// <param name="LanguageVersion">The compilation's C# version as Roslyn numbers it (e.g. 703 for 7.3).</param>
internal sealed record ModelDeclaration(
    string? Namespace,
    EquatableArray<TypeShape> ContainingTypes,
    TypeShape Type,
    string HintBase,
    EquatableArray<string> HiddenMembers,
    bool AllowUnsafe,
    int LanguageVersion)
{
    /// <summary>Whether the generated member <paramref name="name"/> hides an inherited one (and is emitted with <c>new</c>).</summary>
    public bool Hides(string name)
    {
        foreach (string hidden in HiddenMembers)
        {
            if (hidden == name)
                return true;
        }
        return false;
    }

    /// <summary>Namespace-qualified name for messages and comments, e.g. "N.G&lt;TKey, TValue&gt;.M".</summary>
    public string FullName
    {
        get
        {
            var text = new System.Text.StringBuilder();
            if (Namespace is not null)
                text.Append(Namespace).Append('.');
            foreach (TypeShape outer in ContainingTypes)
                text.Append(outer.DisplayName).Append('.');
            return text.Append(Type.DisplayName).ToString();
        }
    }
}
