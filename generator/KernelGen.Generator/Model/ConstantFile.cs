using System;

namespace KernelGen.Generator.Model;

/// <summary>
/// An AdditionalFiles item that a model names (WeightsFile / BiasFile), read in the pipeline: its path and bytes, or why
/// it could not be read. Planning matches and checks these records and does no I/O itself.
/// </summary>
internal sealed record ConstantFile(string Path, EquatableArray<byte> Bytes, string? Error)
{
    /// <summary>
    /// Whether <paramref name="path"/> (an AdditionalFiles item) is the file an attribute names as <paramref name="requested"/>:
    /// equal, or ending with it on a path-component boundary, with either slash.
    /// </summary>
    public static bool Matches(string path, string requested)
    {
        string wanted = Normalize(requested).TrimStart('/');
        string actual = Normalize(path);
        return wanted.Length > 0 && (actual == wanted || actual.EndsWith("/" + wanted, StringComparison.Ordinal));
    }

    private static string Normalize(string path) => path.Replace('\\', '/');
}
