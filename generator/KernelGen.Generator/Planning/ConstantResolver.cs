using System.Collections.Generic;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>Turns a <see cref="ConstantSource"/> into bytes or values: a field's parsed constants, or an AdditionalFiles item.</summary>
internal static class ConstantResolver
{
    /// <summary>
    /// The values of a field source: the small field's values read in parsing, or the large field's values read from
    /// syntax by the per-tree reader, checked against the element type's range [<paramref name="min"/>, <paramref name="max"/>].
    /// Returns null when parsing already reported the field or when this reports KG0011.
    /// </summary>
    public static int[]? FieldValues(
        LayerSpec layer, ConstantSource source, string argument, long min, long max, string elementType,
        ModelInputs inputs, List<DiagnosticInfo> diagnostics)
    {
        if (source.FieldValues is { } small)
            return small.AsSpan().ToArray();
        if (source.LargeField is not { } key)
            return null; // parsing reported why

        string name = layer.DisplayName;
        if (inputs.Find(key) is not { } field)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldNotConstant, layer.LocationOf(argument), name, key.FieldName,
                "could not be read from its declaration"));
            return null;
        }
        if (field.NotLiteral >= 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldNotConstant, field.NotLiteralLocation ?? layer.LocationOf(argument), name,
                key.FieldName, $"has element {field.NotLiteral} that is not an integer literal: a field of more than "
                + $"{ConstantSource.LargeFieldThreshold} elements is read from syntax alone, so that edits elsewhere stay fast; write its elements as "
                + "literals (optionally negated, cast or in unchecked(...)), or use a file"));
            return null;
        }

        var values = new int[field.Values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            long value = field.Values[i];
            if (value < min || value > max)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldNotConstant, layer.LocationOf(argument), name, key.FieldName,
                    $"has element {i} = {value}, outside the {elementType} range [{min}, {max}]"));
                return null;
            }
            values[i] = (int)value;
        }
        return values;
    }

    /// <summary>
    /// Finds the model's AdditionalFiles item whose path ends with <paramref name="requested"/> (on a path-component
    /// boundary) and returns its bytes, or reports KG0012 and returns null. The bytes were read in the pipeline
    /// (<see cref="Parsing.ConstantFileReader"/>); planning does no I/O.
    /// </summary>
    public static byte[]? ReadFile(string requested, string argument, LayerSpec layer, ModelInputs inputs, List<DiagnosticInfo> diagnostics)
    {
        var matches = new List<ConstantFile>();
        foreach (ConstantFile file in inputs.Files)
        {
            if (ConstantFile.Matches(file.Path, requested))
                matches.Add(file);
        }

        LocationInfo? location = layer.LocationOf(argument);
        if (matches.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFileMissing, location, layer.DisplayName, argument, requested,
                "matches no AdditionalFiles item; add <AdditionalFiles Include=\"...\" /> to the project"));
            return null;
        }
        if (matches.Count > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFileMissing, location, layer.DisplayName, argument, requested,
                $"matches {matches.Count} AdditionalFiles items ({string.Join(", ", matches.ConvertAll(m => m.Path))}); give more of the path"));
            return null;
        }
        if (matches[0].Error is { } error)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFileMissing, location, layer.DisplayName, argument, requested,
                $"could not be read: {error}"));
            return null;
        }
        return matches[0].Bytes.AsSpan().ToArray();
    }
}
