using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace KernelGen.Tests.Generator;

/// <summary>
/// The generated source of representative models, reviewed like code: a change here must be one you meant. Each model
/// is also compiled, run on every path and compared with the reference, so a snapshot is never of broken code.
/// </summary>
public sealed class SnapshotTests
{
    [Fact]
    public void PerTensorUInt8Relu_SmallWeightsUseVpmaddubsw()
        => Check(new TestModel("Mlp", 64, QuantType.UInt8, 0.0627451f, 0, new[]
        {
            Layer(64, 32, seed: 1, weightRange: 60, scales: new[] { 0.0105f }, zeroPoints: new[] { 0 }, outScale: 0.1f, outZero: 0, Activation.Relu, name: "fc1"),
        }));

    [Fact]
    public void PerChannelInt8Relu6_TwoLayersWithTailsAndPartialBlocks()
        => Check(new TestModel("Tails", 13, QuantType.Int8, 0.05f, -3, new[]
        {
            Layer(13, 11, seed: 2, weightRange: 127, scales: Scales(11, 3), zeroPoints: new[] { 0 }, outScale: 0.04f, outZero: -128, Activation.Relu6, name: "hidden"),
            Layer(11, 5, seed: 3, weightRange: 127, scales: Scales(5, 4), zeroPoints: new[] { 0 }, outScale: 0.2f, outZero: 7, Activation.None, name: "logits"),
        }));

    [Fact]
    public void UInt8WeightsWithPerChannelZeroPoints_FromFiles()
        => Check(new TestModel("Asymmetric", 20, QuantType.UInt8, 0.02f, 128, new[]
        {
            Layer(20, 9, seed: 4, weightRange: 0, scales: new[] { 0.01f }, zeroPoints: new[] { 100, 128, 140, 90, 255, 0, 128, 128, 7 }, outScale: 0.05f, outZero: 10,
                Activation.Relu, name: "fc", weightType: QuantType.UInt8, fromFiles: true),
        }));

    [Fact]
    public void LargeLayer_LoopsOverTilesAndGroupsWithALeftShift()
        => Check(new TestModel("Large", 100, QuantType.UInt8, 0.5f, 0, new[]
        {
            Layer(100, 72, seed: 5, weightRange: 127, scales: new[] { 0.5f }, zeroPoints: new[] { 0 }, outScale: 0.0625f, outZero: 128, Activation.None, name: "wide"),
        }));

    [Fact]
    public void NoBiasNoActivation_SingleOutput()
        => Check(new TestModel("Tiny", 1, QuantType.UInt8, 1f, 0, new[]
        {
            Layer(1, 1, seed: 6, weightRange: 127, scales: new[] { 0.5f }, zeroPoints: new[] { 0 }, outScale: 1f, outZero: 0, Activation.None, name: "only", bias: false),
        }));

    /// <summary>A convolution chain: 3x3 SAME stride 2 with int8 activations (border and interior pixels), a grouped 1x1
    /// read in place, and a Dense reading the feature map flattened.</summary>
    [Fact]
    public void Conv2D_SameStride2_Grouped1x1_ThenDense()
    {
        var random = new Random(11);
        string Values(int n, int range) => string.Join(",", Enumerable.Range(0, n).Select(_ => random.Next(-range, range + 1)));
        string source = $$"""
            namespace Snapshots;
            [KernelGen.QuantizedModel(6, 6, 2, ActivationType = KernelGen.QuantType.Int8, InputScale = 0.05f, InputZeroPoint = -3)]
            [KernelGen.Conv2D(4, 3, 3, Name = "conv", Weights = nameof(W0), Bias = nameof(B0), WeightScale = 0.01f, OutputScale = 0.08f, OutputZeroPoint = -128, OutputType = KernelGen.QuantType.Int8, Activation = KernelGen.Activation.Relu, Strides = new[] { 2, 2 }, Padding = KernelGen.Padding.Same)]
            [KernelGen.Conv2D(6, 1, 1, Name = "pointwise", Weights = nameof(W1), WeightScales = new[] { 0.01f, 0.02f, 0.015f, 0.01f, 0.03f, 0.02f }, OutputScale = 0.1f, OutputZeroPoint = 5, OutputType = KernelGen.QuantType.Int8, Groups = 2)]
            [KernelGen.Dense(54, 3, Name = "logits", Weights = nameof(W2), WeightScale = 0.02f, OutputScale = 0.2f, OutputType = KernelGen.QuantType.Int8)]
            public partial class ConvNet
            {
                static readonly sbyte[] W0 = { {{Values(4 * 3 * 3 * 2, 60)}} };
                static readonly int[] B0 = { 100, -50, 0, 7 };
                static readonly sbyte[] W1 = { {{Values(6 * 2, 127)}} };
                static readonly sbyte[] W2 = { {{Values(54 * 3, 127)}} };
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        GeneratedFile file = Assert.Single(run.Files);

        byte[] input = new byte[3 * 72];
        new Random(7).NextBytes(input);
        byte[] expected = new byte[3 * 3];
        foreach (PinnedPath path in Enum.GetValues<PinnedPath>().Where(ModelLoader.CanRun))
        {
            var loaded = new LoadedModel(ModelLoader.Load(run, new[] { source }, path), "Snapshots.ConvNet", signed: true);
            byte[] actual = new byte[expected.Length];
            if (path == PinnedPath.Native)
                loaded.RunReference(input, expected);
            loaded.Run(input, actual);
            Assert.Equal(expected, actual);
        }
        Snapshot.Verify(file.Source);
    }

    private static void Check(TestModel model, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        string directory = Path.Combine(Path.GetTempPath(), "kernelgen-snapshots", test);
        var files = new List<AdditionalText>();
        string source = model.Source("Snapshots", directory, files);
        GeneratorRun run = GeneratorHarness.Run(source, files);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        GeneratedFile file = Assert.Single(run.Files);
        Assert.Equal($"Snapshots.{model.ClassName}.KernelGen.g.cs", file.HintName);

        // Never snapshot broken code: every path must equal the reference on these inputs.
        var random = new Random(7);
        byte[] input = RandomModels.Input(random, model, 6);
        byte[] expected = new byte[6 * model.OutputSize];
        KernelGen.Reference.ReferenceOps.Model(model.InputSize, model.ReferenceLayers(), input, expected);
        foreach (PinnedPath path in Enum.GetValues<PinnedPath>().Where(ModelLoader.CanRun))
        {
            var loaded = new LoadedModel(ModelLoader.Load(run, new[] { source }, path), $"Snapshots.{model.ClassName}", model.ActivationType == QuantType.Int8);
            byte[] actual = new byte[expected.Length];
            loaded.Run(input, actual);
            Assert.Equal(expected, actual);
        }

        Snapshot.Verify(file.Source, testName: test);
    }

    private static float[] Scales(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(0.002 + random.NextDouble() * 0.01)).ToArray();
    }

    private static TestDense Layer(int inputs, int outputs, int seed, int weightRange, float[] scales, int[] zeroPoints, float outScale, int outZero,
        Activation activation, string name, QuantType weightType = QuantType.Int8, bool fromFiles = false, bool bias = true)
    {
        var random = new Random(seed);
        int[] weights = Enumerable.Range(0, inputs * outputs)
            .Select(_ => weightType == QuantType.UInt8 ? random.Next(0, 256) : random.Next(-weightRange, weightRange + 1)).ToArray();
        int[]? biases = bias ? Enumerable.Range(0, outputs).Select(_ => random.Next(-5000, 5000)).ToArray() : null;
        return new TestDense(inputs, outputs, weightType, weights, scales, zeroPoints, biases, outScale, outZero, activation,
            WeightsFromFile: fromFiles, BiasFromFile: fromFiles, Name: name);
    }
}
