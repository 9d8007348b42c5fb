using System;
using System.IO;

namespace KernelGen.Testing;

/// <summary>
/// Text snapshots in the Verify file convention: <c>{name}.verified.{extension}</c> is committed; on a mismatch
/// <c>{name}.received.{extension}</c> is written beside it (git-ignore <c>*.received.*</c>) and the check fails. With
/// <see cref="AcceptVariable"/>=1 in the environment the verified file is overwritten instead: review the diff before
/// committing. Line endings are compared as <c>\n</c> and a byte-order mark is ignored, so a checkout with CRLF
/// endings still matches. Verify itself is not needed; moving to it later keeps the files.
/// </summary>
public static class SnapshotFile
{
    /// <summary>The environment variable that accepts every received snapshot as verified when set to 1.</summary>
    public const string AcceptVariable = "KERNELGEN_ACCEPT_SNAPSHOTS";

    /// <summary>Whether this process accepts received snapshots (<see cref="AcceptVariable"/> is 1).</summary>
    public static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) == "1";

    /// <summary>
    /// Compares <paramref name="actual"/> with <c>{directory}/{name}.verified.{extension}</c>.
    /// </summary>
    /// <exception cref="KernelGenSnapshotException">The verified file is missing or differs; the message names the
    /// first differing line and how to accept the change.</exception>
    public static void Verify(string actual, string directory, string name, string extension = "cs")
    {
        if (Check(actual, directory, name, extension) is { } failure)
            throw new KernelGenSnapshotException(failure);
    }

    /// <summary>
    /// <see cref="Verify"/> without the throw: null when the snapshot matches (or was accepted), else why not. A stale
    /// received file is deleted on a match; a mismatch writes one.
    /// </summary>
    internal static string? Check(string actual, string directory, string name, string extension)
    {
        string verified = Path.Combine(directory, $"{name}.verified.{extension}");
        string received = Path.Combine(directory, $"{name}.received.{extension}");
        string normalized = Normalize(actual);

        if (Accepting)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, normalized);
            File.Delete(received);
            return null;
        }

        string? expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
        if (expected == normalized)
        {
            File.Delete(received);
            return null;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(received, normalized);
        if (expected is null)
            return $"No verified snapshot {verified}. Review {received}, then rename it or rerun with {AcceptVariable}=1.";
        return $"Snapshot {Path.GetFileName(verified)} differs at {FirstDifference(expected, normalized)}\n"
            + $"Compare with {Path.GetFileName(received)} in {directory}; accept with {AcceptVariable}=1 if the change is meant.";
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');

    /// <summary>The first line where two different texts differ, with both versions of it.</summary>
    private static string FirstDifference(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        int line = 0;
        while (line < a.Length && line < b.Length && a[line] == b[line])
            line++;
        string left = line < a.Length ? a[line].Trim() : "<end of file>", right = line < b.Length ? b[line].Trim() : "<end of file>";
        return $"line {line + 1}:\n  verified: {left}\n  received: {right}";
    }
}
