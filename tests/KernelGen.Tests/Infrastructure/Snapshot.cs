using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace KernelGen.Tests.Infrastructure;

/// <summary>
/// Snapshot assertions in the Verify file convention: <c>Snapshots/{Class}.{Test}.verified.{ext}</c> is committed;
/// on a mismatch <c>.received.{ext}</c> is written beside it (git-ignored) and the test fails. Set
/// KERNELGEN_ACCEPT_SNAPSHOTS=1 to overwrite the verified files instead (review the diff before committing).
/// Verify itself is not on the package mirror these machines reach; swapping this for Verify.Xunit later keeps the files.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "KERNELGEN_ACCEPT_SNAPSHOTS";

    public static void Verify(string actual, string extension = "cs", string? suffix = null,
        [CallerFilePath] string testFile = "", [CallerMemberName] string testName = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        string stem = Path.GetFileNameWithoutExtension(testFile) + "." + testName + (suffix is null ? "" : "#" + suffix);
        string verified = Path.Combine(directory, $"{stem}.verified.{extension}");
        string received = Path.Combine(directory, $"{stem}.received.{extension}");
        string normalized = actual.Replace("\r\n", "\n").TrimStart('\uFEFF');

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, normalized);
            File.Delete(received);
            return;
        }

        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == normalized)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(received, normalized);
        if (expected is null)
            Assert.Fail($"No verified snapshot {verified}. Review {received}, then rename it or rerun with {AcceptVariable}=1.");
        Assert.Fail($"Snapshot {Path.GetFileName(verified)} differs at {FirstDifference(expected, normalized)}. "
            + $"Compare with {Path.GetFileName(received)}; accept with {AcceptVariable}=1 if the change is meant.");
    }

    private static string FirstDifference(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string left = i < a.Length ? a[i] : "<end>", right = i < b.Length ? b[i] : "<end>";
            if (left != right)
                return $"line {i + 1}:\n  verified: {left.Trim()}\n  received: {right.Trim()}";
        }
        return "line endings";
    }
}
