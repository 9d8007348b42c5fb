using System.IO;
using System.Runtime.CompilerServices;
using KernelGen.Testing;

namespace KernelGen.Tests.Infrastructure;

/// <summary>
/// Snapshot assertions for this suite: <c>Snapshots/{Class}.{Test}.verified.{ext}</c> beside the test file, compared by
/// <see cref="SnapshotFile"/> (KernelGen.Testing), the one implementation of the Verify file convention that users get
/// too. A mismatch writes <c>.received.{ext}</c> and fails; KERNELGEN_ACCEPT_SNAPSHOTS=1 overwrites the verified file.
/// </summary>
public static class Snapshot
{
    public static void Verify(string actual, string extension = "cs", string? suffix = null,
        [CallerFilePath] string testFile = "", [CallerMemberName] string testName = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        string name = Path.GetFileNameWithoutExtension(testFile) + "." + testName + (suffix is null ? "" : "#" + suffix);
        SnapshotFile.Verify(actual, directory, name, extension);
    }
}
