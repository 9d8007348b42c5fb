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

/// <summary>
/// The integer values of one large array field, read from syntax alone (so the read is cached per syntax tree and an edit
/// to another file does not repeat it).
/// </summary>
/// <param name="Values">The elements as written, before any conversion to the field's element type.</param>
/// <param name="NotLiteral">Index of the first element that is not an integer literal form, or -1.</param>
/// <param name="NotLiteralLocation">Where that element is.</param>
internal sealed record FieldConstants(FieldKey Key, EquatableArray<long> Values, int NotLiteral, LocationInfo? NotLiteralLocation);

/// <summary>The large constant array fields of one syntax tree.</summary>
internal sealed record TreeConstants(string FilePath, EquatableArray<FieldConstants> Fields);
