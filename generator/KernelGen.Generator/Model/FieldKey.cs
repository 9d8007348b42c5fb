namespace KernelGen.Generator.Model;

/// <summary>
/// Identifies a large constant array field across compilations: the file that declares it, the containing type's key
/// (namespace and type names with arity, as <see cref="FieldKey.TypeKeyOf"/> writes it) and the field name. Stable
/// under edits elsewhere, so a model's plan only sees a change when its own fields change.
/// </summary>
internal sealed record FieldKey(string FilePath, string TypeKey, string FieldName)
{
    /// <summary>"N.Outer`1.Model": namespace, then each type's name and arity.</summary>
    public static string TypeKeyOf(string? ns, System.Collections.Generic.IEnumerable<(string Name, int Arity)> types)
    {
        var text = new System.Text.StringBuilder(ns ?? "");
        foreach ((string name, int arity) in types)
        {
            if (text.Length > 0)
                text.Append('.');
            text.Append(name);
            if (arity > 0)
                text.Append('`').Append(arity);
        }
        return text.ToString();
    }
}
