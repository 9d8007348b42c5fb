extern alias generator;

using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Steps = generator::KernelGen.Generator.KernelGenGenerator.Steps;

namespace KernelGen.Tests.Generator;

/// <summary>
/// The values the pipeline caches (specs, per-tree constants, model inputs, plans) hold only strings, numbers, enums and
/// equatable arrays: no symbol, syntax node, syntax tree, compilation, semantic model, location or AdditionalText. One
/// of those would keep a whole compilation alive and make every comparison fail, so nothing would ever be cached.
/// </summary>
public sealed class PipelineValueTests
{
    [Fact]
    public void CachedPipelineValues_HoldNoRoslynObjects()
    {
        string directory = Directory.CreateTempSubdirectory("kg-values").FullName;
        string weights = Path.Combine(directory, "w.bin");
        File.WriteAllBytes(weights, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        string large = "static readonly sbyte[] Big = { " + string.Join(", ", Enumerable.Repeat("3", 100 * 50)) + " };";
        string[] sources =
        {
            // From a field, from a file, a large field read from syntax, and one with diagnostics.
            "namespace V; [KernelGen.QuantizedModel(4, InputScale = 0.5f)] [KernelGen.Dense(4, 2, Weights = nameof(W), WeightScale = 0.25f, OutputScale = 0.5f)] public partial class Field { static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8 }; }",
            "namespace V; [KernelGen.QuantizedModel(4, InputScale = 0.5f)] [KernelGen.Dense(4, 2, WeightsFile = \"w.bin\", WeightScales = new[] { 0.25f, 0.5f }, OutputScale = 0.5f)] public partial class FromFile { }",
            "namespace V; [KernelGen.QuantizedModel(100, InputScale = 0.5f)] [KernelGen.Dense(100, 50, Weights = nameof(Big), WeightScale = 0.25f, OutputScale = 0.5f)] public partial class Large<T> { " + large + " }",
            "namespace V; [KernelGen.QuantizedModel(4, InputScale = -1f)] [KernelGen.Dense(4, 2, Weights = \"Missing\", WeightScale = 0.25f, OutputScale = 0.5f)] public partial class Broken { }",
            // Every op of the tensor graph: conv, depthwise, pools, Add, Concat, Flatten, an unfused Relu, Dense; and the float
            // edges with NCHW, Quantize, Dequantize and an unfolded Requantize.
            "namespace V; [KernelGen.QuantizedModel(4, 4, 2, InputScale = 0.5f)] "
                + "[KernelGen.Conv2D(2, 3, 3, Name = \"c\", Padding = KernelGen.Padding.Same, Weights = nameof(C), WeightScale = 0.25f, OutputScale = 0.5f)] "
                + "[KernelGen.DepthwiseConv2D(3, 3, Name = \"d\", Padding = KernelGen.Padding.Same, Weights = nameof(D), WeightScale = 0.25f, OutputScale = 0.5f)] "
                + "[KernelGen.Add(\"c\", \"d\", Name = \"a\", OutputScale = 0.5f)] [KernelGen.Relu(Name = \"r\", Input = \"c\")] "
                + "[KernelGen.Concat(\"a\", \"r\", Name = \"cat\")] [KernelGen.MaxPool(2, 2, Name = \"mp\")] [KernelGen.AveragePool(2, 2, Name = \"ap\", Input = \"cat\", OutputScale = 0.25f)] "
                + "[KernelGen.GlobalAveragePool(Name = \"gp\")] [KernelGen.Flatten(Name = \"f\")] [KernelGen.Dense(4, 2, Name = \"fc\", Weights = nameof(W), WeightScale = 0.25f, OutputScale = 0.5f)] "
                + "public partial class Graph { static readonly sbyte[] C = { " + string.Join(", ", Enumerable.Repeat("1", 36)) + " }; static readonly sbyte[] D = { " + string.Join(", ", Enumerable.Repeat("2", 18)) + " }; static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8 }; }",
            "namespace V; [KernelGen.QuantizedModel(2, 2, 2, ActivationType = KernelGen.QuantType.Float32, Layout = KernelGen.TensorLayout.Nchw, Requantization = KernelGen.RequantizationScheme.Float)] "
                + "[KernelGen.Quantize(Name = \"q\", Scale = 0.1f)] [KernelGen.Requantize(Name = \"rq\", OutputScale = 0.2f)] [KernelGen.Dequantize(Name = \"dq\")] public partial class Edges { }",
        };
        CSharpCompilation compilation = GeneratorHarness.Compilation(sources);
        GeneratorRunResult result = GeneratorHarness.Driver(new[] { new FileAdditionalText(weights) }, trackSteps: true)
            .RunGenerators(compilation).GetRunResult().Results.Single();
        Assert.Equal(5, result.GeneratedSources.Length);

        int walked = 0;
        foreach (string step in new[] { Steps.Models, Steps.Constants, Steps.Files, Steps.Inputs, Steps.Plans })
        {
            foreach (object? value in result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Value))
                walked += Walk(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
        Assert.True(walked > 100, $"only {walked} objects walked: the test would not see a Roslyn object");
        // The walk does see one where it is: a tree in a list, a location in a tuple.
        Assert.ThrowsAny<Exception>(() => Walk(new List<object> { compilation.SyntaxTrees[0] }, "probe", new HashSet<object>(ReferenceEqualityComparer.Instance)));
        Assert.ThrowsAny<Exception>(() => Walk(Tuple.Create(1, Location.None), "probe", new HashSet<object>(ReferenceEqualityComparer.Instance)));
        Directory.Delete(directory, recursive: true);
    }

    private static int Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
            return 0;
        Type type = value.GetType();
        Assert.False(value is ISymbol or SyntaxNode or SyntaxTree or Compilation or SemanticModel or Location or AdditionalText
                or SyntaxReference || (type.Namespace?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true
                && type != typeof(DiagnosticDescriptor) && type != typeof(Microsoft.CodeAnalysis.Text.TextSpan)
                && type != typeof(Microsoft.CodeAnalysis.Text.LinePositionSpan) && type != typeof(Microsoft.CodeAnalysis.Text.LinePosition)
                && type != typeof(LocalizableResourceString) && type != typeof(LocalizableString) && !type.IsSubclassOf(typeof(LocalizableString))),
            $"{path} holds a {type.FullName}");
        if (value is DiagnosticDescriptor)
            return 1;
        int count = 1;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
                count += Walk(item, $"{path}[{i++}]", seen);
            if (type.IsArray)
                return count;
        }
        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            count += Walk(field.GetValue(value), $"{path}.{field.Name}", seen);
        return count;
    }
}
