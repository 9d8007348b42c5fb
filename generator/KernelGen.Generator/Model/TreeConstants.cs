namespace KernelGen.Generator.Model;

/// <summary>The large constant array fields of one syntax tree.</summary>
internal sealed record TreeConstants(string FilePath, EquatableArray<FieldConstants> Fields);
