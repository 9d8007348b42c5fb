namespace KernelGen.Generator.Model;

/// <summary>
/// A model class as declared: names, the input, the layers in declaration order, and what parsing could not accept.
/// Holds only strings, numbers and equatable arrays (no symbols or syntax), so unchanged declarations cache.
/// </summary>
internal sealed record ModelSpec(
    ModelDeclaration Declaration,
    LocationInfo? Location,
    InputSpec Input,
    EquatableArray<LayerSpec> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    public string ClassName => Declaration.Type.Name;

    /// <summary>The AdditionalFiles names the layers give (WeightsFile, BiasFile), as written.</summary>
    public System.Collections.Generic.IEnumerable<string> RequestedFiles()
    {
        foreach (LayerSpec layer in Layers)
        {
            foreach (ConstantSource source in layer.Constants())
            {
                if (source.FilePath is not null)
                    yield return source.FilePath;
            }
        }
    }

    /// <summary>The large array fields the layers read, whose values come from the per-tree constant reader.</summary>
    public System.Collections.Generic.IEnumerable<FieldKey> LargeFields()
    {
        foreach (LayerSpec layer in Layers)
        {
            foreach (ConstantSource source in layer.Constants())
            {
                if (source.LargeField is not null)
                    yield return source.LargeField;
            }
        }
    }
}
