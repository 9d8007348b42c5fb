using System;
using System.Linq;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>
/// The generated source of pool models, reviewed like code. Each is also compiled and run on every path against
/// RunReference, so a snapshot is never of broken code.
/// </summary>
public sealed class PoolSnapshotTests
{
    /// <summary>MaxPool (SAME, stride 2, no rescale), AveragePool (explicit pads, rescale table, ReLU), GlobalAveragePool
    /// (rescale): 40 channels, one full block and an overlapping tail.</summary>
    [Fact]
    public void UInt8_MaxAverageGlobal_Chain()
        => Check("Pools", """
            namespace Snapshots;
            [KernelGen.QuantizedModel(9, 9, 40, InputScale = 0.05f, InputZeroPoint = 10)]
            [KernelGen.MaxPool(3, 3, Strides = new[] { 2, 2 }, Padding = KernelGen.Padding.Same, Name = "pool1")]
            [KernelGen.AveragePool(2, 2, Strides = new[] { 1, 1 }, Pads = new[] { 1, 1, 0, 0 }, OutputScale = 0.04f, OutputZeroPoint = 0, Activation = KernelGen.Activation.Relu, Name = "avg")]
            [KernelGen.GlobalAveragePool(OutputScale = 0.1f, OutputZeroPoint = 128, Name = "gap")]
            public partial class Pools { }
            """, signed: false);

    /// <summary>Int8 in the float scheme: a 12-channel MaxPool with ReLU6 and no rescale (scalar fallback below 32 channels).</summary>
    [Fact]
    public void Int8_FewChannels_Relu6()
        => Check("Narrow", """
            namespace Snapshots;
            [KernelGen.QuantizedModel(5, 5, 12, ActivationType = KernelGen.QuantType.Int8, InputScale = 0.05f, InputZeroPoint = -3, Requantization = KernelGen.RequantizationScheme.Float)]
            [KernelGen.MaxPool(2, 2, Activation = KernelGen.Activation.Relu6, Name = "pool")]
            public partial class Narrow { }
            """, signed: true);

    private static void Check(string className, string source, bool signed, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        GeneratedFile file = Assert.Single(run.Files);

        var random = new Random(7);
        byte[] expected = null!;
        byte[] input = null!;
        foreach (PinnedPath path in Enum.GetValues<PinnedPath>().Where(ModelLoader.CanRun))
        {
            var loaded = new LoadedModel(ModelLoader.Load(run, new[] { source }, path), $"Snapshots.{className}", signed);
            int inSize = (int)loaded.Type.GetField("InputSize")!.GetValue(null)!;
            int outSize = (int)loaded.Type.GetField("OutputSize")!.GetValue(null)!;
            if (expected is null)
            {
                input = new byte[4 * inSize];
                random.NextBytes(input);
                expected = new byte[4 * outSize];
                loaded.RunReference(input, expected);
            }
            byte[] actual = new byte[expected.Length];
            loaded.Run(input, actual);
            Assert.Equal(expected, actual);
        }

        Snapshot.Verify(file.Source, testName: test);
    }
}
