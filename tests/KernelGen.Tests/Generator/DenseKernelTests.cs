using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using KernelGen.Reference;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace KernelGen.Tests.Generator;

/// <summary>
/// Compile-and-run: random models through the generator, compiled, run on every kernel path, compared bit-for-bit with
/// the runtime's reference computed from the test's own description of each model.
/// </summary>
public sealed class DenseKernelTests
{
    private const int ModelCount = 48;

    private static readonly Lazy<Batch> Models = new(() => Batch.Create(seed: 20261124, ModelCount, extreme: false));
    private static readonly Lazy<Batch> ExtremeModels = new(() => Batch.Create(seed: 31, 12, extreme: true));

    public static TheoryData<PinnedPath> Paths => ModelLoader.PathData();

    [Theory]
    [MemberData(nameof(Paths))]
    public void RandomModels_MatchReferenceBitForBit(PinnedPath path) => Models.Value.Check(path);

    [Theory]
    [MemberData(nameof(Paths))]
    public void ExtremeMultipliers_MatchReferenceBitForBit(PinnedPath path) => ExtremeModels.Value.Check(path);

    /// <summary>
    /// TFLite treats a scale array of one element as per-tensor (scale->size > 1 decides), so its multiplier rounds the
    /// product input_scale * weight_scale to float first. This case, found by an independent oracle, gives 15 that way
    /// and 14 with the all-double per-channel formula: both declared forms must give 15.
    /// </summary>
    [Theory]
    [InlineData("WeightScale = 0.001025892f")]
    [InlineData("WeightScales = new[] { 0.001025892f }")]
    public void OneElementWeightScales_IsPerTensorAsInTFLite(string scale)
    {
        string source = $$"""
            namespace T;
            [KernelGen.QuantizedModel(2, InputScale = 0.0019972294f)]
            [KernelGen.Dense(2, 1, Weights = nameof(W), Bias = nameof(B), {{scale}}, OutputScale = 0.0055128764f)]
            public partial class M { static readonly sbyte[] W = { 127, 1 }; static readonly int[] B = { 22726 }; }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Contains("(double)(float)(input scale * weight scale) / output scale, as TFLite per-tensor", run.Files[0].Source);
        Type type = ModelLoader.Load(run, new[] { source }, PinnedPath.Native).GetType("T.M")!;
        byte[] input = { 127, 158 }, kernel = new byte[1], reference = new byte[1];
        type.GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 2).CreateDelegate<ByteModel>()(input, kernel);
        type.GetMethod("RunReference")!.CreateDelegate<ByteModel>()(input, reference);
        Assert.Equal(15, kernel[0]);
        Assert.Equal(15, reference[0]);
    }

    [Fact]
    public void RandomModels_CoverBothWeightOperandsAndUnclampedOutputs()
    {
        Batch batch = Models.Value;
        string all = string.Concat(batch.Run.Files.Select(f => f.Source));
        Assert.Contains("Avx2.MultiplyAddAdjacent(global::System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent(", all); // vpmaddubsw path
        Assert.Contains("_Weights16.Reference", all);                                   // exact path, int16 copy
        Assert.Contains("for (int t = 0;", all);                                         // a loop over full tiles
        Assert.Contains("for (int g = 0;", all);                                         // a k loop

        // The comparison must not be vacuous: a good share of reference outputs sit strictly inside the clamp range.
        int inside = 0, total = 0;
        foreach (TestModel model in batch.Models)
        {
            DenseReferenceLayer last = model.ReferenceLayers()[^1];
            Quantization.QuantizationMath.ActivationRange(last.Activation, last.OutputScale, last.OutputZeroPoint, last.ActivationType, out int min, out int max);
            byte[] output = batch.Expected[model.ClassName];
            foreach (byte b in output)
            {
                int v = model.ActivationType == QuantType.Int8 ? (sbyte)b : b;
                inside += v > min && v < max ? 1 : 0;
                total++;
            }
        }
        // ReLU on a third of the layers and the all-min / all-max edge rows clamp the rest.
        Assert.True(inside > total / 5, $"only {inside} of {total} outputs are unclamped");
    }

    private sealed class Batch
    {
        public required List<TestModel> Models { get; init; }
        public required string[] Sources { get; init; }
        public required GeneratorRun Run { get; init; }
        public required Dictionary<string, byte[]> Inputs { get; init; }
        public required Dictionary<string, byte[]> Expected { get; init; }

        public static Batch Create(int seed, int count, bool extreme)
        {
            var random = new Random(seed);
            string directory = Path.Combine(Path.GetTempPath(), "kernelgen-tests", $"{seed}-{Environment.ProcessId}");
            var files = new List<AdditionalText>();
            var models = new List<TestModel>();
            var sources = new List<string>();
            for (int i = 0; i < count; i++)
            {
                TestModel model = RandomModels.Create(random, $"Model{i}", extreme);
                models.Add(model);
                sources.Add(model.Source("Random", directory, files));
            }
            GeneratorRun run = GeneratorHarness.Run(sources, files);
            Assert.Empty(run.Diagnostics);
            Assert.Empty(run.CompileErrors);

            var inputs = new Dictionary<string, byte[]>();
            var expected = new Dictionary<string, byte[]>();
            foreach (TestModel model in models)
            {
                int rows = 6 + random.Next(3);
                byte[] input = RandomModels.Input(random, model, rows);
                byte[] output = new byte[rows * model.OutputSize];
                ReferenceOps.Model(model.InputSize, model.ReferenceLayers(), input, output);
                inputs[model.ClassName] = input;
                expected[model.ClassName] = output;
            }
            return new Batch { Models = models, Sources = sources.ToArray(), Run = run, Inputs = inputs, Expected = expected };
        }

        public void Check(PinnedPath path)
        {
            if (!ModelLoader.CanRun(path))
                return; // This process has AVX2 disabled; the Native and Scalar runs cover it.
            Assembly assembly = ModelLoader.Load(Run, Sources, path);
            foreach (TestModel model in Models)
            {
                var loaded = new LoadedModel(assembly, $"Random.{model.ClassName}", model.ActivationType == QuantType.Int8);
                byte[] input = Inputs[model.ClassName];
                byte[] actual = new byte[Expected[model.ClassName].Length];
                byte[] declared = new byte[actual.Length];
                loaded.Run(input, actual);
                loaded.RunReference(input, declared);
                AssertEqual(Expected[model.ClassName], declared, model, "RunReference");
                AssertEqual(Expected[model.ClassName], actual, model, $"Run ({path})");
            }
        }

        private static void AssertEqual(byte[] expected, byte[] actual, TestModel model, string what)
        {
            int index = expected.AsSpan().CommonPrefixLength(actual);
            if (index == expected.Length)
                return;
            int row = index / model.OutputSize;
            Assert.Fail($"{what} of {model.ClassName} differs from the reference at row {row}, output {index % model.OutputSize}: "
                + $"expected {expected[index]}, got {actual[index]}. Model: "
                + string.Join(" -> ", model.Layers.Select(l => $"Dense {l.Inputs}x{l.Outputs} {l.WeightType} scales={l.WeightScales.Length} zp={l.WeightZeroPoints.Length} act={l.Activation}")));
        }
    }
}
