extern alias generator;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KernelGen.Reference;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>
/// Compile-and-run for [DepthwiseConv2D]: random layers (sizes, kernels, strides, dilations, paddings, depth multipliers,
/// types, zero points, per-tensor and per-channel scales, bias, activations, both schemes, Int32 outputs) through the
/// generator, run on every kernel path, every output byte compared with RunReference and with the runtime's
/// <see cref="DepthwiseConv2DReferenceLayer"/> called directly.
/// </summary>
public sealed class DepthwiseConv2DKernelTests
{
    private static readonly Lazy<Batch> Models = new(() => Batch.Create(seed: 20261125, 48));

    public static TheoryData<PinnedPath> Paths => ModelLoader.PathData();

    [Theory]
    [MemberData(nameof(Paths))]
    public void RandomLayers_MatchReferenceBitForBit(PinnedPath path) => Models.Value.Check(path);

    [Fact]
    public void RandomLayers_CoverTheParameterSpace()
    {
        Batch batch = Models.Value;
        TestDepthwise[] layers = batch.Models.SelectMany(m => m.Layers).ToArray();
        Assert.Contains(layers, l => l.DepthMultiplier > 1);
        Assert.Contains(layers, l => l.Pads is not null);
        Assert.Contains(layers, l => l.Padding == KernelGen.Padding.Same && l.Pads is null);
        Assert.Contains(layers, l => l.Dilations[0] > 1 || l.Dilations[1] > 1);
        Assert.Contains(layers, l => l.Strides[0] > 1 || l.Strides[1] > 1);
        Assert.Contains(layers, l => l.Int32Output);
        Assert.Contains(layers, l => l.WeightType == QuantType.UInt8);
        Assert.Contains(batch.Models, m => m.Scheme == RequantizationScheme.Float);
        Assert.Contains(batch.Models, m => m.ActivationType == QuantType.Int8);
        string all = string.Concat(batch.Run.Files.Select(f => f.Source));
        Assert.Contains("for (int c = 0;", all);            // a loop over channel blocks
        Assert.Contains("ref gather, c)", all);            // depth multiplier 3: a permutation per looped block
        Assert.Contains("for (int ky = 0;", all);

        // Not vacuous: a good share of 8-bit outputs sit strictly inside the clamp range.
        int inside = 0, total = 0;
        foreach (TestDepthwiseModel model in batch.Models.Where(m => !m.Int32Output))
        {
            DepthwiseConv2DReferenceLayer last = model.ReferenceLayers()[^1];
            Quantization.QuantizationMath.ActivationRange(last.Activation, last.OutputScale, last.OutputZeroPoint, last.OutputType, out int min, out int max);
            foreach (byte b in batch.Expected[model.ClassName])
            {
                int v = last.OutputType == QuantType.Int8 ? (sbyte)b : b;
                inside += v > min && v < max ? 1 : 0;
                total++;
            }
        }
        Assert.True(inside > total / 5, $"only {inside} of {total} outputs are unclamped");
    }

    /// <summary>
    /// The generated source of a representative two-layer model, reviewed like code: 3x3 SAME with 17 channels (a loop over
    /// two channel blocks and a written-out tail of one; border runs with narrower tap ranges), then 3x3 stride 2 with depth
    /// multiplier 2 and per-channel uint8 weight zero points (permuted input lanes). Also run on every path.
    /// </summary>
    [Fact]
    public void Snapshot_SameThenStridedWithDepthMultiplier()
    {
        var random = new Random(5);
        int[] Weights(int count, QuantType type) => Enumerable.Range(0, count).Select(_ => type == QuantType.Int8 ? random.Next(-127, 128) : random.Next(0, 256)).ToArray();
        var model = new TestDepthwiseModel("Mobile", 6, 5, 17, QuantType.UInt8, 0.05f, 3, RequantizationScheme.FixedPoint, new[]
        {
            new TestDepthwise(3, 3, 1, new[] { 1, 1 }, new[] { 1, 1 }, KernelGen.Padding.Same, null, QuantType.Int8, Weights(9 * 17, QuantType.Int8),
                Enumerable.Range(0, 17).Select(j => 0.002f + 0.0005f * j).ToArray(), new[] { 0 }, Enumerable.Range(0, 17).Select(j => 100 * j - 800).ToArray(),
                0.04f, 0, Activation.Relu6, false, Name: "dw1"),
            new TestDepthwise(3, 3, 2, new[] { 2, 2 }, new[] { 1, 1 }, KernelGen.Padding.Valid, null, QuantType.UInt8, Weights(9 * 34, QuantType.UInt8),
                new[] { 0.01f }, Enumerable.Range(0, 34).Select(j => 120 + j % 9).ToArray(), null, 0.08f, 128, Activation.None, false, Name: "dw2"),
        });
        string source = model.Source("Snapshots");
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        GeneratedFile file = Assert.Single(run.Files);

        byte[] input = model.Input(new Random(7), 6);
        byte[] expected = new byte[6 * model.OutputBytes];
        ReferenceOps.Model(model.InputBytes, model.ReferenceLayers(), input, expected);
        foreach (PinnedPath path in Enum.GetValues<PinnedPath>().Where(ModelLoader.CanRun))
        {
            Type type = ModelLoader.Load(run, new[] { source }, path).GetType("Snapshots.Mobile", throwOnError: true)!;
            byte[] actual = new byte[expected.Length];
            TestDepthwiseModel.Invoke(type, "Run", input, actual);
            Assert.Equal(expected, actual);
        }
        Snapshot.Verify(file.Source);
    }

    /// <summary>The generated code compiles as C# 7.3 with no warnings: random layers (every feature of the op) in a
    /// block namespace, as an old project declares them.</summary>
    [Fact]
    public void GeneratedCode_CompilesAsCSharp73WithoutWarnings()
    {
        var random = new Random(11);
        string body = string.Concat(Enumerable.Range(0, 12).Select(i => TestDepthwiseModel.Random(random, $"Old{i}").Source("X").Replace("namespace X;", "")));
        string source = "namespace Old {\n" + body + "}\n";
        var options = new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp7_3);
        Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { source });
        compilation = compilation.WithOptions(compilation.Options.WithNullableContextOptions(Microsoft.CodeAnalysis.NullableContextOptions.Disable))
            .ReplaceSyntaxTree(compilation.SyntaxTrees[0], Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, options, path: "Old.cs"));
        Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(new[] { Microsoft.CodeAnalysis.GeneratorExtensions.AsSourceGenerator(new generator::KernelGen.Generator.KernelGenGenerator()) }, parseOptions: options)
            .RunGeneratorsAndUpdateCompilation(compilation, out Microsoft.CodeAnalysis.Compilation output, out var diagnostics);
        Assert.Empty(diagnostics);
        Assert.Equal(13, output.SyntaxTrees.Count());
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
    }

    private sealed class Batch
    {
        public required List<TestDepthwiseModel> Models { get; init; }
        public required string[] Sources { get; init; }
        public required GeneratorRun Run { get; init; }
        public required Dictionary<string, byte[]> Inputs { get; init; }
        public required Dictionary<string, byte[]> Expected { get; init; }

        public static Batch Create(int seed, int count)
        {
            var random = new Random(seed);
            var models = new List<TestDepthwiseModel>();
            for (int i = 0; i < count; i++)
                models.Add(TestDepthwiseModel.Random(random, $"Depthwise{i}"));
            string[] sources = models.Select(m => m.Source("RandomDepthwise")).ToArray();
            GeneratorRun run = GeneratorHarness.Run(sources);
            Assert.Empty(run.Diagnostics);
            Assert.Empty(run.CompileErrors);

            var inputs = new Dictionary<string, byte[]>();
            var expected = new Dictionary<string, byte[]>();
            foreach (TestDepthwiseModel model in models)
            {
                int rows = 6 + random.Next(2);
                byte[] input = model.Input(random, rows);
                byte[] output = new byte[rows * model.OutputBytes];
                ReferenceOps.Model(model.InputBytes, model.ReferenceLayers(), input, output);
                inputs[model.ClassName] = input;
                expected[model.ClassName] = output;
            }
            return new Batch { Models = models, Sources = sources, Run = run, Inputs = inputs, Expected = expected };
        }

        public void Check(PinnedPath path)
        {
            if (!ModelLoader.CanRun(path))
                return;
            Assembly assembly = ModelLoader.Load(Run, Sources, path);
            foreach (TestDepthwiseModel model in Models)
            {
                Type type = assembly.GetType($"RandomDepthwise.{model.ClassName}", throwOnError: true)!;
                byte[] input = Inputs[model.ClassName];
                byte[] actual = new byte[Expected[model.ClassName].Length];
                byte[] declared = new byte[actual.Length];
                TestDepthwiseModel.Invoke(type, "Run", input, actual);
                TestDepthwiseModel.Invoke(type, "RunReference", input, declared);
                AssertEqual(Expected[model.ClassName], declared, model, "RunReference");
                AssertEqual(Expected[model.ClassName], actual, model, $"Run ({path})");
            }
        }

        private static void AssertEqual(byte[] expected, byte[] actual, TestDepthwiseModel model, string what)
        {
            int index = expected.AsSpan().CommonPrefixLength(actual);
            if (index == expected.Length)
                return;
            Assert.Fail($"{what} of {model.ClassName} differs from the reference at byte {index} of {expected.Length} (image bytes {model.OutputBytes}): "
                + $"expected {expected[index]}, got {actual[index]}.\n{model.Source("RandomDepthwise")}");
        }
    }
}
