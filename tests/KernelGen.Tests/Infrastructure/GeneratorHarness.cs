extern alias generator;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using generator::KernelGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Tests.Infrastructure;

/// <summary>Runs the generator over in-memory sources the way the compiler does, and compiles the result.</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var list = platform.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        list.Add(MetadataReference.CreateFromFile(typeof(QuantizedModelAttribute).Assembly.Location));
        return list.ToImmutableArray();
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>A compilation of <paramref name="sources"/> against the framework and KernelGen.Runtime.</summary>
    public static CSharpCompilation Compilation(IEnumerable<string> sources, bool allowUnsafe = true, string assemblyName = "KernelGenTestModel")
        => CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Model{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: allowUnsafe,
                optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver(IEnumerable<AdditionalText>? additionalFiles = null, bool trackSteps = false)
        => CSharpGeneratorDriver.Create(
            new[] { new KernelGenGenerator().AsSourceGenerator() },
            additionalFiles ?? Array.Empty<AdditionalText>(),
            ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; returns the generated sources, the generator's diagnostics and the output compilation.</summary>
    public static GeneratorRun Run(string source, IEnumerable<AdditionalText>? additionalFiles = null, bool allowUnsafe = true)
        => Run(new[] { source }, additionalFiles, allowUnsafe);

    public static GeneratorRun Run(IEnumerable<string> sources, IEnumerable<AdditionalText>? additionalFiles = null, bool allowUnsafe = true)
    {
        CSharpCompilation compilation = Compilation(sources, allowUnsafe);
        GeneratorDriver driver = Driver(additionalFiles).RunGeneratorsAndUpdateCompilation(
            compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();
        if (result.Results.Any(r => r.Exception is not null))
            throw new InvalidOperationException("The generator threw: " + result.Results.First(r => r.Exception is not null).Exception);
        return new GeneratorRun(
            result.GeneratedTrees.Select(t => new GeneratedFile(Path.GetFileName(t.FilePath), t.GetText().ToString())).ToImmutableArray(),
            diagnostics,
            (CSharpCompilation)output);
    }
}

public sealed record GeneratedFile(string HintName, string Source);

public sealed record GeneratorRun(ImmutableArray<GeneratedFile> Files, ImmutableArray<Diagnostic> Diagnostics, CSharpCompilation Output)
{
    /// <summary>Compiler errors of the generated output (the user's and the generated code together).</summary>
    public ImmutableArray<Diagnostic> CompileErrors
        => Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
}

/// <summary>An AdditionalFiles item: the path is real so the generator can read its bytes.</summary>
public sealed class FileAdditionalText : AdditionalText
{
    public FileAdditionalText(string path) => Path = path;

    public override string Path { get; }

    public override SourceText? GetText(CancellationToken cancellationToken = default)
        => File.Exists(Path) ? SourceText.From(File.ReadAllText(Path)) : null;
}
