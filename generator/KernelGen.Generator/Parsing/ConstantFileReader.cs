using System;
using System.IO;
using System.Threading;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing;

/// <summary>
/// Reads an AdditionalFiles item into a <see cref="ConstantFile"/> when some model names it, so only the files that
/// models use are read, each once per change of the file or of the set of names.
/// </summary>
internal static class ConstantFileReader
{
    /// <returns>The file's record, or null when no name in <paramref name="requested"/> matches its path.</returns>
    public static ConstantFile? Read(AdditionalText text, EquatableArray<string> requested, CancellationToken cancellationToken)
    {
        bool wanted = false;
        foreach (string name in requested)
            wanted |= ConstantFile.Matches(text.Path, name);
        if (!wanted)
            return null;

        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // AdditionalText only offers decoded text, which cannot round-trip arbitrary bytes, so the file is read as
            // bytes from the path MSBuild passed. The compilation still tracks it as an input through AdditionalFiles.
#pragma warning disable RS1035 // Binary AdditionalFiles have no other reader.
            return new ConstantFile(text.Path, new EquatableArray<byte>(File.ReadAllBytes(text.Path)), null);
#pragma warning restore RS1035
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return new ConstantFile(text.Path, EquatableArray<byte>.Empty, e.Message);
        }
    }
}
