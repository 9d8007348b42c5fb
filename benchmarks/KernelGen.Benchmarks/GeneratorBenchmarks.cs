extern alias generator;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Benchmarks;

/// <summary>
/// The generator itself, in process: how long KernelGen takes to generate a large model's kernels, and that plus
/// Roslyn compiling the result (parse, bind, emit to memory, Release; no analyzers), the part of a build that grows with
/// the model. Models (uniform random int8 weights, fixed seeds; see ../GENERATOR.md for targets and results):
/// <list type="bullet">
/// <item><c>1MiB-files</c>: 10 x Dense(324, 324) + ReLU, 1,049,760 weight bytes in 10 AdditionalFiles binaries;</item>
/// <item><c>1MiB-inline</c>: the same model with the weights as inline <c>static readonly sbyte[]</c> fields;</item>
/// <item><c>10MiB-files</c>: 10 x Dense(1024, 1024) + ReLU, 10,485,760 weight bytes in AdditionalFiles.</item>
/// </list>
/// Every invocation uses a new driver (nothing cached from an earlier run) over a clone of the compilation (no bound
/// state kept), so it is the cost of a clean build's generator pass, not of an incremental one in the IDE.
/// </summary>
/// <remarks>
/// dotnet run -c Release --project benchmarks/KernelGen.Benchmarks -- --filter '*GeneratorBenchmarks*' --job short
/// </remarks>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private string _directory = "";
    private CSharpCompilation _compilation = null!;
    private ImmutableArray<AdditionalText> _files;

    [Params("1MiB-files", "1MiB-inline", "10MiB-files")]
    public string Model { get; set; } = "1MiB-files";

    [GlobalSetup]
    public void Setup()
    {
        (int layers, int size, bool inline) = Model switch
        {
            "1MiB-files" => (10, 324, false),
            "1MiB-inline" => (10, 324, true),
            "10MiB-files" => (10, 1024, false),
            _ => throw new ArgumentException("unknown model " + Model),
        };
        _directory = Path.Combine(Path.GetTempPath(), "kernelgen-generator-benchmark-" + Environment.ProcessId);
        Directory.CreateDirectory(_directory);
        var files = new List<AdditionalText>();
        var source = new StringBuilder("using KernelGen;\n\nnamespace GeneratorBenchmark;\n\n");
        source.Append($"[QuantizedModel({size}, InputScale = 0.02f, InputZeroPoint = 128)]\n");
        var fields = new StringBuilder();
        for (int i = 0; i < layers; i++)
        {
            byte[] weights = new byte[size * size];
            new Random(1000 + i).NextBytes(weights);
            string from;
            if (inline)
            {
                from = $"Weights = nameof(W{i})";
                fields.Append($"    private static readonly sbyte[] W{i} =\n    {{\n");
                for (int start = 0; start < weights.Length; start += 32)
                    fields.Append("        ").Append(string.Join(", ", weights.Skip(start).Take(32).Select(b => ((sbyte)b).ToString()))).Append(",\n");
                fields.Append("    };\n");
            }
            else
            {
                string path = Path.Combine(_directory, $"fc{i}.bin");
                File.WriteAllBytes(path, weights);
                files.Add(new BinaryFile(path));
                from = $"WeightsFile = \"fc{i}.bin\"";
            }
            source.Append($"[Dense({size}, {size}, Name = \"fc{i}\", {from}, WeightScale = 0.0005f, OutputScale = 0.02f, Activation = Activation.Relu)]\n");
        }
        source.Append("public static partial class Model\n{\n").Append(fields).Append("}\n");
        _files = files.ToImmutableArray();

        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = platform.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(QuantizedModelAttribute).Assembly.Location));
        _compilation = CSharpCompilation.Create("GeneratorBenchmark",
            new[] { CSharpSyntaxTree.ParseText(source.ToString(), ParseOptions, path: "Model.cs") },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, optimizationLevel: OptimizationLevel.Release));

        // Fail here, not in the timings, if the model does not generate or compile.
        GeneratorDriver driver = Driver().RunGeneratorsAndUpdateCompilation(_compilation.Clone(), out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        if (diagnostics.Length > 0 || driver.GetRunResult().GeneratedTrees.Length != 1)
            throw new InvalidOperationException("The generator failed: " + string.Join("\n", diagnostics));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException("The generated model does not compile: " + string.Join("\n", errors.Take(5)));
        int generated = driver.GetRunResult().GeneratedTrees[0].GetText().Length;
        Console.WriteLine($"// {Model}: {layers} layers, {layers * size * size} weight bytes, {generated} characters generated");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The generator's run: read the model and its files, plan, emit the source.</summary>
    [Benchmark]
    public int Generate() => Driver().RunGenerators(_compilation.Clone()).GetRunResult().GeneratedTrees.Length;

    /// <summary>Generate, then compile the user's and the generated source to an in-memory assembly.</summary>
    [Benchmark]
    public long GenerateAndCompile()
    {
        Driver().RunGeneratorsAndUpdateCompilation(_compilation.Clone(), out Compilation output, out _);
        using var assembly = new MemoryStream();
        if (!output.Emit(assembly).Success)
            throw new InvalidOperationException("The generated model does not compile.");
        return assembly.Length;
    }

    private GeneratorDriver Driver()
        => CSharpGeneratorDriver.Create(
            new[] { new generator::KernelGen.Generator.KernelGenGenerator().AsSourceGenerator() }, _files, ParseOptions);

    /// <summary>An AdditionalFiles item on disk; the generator reads its bytes from the path, as under MSBuild.</summary>
    private sealed class BinaryFile(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default)
            => SourceText.From(File.ReadAllText(Path));
    }
}
