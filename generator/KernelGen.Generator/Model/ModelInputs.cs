using System.Collections.Generic;
using System.Collections.Immutable;

namespace KernelGen.Generator.Model;

/// <summary>
/// A model spec with the values of the large fields and the AdditionalFiles it reads, and nothing else: when another
/// model's fields or files change, this value compares equal and the model is not planned again.
/// </summary>
internal sealed record ModelInputs(ModelSpec Model, EquatableArray<FieldConstants> Fields, EquatableArray<ConstantFile> Files)
{
    public static ModelInputs For(ModelSpec model, ImmutableArray<TreeConstants> trees, ImmutableArray<ConstantFile> files)
    {
        var names = new List<string>(model.RequestedFiles());
        var matching = new List<ConstantFile>();
        foreach (ConstantFile file in files)
        {
            if (names.Exists(name => ConstantFile.Matches(file.Path, name)))
                matching.Add(file);
        }

        var wanted = new HashSet<FieldKey>(model.LargeFields());
        var found = new List<FieldConstants>();
        if (wanted.Count > 0)
        {
            foreach (TreeConstants tree in trees)
            {
                foreach (FieldConstants field in tree.Fields)
                {
                    if (wanted.Contains(field.Key))
                        found.Add(field);
                }
            }
        }
        return new ModelInputs(model, found.ToEquatableArray(), matching.ToEquatableArray());
    }

    public FieldConstants? Find(FieldKey key)
    {
        foreach (FieldConstants field in Fields)
        {
            if (field.Key == key)
                return field;
        }
        return null;
    }
}
