extern alias generator;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Tests.Generator;

/// <summary>
/// Declarations that once made the generator throw or emit code that did not compile (a user study found 208 throws and
/// 378 broken outputs): hint names for generic, nested, arity- and case-twin types; keywords as names; user types and
/// members named like the ones generated code uses; inherited members; old language versions. Each must generate one
/// file per model that compiles with no error and no warning (a warning breaks TreatWarningsAsErrors builds) and runs
/// equal to RunReference.
/// </summary>
public sealed class HardeningTests
{
    private const string Relu = "global::KernelGen.Activation.Relu";

    private static string Layers(string layerName = "fc1") => $$"""
        [global::KernelGen.QuantizedModel(3, InputScale = 0.5f, InputZeroPoint = 1)]
        [global::KernelGen.Dense(3, 2, Name = "{{layerName}}", Weights = nameof(W), Bias = nameof(B), WeightScale = 0.25f, OutputScale = 0.5f, Activation = {{Relu}})]
        """;

    private const string Body = "static readonly sbyte[] W = { 1, -2, 3, -4, 5, -6 }; static readonly int[] B = { 3, -3 };";

    private static string Model(string declaration, string layerName = "fc1", string extraMembers = "")
        => Layers(layerName) + " " + declaration + " { " + Body + " " + extraMembers + " }";

    /// <summary>Type names that generated code uses, declared by the user next to the model and inside it.</summary>
    private const string ShadowingTypes = """
        public enum Activation { Sigmoid } public enum QuantType { Float } public enum KernelPath { Gpu }
        public static class Avx2 { } public static class AvxVnni { } public static class Vector256 { } public static class Vector128 { }
        public static class Unsafe { } public static class MemoryMarshal { } public struct Span<T> { } public struct ReadOnlySpan<T> { }
        public class MethodImplAttribute : global::System.Attribute { } public class GeneratedCodeAttribute : global::System.Attribute { }
        public static class FixedPoint256 { } public static class Store256 { } public static class ScalarDense { } public class PackedDense { }
        public static class KernelGuard { } public static class ReferenceOps { } public class DenseReferenceLayer { } public static class Math { }
        public static class System { } public static class KernelGen { } public class Declared { } public class Row { }
        """;

    public static TheoryData<string, string[]> Shapes => new()
    {
        // A model nested in a type with several type parameters used to make the hint name "N.TValue>.M.KernelGen.g.cs".
        { "namespace N { public partial class G<TKey, TValue> { " + Model("public partial class M") + " } }", new[] { "N.G{TKey,TValue}.M" } },
        // Names that differ only in arity, or only in case (hint names are compared ignoring case).
        { "namespace N { " + Model("public partial class M") + " " + Model("public partial class M<T>") + " }", new[] { "N.M", "N.M{T}" } },
        { "namespace N { public partial class G { " + Model("public partial class M") + " } public partial class G<T> { " + Model("public partial class M") + " } }", new[] { "N.G.M", "N.G{T}.M" } },
        { "namespace N { " + Model("public partial class M") + " " + Model("public partial class m") + " }", new[] { "N.M-1", "N.m-2" } },
        // Keywords as names.
        { "namespace @namespace.@int { " + Model("public partial class @class") + " " + Model("public partial struct @event") + " }", new[] { "namespace.int.class", "namespace.int.event" } },
        { "namespace N { " + Model("public partial class @record") + " }", new[] { "N.record" } },
        // Layer names that collide with the row drivers and helpers, or are keywords.
        { "namespace N { " + Model("public partial class LayerRow", "Row") + " " + Model("public partial class LayerDeclared", "Declared") + " " + Model("public partial class LayerRun", "Run") + " " + Model("public partial class LayerClass", "class") + " }", new[] { "N.LayerRow", "N.LayerDeclared", "N.LayerRun", "N.LayerClass" } },
        // User types with the names generated code uses, in the model's namespace and nested in the model.
        { "namespace N { " + ShadowingTypes + Model("public partial class M", extraMembers: ShadowingTypes) + " }", new[] { "N.M" } },
        // Shapes of the model type.
        { "namespace N { " + Model("public partial struct S") + " " + Model("public partial record struct RS") + " " + Model("public static partial class SC") + " " + Model("public abstract partial class AC") + " " + Model("public ref partial struct RefS") + " }", new[] { "N.S", "N.RS", "N.SC", "N.AC", "N.RefS" } },
        // A derived record model hides the base model's generated members: emitted with 'new', so no CS0108 warning.
        { "namespace N { " + Model("public partial record Base") + " " + Model("public partial record Derived : Base") + " }", new[] { "N.Base", "N.Derived" } },
        // Overloads of Run with another signature are the user's to keep.
        { "namespace N { " + Model("public partial class M", extraMembers: "public static int Run(int x) => x; public static void RunReference(string s) { }") + " }", new[] { "N.M" } },
        // The global namespace, and a model inside an interface.
        { Model("partial class Global") + " namespace N { public partial interface I { " + Model("public partial class M") + " } }", new[] { "Global", "N.I.M" } },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void HardDeclarations_GenerateOneFilePerModelThatCompilesCleanlyAndMatchesTheReference(string source, string[] hintBases)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Equal(hintBases.Select(h => h + ".KernelGen.g.cs").OrderBy(h => h, StringComparer.Ordinal),
            run.Files.Select(f => f.HintName).OrderBy(h => h, StringComparer.Ordinal));
        AssertGeneratedCodeIsClean(run.Output);
        RunEveryModel(ModelLoader.Load(run, new[] { source }, PinnedPath.Native), hintBases.Length);
    }

    /// <summary>The tensor ops' generated code (Add in both schemes, Concat tables and copies, Reshape copy, Flatten,
    /// Quantize / Dequantize, NCHW layout steps) also compiles cleanly as C# 7.3.</summary>
    [Theory]
    [InlineData(LanguageVersion.CSharp7_3)]
    [InlineData(LanguageVersion.CSharp9)]
    public void TensorOps_CompileCleanlyWithTheOldestLanguageVersion(LanguageVersion version)
    {
        const string source = @"namespace Old {
            [KernelGen.QuantizedModel(2, 2, 3, InputScale = 0.1f, Layout = KernelGen.TensorLayout.Nchw, Requantization = KernelGen.RequantizationScheme.Float)]
            [KernelGen.Add(""input"", ""input"", Name = ""sum"", OutputScale = 0.3f, OutputZeroPoint = 4)]
            [KernelGen.Concat(""sum"", ""input"", ""sum"")]
            public partial class A { }
            [KernelGen.QuantizedModel(9, ActivationType = KernelGen.QuantType.Int8, InputScale = 0.1f)]
            [KernelGen.Reshape(3, 3, 1, Name = ""map"")]
            [KernelGen.Add(""map"", ""map"", OutputScale = 0.2f, Activation = KernelGen.Activation.Relu)]
            [KernelGen.Flatten]
            [KernelGen.Dequantize]
            public partial class B { }
            [KernelGen.QuantizedModel(11, ActivationType = KernelGen.QuantType.Float32)]
            [KernelGen.Quantize(Scale = 0.5f, ZeroPoint = 3)]
            public partial class C { }
            [KernelGen.QuantizedModel(5, InputScale = 0.5f)]
            [KernelGen.Reshape(5)]
            public partial class D { }
        }";
        var options = new CSharpParseOptions(version);
        CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { source }).WithOptions(
            GeneratorHarness.Compilation(new[] { source }).Options.WithNullableContextOptions(NullableContextOptions.Disable));
        compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], CSharpSyntaxTree.ParseText(source, options, path: "Old.cs"));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new generator::KernelGen.Generator.KernelGenGenerator().AsSourceGenerator() }, parseOptions: options)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
        Assert.Empty(diagnostics);
        Assert.Equal(4, driver.GetRunResult().GeneratedTrees.Length);
        AssertGeneratedCodeIsClean(output);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp7_3)]
    [InlineData(LanguageVersion.CSharp8)]
    [InlineData(LanguageVersion.CSharp9)]
    public void OldestSupportedLanguageVersion_Compiles(LanguageVersion version)
    {
        // C# 7.3 syntax only in the user's part: block namespace, no records, no collection expressions.
        string source = "namespace Old { " + Model("public partial class M") + " " + Model("public partial class Two", extraMembers: "") + " }";
        var options = new CSharpParseOptions(version);
        CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { source }).WithOptions(
            GeneratorHarness.Compilation(new[] { source }).Options.WithNullableContextOptions(NullableContextOptions.Disable));
        compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], CSharpSyntaxTree.ParseText(source, options, path: "Old.cs"));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new generator::KernelGen.Generator.KernelGenGenerator().AsSourceGenerator() }, parseOptions: options)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
        Assert.Empty(diagnostics);
        Assert.Equal(2, driver.GetRunResult().GeneratedTrees.Length);
        AssertGeneratedCodeIsClean(output);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    /// <summary>The pools' kernels (tables, lookups, divisions, border groups, both types) compile as C# 7.3 next to user
    /// types that shadow every name the generated code uses.</summary>
    [Fact]
    public void Pools_CompileAsCSharp7_3NextToShadowingTypes()
    {
        const string pools = """
            [global::KernelGen.QuantizedModel(7, 6, 40, ActivationType = global::KernelGen.QuantType.Int8, InputScale = 0.5f, InputZeroPoint = 1)]
            [global::KernelGen.MaxPool(3, 3, Strides = new[] { 2, 1 }, Padding = global::KernelGen.Padding.Same, OutputScale = 0.25f, Activation = global::KernelGen.Activation.Relu)]
            [global::KernelGen.AveragePool(2, 3, Pads = new[] { 1, 1, 1, 0 }, Activation = global::KernelGen.Activation.Relu6)]
            [global::KernelGen.GlobalAveragePool(OutputZeroPoint = 4)]
            """;
        string source = "namespace Old { " + ShadowingTypes + pools + " public partial class P { " + ShadowingTypes + " } }";
        var options = new CSharpParseOptions(LanguageVersion.CSharp7_3);
        CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { source }).WithOptions(
            GeneratorHarness.Compilation(new[] { source }).Options.WithNullableContextOptions(NullableContextOptions.Disable));
        compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], CSharpSyntaxTree.ParseText(source, options, path: "Old.cs"));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new generator::KernelGen.Generator.KernelGenGenerator().AsSourceGenerator() }, parseOptions: options)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
        Assert.Empty(diagnostics);
        Assert.Single(driver.GetRunResult().GeneratedTrees);
        AssertGeneratedCodeIsClean(output);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void LanguageVersionBelow7_3_ReportsKG0023()
    {
        string source = "namespace Old { " + Model("public partial class M") + " }";
        var options = new CSharpParseOptions(LanguageVersion.CSharp7_2);
        CSharpCompilation compilation = GeneratorHarness.Compilation(Array.Empty<string>())
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, options, path: "Old.cs"));
        GeneratorDriverRunResult result = CSharpGeneratorDriver.Create(new[] { new generator::KernelGen.Generator.KernelGenGenerator().AsSourceGenerator() }, parseOptions: options)
            .RunGenerators(compilation).GetRunResult();
        Assert.Equal("KG0023", Assert.Single(result.Diagnostics).Id);
        Assert.Contains("C# 7.2", result.Diagnostics[0].GetMessage());
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void AFailingModel_DoesNotTakeAnotherModelsCodeAway()
    {
        string good = "namespace N { " + Model("public partial class Good") + " }";
        string bad = "namespace N { " + Model("public partial class Bad", extraMembers: "public const int InputSize = 1;") + " }";
        string twice = "namespace N { " + Model("public partial class Twice") + " [global::KernelGen.QuantizedModel(3, InputScale = 1f)] public partial class Twice { } }";
        GeneratorRun run = GeneratorHarness.Run(new[] { good, bad, twice });
        Assert.Equal(new[] { "KG0020", "KG0021" }, run.Diagnostics.Select(d => d.Id).OrderBy(i => i));
        Assert.Equal("N.Good.KernelGen.g.cs", Assert.Single(run.Files).HintName);
    }

    [Fact]
    public void GeneratedCode_NamesEveryTypeWithGlobalAndAddsOnlyTheDocumentedMembers()
    {
        GeneratorRun run = GeneratorHarness.Run("namespace N { " + Model("public partial class M") + " }");
        string source = Assert.Single(run.Files).Source;
        Assert.DoesNotContain("\nusing ", source);
        Assert.Contains("[global::System.CodeDom.Compiler.GeneratedCode(\"KernelGen\", \"0.1.0\")]", source);
        Type type = ModelLoader.Load(run, new[] { "namespace N { " + Model("public partial class M") + " }" }, PinnedPath.Native).GetType("N.M")!;
        string[] added = type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => m.Name).Where(n => n is not ("W" or "B" or ".cctor")).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "ActivePath", "InputSize", "KernelGenKernels", "OutputSize", "Run", "RunParallel", "RunReference", "ScratchSize", "get_ActivePath" }, added);
    }

    /// <summary>No error and no warning located in a generated tree.</summary>
    private static void AssertGeneratedCodeIsClean(Compilation output)
    {
        Diagnostic[] inGenerated = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true)
            .ToArray();
        Assert.True(inGenerated.Length == 0, string.Join("\n", inGenerated.Take(10)));
    }

    /// <summary>Runs Run and RunReference of every generated model (generic ones closed over int) on edge rows.</summary>
    private static void RunEveryModel(Assembly assembly, int expected)
    {
        int count = 0;
        foreach (Type open in assembly.GetTypes())
        {
            Type type = open.IsGenericTypeDefinition ? open.MakeGenericType(open.GetGenericArguments().Select(_ => typeof(int)).ToArray()) : open;
            MethodInfo? run = type.GetMethod("Run", new[] { typeof(ReadOnlySpan<byte>), typeof(Span<byte>) });
            if (run is null || type.GetField("InputSize") is null)
                continue;
            var kernel = run.CreateDelegate<ByteModel>();
            var reference = type.GetMethod("RunReference", new[] { typeof(ReadOnlySpan<byte>), typeof(Span<byte>) })!.CreateDelegate<ByteModel>();
            byte[] input = { 0, 1, 2, 255, 128, 7, 255, 255, 255 }, actual = new byte[6], wanted = new byte[6];
            kernel(input, actual);
            reference(input, wanted);
            Assert.Equal(wanted, actual);
            Assert.Contains(actual, b => b != 0);
            count++;
        }
        Assert.Equal(expected, count);
    }


    private const string ConvModel = """
        [global::KernelGen.QuantizedModel(5, 5, 2, InputScale = 0.5f, InputZeroPoint = 1)]
        [global::KernelGen.Conv2D(4, 3, 3, Name = "conv", Weights = nameof(CW), Bias = nameof(CB), WeightScale = 0.25f, WeightZeroPoint = 1, OutputScale = 0.5f, Padding = global::KernelGen.Padding.Same, Groups = 2)]
        [global::KernelGen.Conv2D(3, 1, 1, Name = "pw", Weights = nameof(PW), WeightScale = 0.25f, OutputType = global::KernelGen.QuantType.Int32)]
        public partial class Conv
        {
            static readonly sbyte[] CW = { 1, -2, 3, -4, 5, -6, 7, -8, 9, 1, -2, 3, -4, 5, -6, 7, -8, 9, 1, -2, 3, -4, 5, -6, 7, -8, 9, 1, -2, 3, -4, 5, -6, 7, -8, 9 };
            static readonly int[] CB = { 3, -3, 5, 0 };
            static readonly sbyte[] PW = { 1, 2, 3, 4, -1, -2, -3, -4, 127, -128, 0, 9 };
            SHADOW
        }

        """;

    /// <summary>Conv2D kernels (gather, groups, padding, Int32 output, weight zero points) under C# 7.3 and the latest
    /// version, next to user types named like the ones they use: no error, no warning, Run equal to RunReference.</summary>
    [Theory]
    [InlineData(LanguageVersion.CSharp7_3)]
    [InlineData(LanguageVersion.Latest)]
    public void Conv2D_CompilesCleanlyUnderOldAndNewLanguageVersions(LanguageVersion version)
    {
        const string convTypes = "public static class ScalarConv2D { } public struct Conv2DGeometry { } public class Conv2DReferenceLayer { } public static class DensePacking { } public static class Padding { }";
        string source = "namespace N { " + ShadowingTypes + convTypes + ConvModel.Replace("SHADOW", ShadowingTypes + convTypes) + " }";
        var options = new CSharpParseOptions(version);
        CSharpCompilation compilation = GeneratorHarness.Compilation(Array.Empty<string>())
            .WithOptions(GeneratorHarness.Compilation(new[] { source }).Options.WithNullableContextOptions(NullableContextOptions.Disable))
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, options, path: "Conv.cs"));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new generator::KernelGen.Generator.KernelGenGenerator().AsSourceGenerator() }, parseOptions: options)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
        Assert.Empty(diagnostics);
        Assert.Single(driver.GetRunResult().GeneratedTrees);
        AssertGeneratedCodeIsClean(output);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        GeneratorRun run = GeneratorHarness.Run(source);
        Type type = ModelLoader.Load(run, new[] { source }, PinnedPath.Native).GetType("N.Conv")!;
        var input = new byte[2 * 50];
        new Random(3).NextBytes(input);
        byte[] actual = new byte[2 * 5 * 5 * 3 * 4], wanted = new byte[actual.Length];
        Conv2DKernelTests.Invoke(type.GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 2), input, actual);
        Conv2DKernelTests.Invoke(type.GetMethod("RunReference")!, input, wanted);
        Assert.Equal(wanted, actual);
    }
}
