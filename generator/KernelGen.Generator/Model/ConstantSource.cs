namespace KernelGen.Generator.Model;

/// <summary>Where a tensor's constant values come from: a field of the model class or an AdditionalFiles item.</summary>
/// <param name="FieldName">Name given in the attribute, or null.</param>
/// <param name="FilePath">File path given in the attribute, or null.</param>
/// <param name="FieldValues">The field's constant values when the field was small and readable.</param>
/// <param name="LargeField">For a field of more than <see cref="LargeFieldThreshold"/> elements: the key under which the
/// per-tree constant reader finds its values (read from syntax, cached per file).</param>
internal sealed record ConstantSource(string? FieldName, string? FilePath, EquatableArray<int>? FieldValues, FieldKey? LargeField = null)
{
    /// <summary>Fields with more elements than this are read from syntax by the cached per-tree reader.</summary>
    public const int LargeFieldThreshold = 4096;

    public bool IsEmpty => FieldName is null && FilePath is null;

    public string Describe => FieldName is not null ? $"field '{FieldName}'" : $"file '{FilePath}'";
}
