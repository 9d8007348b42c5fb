using System;
using System.IO;
using System.Linq;
using KernelGen.Testing;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Tests.Testing;

/// <summary>Tests that set KERNELGEN_ACCEPT_SNAPSHOTS, a process-wide variable: they run alone, so no other snapshot test sees it.</summary>
[CollectionDefinition(nameof(AcceptVariableCollection), DisableParallelization = true)]
public sealed class AcceptVariableCollection;

/// <summary>
/// KernelGen.Testing, the one-line snapshot API users get: file names and content in the Verify.SourceGenerators
/// convention, a received file and the first differing line on a mismatch, acceptance by environment variable, and a
/// clear failure when the generator reports errors. Everything happens in a temporary directory standing in for the
/// directory of a user's test file.
/// </summary>
[Collection(nameof(AcceptVariableCollection))]
public sealed class KernelGenSnapshotTests : IDisposable
{
    private const string Model = """
        using KernelGen;
        namespace A;
        [QuantizedModel(4, InputScale = 0.5f)]
        [Dense(4, 2, WeightsFile = "w.bin", Bias = nameof(B), WeightScale = 0.25f, OutputScale = 0.5f)]
        public partial class Tiny { static readonly int[] B = { 1, -1 }; }
        """;

    private static readonly string[] Weights = ["data/w.bin"];

    private readonly string? _acceptBefore = Environment.GetEnvironmentVariable(SnapshotFile.AcceptVariable);
    private readonly string _directory = Directory.CreateTempSubdirectory("kernelgen-snapshot").FullName;

    public KernelGenSnapshotTests()
    {
        // A run of the whole suite with the variable set (to accept this suite's own snapshots) must not turn these
        // mismatch tests into acceptances.
        Environment.SetEnvironmentVariable(SnapshotFile.AcceptVariable, null);
        Directory.CreateDirectory(Path.Combine(_directory, "data"));
        File.WriteAllBytes(Path.Combine(_directory, "data", "w.bin"), new byte[] { 1, 2, 3, 4, 0xFB, 6, 0xF9, 8 });
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(SnapshotFile.AcceptVariable, _acceptBefore);
        Directory.Delete(_directory, recursive: true);
    }

    private string TestFile => Path.Combine(_directory, "ModelTests.cs");

    private string Verified => Path.Combine(_directory, "ModelTests.Kernels#A.Tiny.KernelGen.g.verified.cs");

    private string Received => Path.Combine(_directory, "ModelTests.Kernels#A.Tiny.KernelGen.g.received.cs");

    /// <summary>What Verify.SourceGenerators writes for the model: a HintName line, then the generated source.</summary>
    private string Expected()
    {
        GeneratorRun run = GeneratorHarness.Run(Model, new[] { new Infrastructure.FileAdditionalText(Path.Combine(_directory, "data", "w.bin")) });
        GeneratedFile file = Assert.Single(run.Files);
        return $"//HintName: {file.HintName}\n{file.Source}";
    }

    private void Verify(string source = Model, string[]? additionalFiles = null)
        => KernelGenSnapshot.VerifySource(source, additionalFiles ?? Weights, testFile: TestFile, testName: "Kernels");

    [Fact]
    public void MatchingSnapshot_Passes()
    {
        File.WriteAllText(Verified, Expected());
        File.WriteAllText(Received, "left over from an earlier failure");

        Verify();

        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void MatchingSnapshotFromAFile_PassesWithPathsRelativeToTheTestFile()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "src"));
        File.WriteAllText(Path.Combine(_directory, "src", "Tiny.cs"), Model);
        File.WriteAllText(Verified, Expected());

        KernelGenSnapshot.Verify("src/Tiny.cs", Weights, testFile: TestFile, testName: "Kernels");

        Assert.Equal(new[] { Verified }, Directory.GetFiles(_directory, "*.cs").Where(f => f.Contains('#')));
    }

    [Fact]
    public void VerifiedFileWithWindowsLineEndings_StillMatches()
    {
        File.WriteAllText(Verified, Expected().Replace("\n", "\r\n"));
        Verify();
    }

    [Fact]
    public void Mismatch_WritesReceivedAndNamesTheFirstDifferingLine()
    {
        string expected = Expected();
        string[] lines = expected.Split('\n');
        lines[2] = "// an edit the generator did not make";
        File.WriteAllText(Verified, string.Join('\n', lines));

        var failure = Assert.Throws<KernelGenSnapshotException>(() => Verify());

        Assert.Contains("ModelTests.Kernels#A.Tiny.KernelGen.g.verified.cs differs at line 3:", failure.Message);
        Assert.Contains("verified: // an edit the generator did not make", failure.Message);
        Assert.Contains($"received: {expected.Split('\n')[2].Trim()}", failure.Message);
        Assert.Contains(SnapshotFile.AcceptVariable + "=1", failure.Message);
        Assert.Equal(expected, File.ReadAllText(Received));
        Assert.Equal(string.Join('\n', lines), File.ReadAllText(Verified));
    }

    [Fact]
    public void MissingVerifiedFile_WritesReceivedAndFails()
    {
        var failure = Assert.Throws<KernelGenSnapshotException>(() => Verify());

        Assert.StartsWith($"No verified snapshot {Verified}.", failure.Message);
        Assert.Equal(Expected(), File.ReadAllText(Received));
        Assert.False(File.Exists(Verified));
    }

    [Fact]
    public void AcceptVariable_WritesVerifiedAndRemovesReceivedAndStaleSnapshots()
    {
        string stale = Path.Combine(_directory, "ModelTests.Kernels#A.Renamed.KernelGen.g.verified.cs");
        string otherTest = Path.Combine(_directory, "ModelTests.Other#A.Tiny.KernelGen.g.verified.cs");
        File.WriteAllText(Verified, "outdated");
        File.WriteAllText(Received, "outdated");
        File.WriteAllText(stale, "a model that no longer exists");
        File.WriteAllText(otherTest, "another test's snapshot");

        Environment.SetEnvironmentVariable(SnapshotFile.AcceptVariable, "1");
        Verify();

        Assert.Equal(Expected(), File.ReadAllText(Verified));
        Assert.False(File.Exists(Received));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(otherTest));

        // Accepted means verified: the same check passes without the variable.
        Environment.SetEnvironmentVariable(SnapshotFile.AcceptVariable, null);
        Verify();
    }

    [Fact]
    public void StaleSnapshotOfTheSameTest_Fails()
    {
        File.WriteAllText(Verified, Expected());
        string stale = Path.Combine(_directory, "ModelTests.Kernels#A.Renamed.KernelGen.g.verified.cs");
        File.WriteAllText(stale, "a model that no longer exists");

        var failure = Assert.Throws<KernelGenSnapshotException>(() => Verify());

        Assert.Contains("ModelTests.Kernels#A.Renamed.KernelGen.g.verified.cs has no generated file any more", failure.Message);
        Assert.True(File.Exists(stale));
    }

    [Fact]
    public void GeneratorErrors_FailWithTheirIdsAndWriteNothing()
    {
        string broken = Model.Replace("InputScale = 0.5f", "InputScale = -1f").Replace("OutputScale = 0.5f", "OutputScale = 0.5f, OutputZeroPoint = 300");

        var failure = Assert.Throws<KernelGenSnapshotException>(() => Verify(broken));

        Assert.StartsWith("KernelGen reported 2 error(s) for Kernels.cs", failure.Message);
        Assert.Contains("error KG0004", failure.Message);
        Assert.Contains("error KG0005", failure.Message);
        Assert.Empty(Directory.GetFiles(_directory, "*.cs"));
    }

    [Fact]
    public void MissingAdditionalFile_FailsWithItsResolvedPath()
    {
        var failure = Assert.Throws<FileNotFoundException>(() => Verify(additionalFiles: ["data/absent.bin"]));
        Assert.Contains(Path.Combine(_directory, "data", "absent.bin"), failure.Message);
    }

    [Fact]
    public void SourceWithoutAModel_Fails()
    {
        var failure = Assert.Throws<KernelGenSnapshotException>(() => Verify("namespace A; public class NotAModel { }"));
        Assert.Contains("generated nothing", failure.Message);
    }

    [Fact]
    public void GeneratorThatThrows_FailsWithTheException()
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new ThrowingGenerator()).RunGenerators(CSharpCompilation.Create("x"));

        var failure = Assert.Throws<KernelGenSnapshotException>(() => KernelGenSnapshot.Check(driver, "Model.cs", _directory, "ModelTests.Kernels"));

        Assert.StartsWith("The KernelGen generator threw while generating Model.cs", failure.Message);
        Assert.Contains("planted failure", failure.Message);
    }

    [Fact]
    public void Run_ReturnsTheDriverForVerifySourceGenerators()
    {
        GeneratorDriverRunResult result = KernelGenSnapshot.RunSource(Model, Weights, testFile: TestFile).GetRunResult();

        Assert.Empty(result.Diagnostics);
        GeneratedSourceResult generated = Assert.Single(Assert.Single(result.Results).GeneratedSources);
        Assert.Equal("A.Tiny.KernelGen.g.cs", generated.HintName);
        Assert.Equal(Expected(), $"//HintName: {generated.HintName}\n{generated.SourceText}");
    }

    [Fact]
    public void AllowUnsafeBlocks_ReachesTheGenerator()
    {
        // With unsafe code allowed the generator marks multi-layer row drivers [SkipLocalsInit].
        string twoLayers = Model.Replace(
            "public partial class",
            "[Dense(2, 2, Weights = nameof(W2), WeightScale = 0.25f, OutputScale = 0.5f)]\npublic partial class")
            .Replace("static readonly int[] B", "static readonly sbyte[] W2 = { 1, 2, 3, 4 }; static readonly int[] B");
        string Source(bool allowUnsafe) => Assert.Single(KernelGenSnapshot
            .RunSource(twoLayers, Weights, allowUnsafe, testFile: TestFile).GetRunResult().GeneratedTrees).ToString();

        Assert.Contains("SkipLocalsInit", Source(allowUnsafe: true));
        Assert.DoesNotContain("SkipLocalsInit", Source(allowUnsafe: false));
    }

    private sealed class ThrowingGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
            => context.RegisterPostInitializationOutput(_ => throw new InvalidOperationException("planted failure"));
    }
}
