using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using KernelGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Testing;

/// <summary>
/// One-line snapshot tests of the kernels KernelGen generates for a model:
/// <code>
/// [Fact]
/// public void Kernels() => KernelGenSnapshot.Verify("../MyApp/MyModel.cs", ["../MyApp/model/fc1.weights.bin"]);
/// </code>
/// runs the generator over the model source as the compiler would (against this process's framework and
/// KernelGen.Runtime), fails if it reported an error or threw, and compares every generated file with
/// <c>{TestFile}.{TestMethod}#{GeneratedFile}.verified.cs</c> beside the test file — the names and content
/// (<c>//HintName:</c> first line) that Verify.SourceGenerators gives the same run. Paths are relative to the calling
/// test file's directory. See <see cref="SnapshotFile"/> for the received / accept convention.
/// </summary>
public static class KernelGenSnapshot
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        string[] platform = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var references = platform.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(QuantizedModelAttribute).Assembly.Location));
        return references.ToImmutableArray();
    });

    /// <summary>
    /// Generates the kernels of the model in <paramref name="modelSourcePath"/> and compares each generated file with
    /// its verified snapshot.
    /// </summary>
    /// <param name="modelSourcePath">The C# file that declares the model, relative to the test file's directory.</param>
    /// <param name="additionalFiles">The <c>AdditionalFiles</c> that <c>WeightsFile</c> / <c>BiasFile</c> name, relative
    /// to the test file's directory.</param>
    /// <param name="allowUnsafeBlocks">The project's <c>AllowUnsafeBlocks</c>: with it the generator adds
    /// <c>[SkipLocalsInit]</c>, so the snapshot should use the same setting as the build.</param>
    /// <param name="testFile">Filled in by the compiler.</param>
    /// <param name="testName">Filled in by the compiler.</param>
    /// <exception cref="KernelGenSnapshotException">The generator reported an error or threw, generated nothing, or a
    /// generated file differs from (or has no) verified snapshot.</exception>
    public static void Verify(string modelSourcePath, string[]? additionalFiles = null, bool allowUnsafeBlocks = true,
        [CallerFilePath] string testFile = "", [CallerMemberName] string testName = "")
    {
        string directory = TestDirectory(testFile);
        string path = ResolveExisting(directory, modelSourcePath, "Model source");
        Check(Drive(File.ReadAllText(path), path, additionalFiles, allowUnsafeBlocks, directory), path, directory,
            Path.GetFileNameWithoutExtension(testFile) + "." + testName);
    }

    /// <summary>
    /// <see cref="Verify(string, string[], bool, string, string)"/> for a model given as source text; in messages the
    /// source is called <c>{testName}.cs</c>.
    /// </summary>
    /// <exception cref="KernelGenSnapshotException">As for <see cref="Verify(string, string[], bool, string, string)"/>.</exception>
    public static void VerifySource(string modelSource, string[]? additionalFiles = null, bool allowUnsafeBlocks = true,
        [CallerFilePath] string testFile = "", [CallerMemberName] string testName = "")
    {
        string directory = TestDirectory(testFile);
        Check(Drive(modelSource, testName + ".cs", additionalFiles, allowUnsafeBlocks, directory), testName + ".cs", directory,
            Path.GetFileNameWithoutExtension(testFile) + "." + testName);
    }

    /// <summary>
    /// Runs the generator over the model in <paramref name="modelSourcePath"/> and returns the driver, without checking
    /// anything: for Verify.SourceGenerators (<c>return Verifier.Verify(KernelGenSnapshot.Run("MyModel.cs"));</c>), or to
    /// inspect <see cref="GeneratorDriver.GetRunResult"/> yourself.
    /// </summary>
    public static GeneratorDriver Run(string modelSourcePath, string[]? additionalFiles = null, bool allowUnsafeBlocks = true,
        [CallerFilePath] string testFile = "")
    {
        string directory = TestDirectory(testFile);
        string path = ResolveExisting(directory, modelSourcePath, "Model source");
        return Drive(File.ReadAllText(path), path, additionalFiles, allowUnsafeBlocks, directory);
    }

    /// <summary><see cref="Run(string, string[], bool, string)"/> for a model given as source text.</summary>
    public static GeneratorDriver RunSource(string modelSource, string[]? additionalFiles = null, bool allowUnsafeBlocks = true,
        [CallerFilePath] string testFile = "")
        => Drive(modelSource, "Model.cs", additionalFiles, allowUnsafeBlocks, TestDirectory(testFile));

    private static GeneratorDriver Drive(string source, string sourcePath, string[]? additionalFiles, bool allowUnsafeBlocks, string directory)
    {
        CSharpParseOptions parseOptions = new(LanguageVersion.Latest);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "KernelGenSnapshot",
            new[] { CSharpSyntaxTree.ParseText(source, parseOptions, sourcePath) },
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: allowUnsafeBlocks,
                nullableContextOptions: NullableContextOptions.Enable));
        AdditionalText[] files = (additionalFiles ?? Array.Empty<string>())
            .Select(f => (AdditionalText)new FileAdditionalText(ResolveExisting(directory, f, "Additional file")))
            .ToArray();
        return CSharpGeneratorDriver
            .Create(new[] { new KernelGenGenerator().AsSourceGenerator() }, files, parseOptions)
            .RunGenerators(compilation);
    }

    /// <summary>Fails on generator errors, then compares every generated file; internal for tests with a stand-in generator.</summary>
    internal static void Check(GeneratorDriver driver, string sourcePath, string directory, string prefix)
    {
        GeneratorDriverRunResult result = driver.GetRunResult();
        foreach (GeneratorRunResult run in result.Results)
        {
            if (run.Exception is not null)
                throw new KernelGenSnapshotException($"The KernelGen generator threw while generating {sourcePath}: {run.Exception}", run.Exception);
        }

        Diagnostic[] errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length != 0)
        {
            throw new KernelGenSnapshotException(
                $"KernelGen reported {errors.Length} error(s) for {sourcePath}, so nothing was generated to compare:\n  "
                + string.Join("\n  ", errors.Select(e => e.ToString())));
        }

        GeneratedSourceResult[] sources = result.Results.SelectMany(r => r.GeneratedSources).OrderBy(s => s.HintName, StringComparer.Ordinal).ToArray();
        if (sources.Length == 0)
            throw new KernelGenSnapshotException($"KernelGen generated nothing for {sourcePath}: it declares no [QuantizedModel] partial class.");

        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (GeneratedSourceResult generated in sources)
        {
            // As Verify.SourceGenerators names a generated file: by its path without the extension, after a '#'.
            string path = generated.SyntaxTree.FilePath.Length > 0 ? generated.SyntaxTree.FilePath : generated.HintName;
            string name = $"{prefix}#{Path.GetFileNameWithoutExtension(path)}";
            names.Add(name);
            string content = $"//HintName: {generated.HintName}\n{generated.SourceText}";
            if (SnapshotFile.Check(content, directory, name, Path.GetExtension(path).TrimStart('.')) is { } failure)
                failures.Add(failure);
        }

        // A verified file whose generated file is gone (a renamed model, a removed class) must not pass unnoticed.
        foreach (string stale in Directory.EnumerateFiles(directory, prefix + "#*.verified.*"))
        {
            string name = Path.GetFileName(stale);
            if (names.Contains(name.Substring(0, name.IndexOf(".verified.", StringComparison.Ordinal))))
                continue;
            if (SnapshotFile.Accepting)
                File.Delete(stale);
            else
                failures.Add($"Snapshot {name} has no generated file any more; delete it, or rerun with {SnapshotFile.AcceptVariable}=1.");
        }

        if (failures.Count != 0)
            throw new KernelGenSnapshotException(string.Join("\n\n", failures));
    }

    private static string TestDirectory(string testFile)
    {
        string? directory = testFile.Length == 0 ? null : Path.GetDirectoryName(testFile);
        if (directory is null || !Directory.Exists(directory))
        {
            throw new InvalidOperationException(
                $"KernelGenSnapshot needs the calling test file's directory, but the compiler passed '{testFile}' as its path. "
                + "Call it directly from the test method, in a build that keeps source paths (PathMap and ContinuousIntegrationBuild replace them).");
        }
        return directory;
    }

    private static string ResolveExisting(string directory, string path, string what)
    {
        string full = Path.GetFullPath(Path.Combine(directory, path));
        if (!File.Exists(full))
            throw new FileNotFoundException($"{what} '{path}' not found: looked for {full} (paths are relative to the test file's directory).", full);
        return full;
    }
}
