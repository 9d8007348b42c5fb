using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>
/// The register-blocked kernels (MR rows x NR slots, then one row at a time), the chunked driver and RunParallel, on every
/// path: batches that cross each step's row block (2, 4, 8 rows) and the driver's chunk (64 rows) equal RunReference byte
/// for byte, for each weight operand (vpmaddubsw, int16 copy, widening in the kernel) and with weight zero points.
/// </summary>
public sealed class RegisterBlockingTests
{
    private static readonly int[] Batches = { 1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 64, 65, 130 };

    /// <summary>Models named after what they cover: Small (weights in -63..63: vpmaddubsw), Int16 (full range, small: the
    /// int16 copy), Widen (full range, 264x256: 270 KB as int16, over the budget, so the kernels widen), ZeroPoints (uint8
    /// weights with per-column zero points), Mlp (two layers through the arena), Int8In (int8 activations, odd K);
    /// SplitSmall (512x520, -63..63) and Split (520x520 full range, then 520x12) have layers large enough for RunParallel
    /// to split a small batch over their 17 column tiles (16 of 4 blocks, a last one of 1).</summary>
    private static readonly Lazy<(string Source, GeneratorRun Run)> Generated = new(() =>
    {
        var random = new Random(1212);
        var source = new StringBuilder("using KernelGen;\nnamespace B;\n");
        source.Append(Model(random, "Small", 72, 40, -63, 63));
        source.Append(Model(random, "Int16", 64, 32, -128, 127));
        source.Append(Model(random, "Widen", 264, 256, -128, 127));
        source.Append(Model(random, "ZeroPoints", 36, 20, 0, 255, uint8Weights: true));
        source.Append(Model(random, "Int8In", 37, 19, -127, 127, int8Input: true));
        source.Append(Mlp(random));
        source.Append(Model(random, "SplitSmall", 512, 520, -63, 63));
        source.Append(Split(random));
        string text = source.ToString();
        GeneratorRun run = GeneratorHarness.Run(text);
        Assert.Empty(run.Diagnostics);
        return (text, run);
    });

    private static readonly Dictionary<PinnedPath, Assembly> Loaded = new();

    private static Assembly Load(PinnedPath path)
    {
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(path, out Assembly? assembly))
                Loaded[path] = assembly = ModelLoader.Load(Generated.Value.Run, new[] { Generated.Value.Source }, path);
            return assembly;
        }
    }

    public static TheoryData<PinnedPath> Paths => ModelLoader.PathData();

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryBatchSize_EqualsTheReference(PinnedPath path)
    {
        if (!ModelLoader.CanRun(path))
            return;
        Assembly assembly = Load(path);
        var failures = new List<string>();
        foreach (string name in new[] { "Small", "Int16", "Widen", "ZeroPoints", "Int8In", "Mlp", "SplitSmall", "Split" })
        {
            var model = new LoadedModel(assembly, "B." + name, signed: name == "Int8In");
            Type type = model.Type;
            int inputSize = (int)type.GetField("InputSize")!.GetValue(null)!;
            int outputSize = (int)type.GetField("OutputSize")!.GetValue(null)!;
            ByteModel run = model.Run, reference = model.RunReference;
            var random = new Random(name.Length * 31 + (int)path);
            foreach (int batch in Batches)
            {
                byte[] input = new byte[batch * inputSize];
                random.NextBytes(input);
                byte[] expected = new byte[batch * outputSize], actual = new byte[batch * outputSize];
                reference(input, expected);
                run(input, actual);
                if (!expected.AsSpan().SequenceEqual(actual))
                {
                    int row = Enumerable.Range(0, expected.Length).First(i => expected[i] != actual[i]) / outputSize;
                    failures.Add($"{name} batch {batch}: first differing row {row}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"[{path}] " + string.Join("; ", failures));
    }

    [Fact]
    public void EachWeightOperand_AndEachPath_HasItsKernel_NamedForItsContract()
    {
        // op, MR x columns c4, weight operand, requantization, path: the AVX2 variants differ in the operand.
        Assert.Matches(@"Fc_Dense4x16c4_Madd_Gemmlowp_Avx2\(", Section("Small"));
        Assert.Matches(@"Fc_Dense8x32c4_Madd_Gemmlowp_Avx512BW\(", Section("Small"));
        Assert.Matches(@"Fc_Dense1x32c4_I16_Gemmlowp_Avx2\(", Section("Int16"));
        Assert.Matches(@"Fc_Dense4x32c4_I16_Gemmlowp_Avx512BW\(", Section("Int16"));
        Assert.Matches(@"Fc_Dense1x32c4_Widen_Gemmlowp_Avx2\(", Section("Widen"));
        Assert.Matches(@"Fc_Dense4x32c4_Widen_Gemmlowp_Avx512BW\(", Section("Widen"));
        Assert.Matches(@"Fc_Dense4x16c4_Vnni_Gemmlowp_AvxVnni\(", Section("Widen"));
        Assert.Contains("Fc_Weights16 = new global::KernelGen.Kernels.WidenedWeights(Fc_Weights)", Section("Int16"));
        Assert.DoesNotContain("WidenedWeights", Section("Widen"));
        Assert.Contains("ConvertToVector512Int16(", Section("Widen"));
    }

    [Fact]
    public void DispatchOrder_IsTheOneTheTestsPin()
    {
        // ModelLoader pins a path by turning the conditions before it to false: they must be the generated ones, in order.
        string generated = Section("Small");
        Match active = Regex.Match(generated, @"ActivePath =>\s*(?<body>[^;]*;)");
        Assert.True(active.Success);
        string[] conditions = Regex.Matches(active.Groups["body"].Value, @"(global::[\w.]+\.IsSupported)").Select(m => m.Value).ToArray();
        Assert.Equal(new[]
        {
            "global::System.Runtime.Intrinsics.X86.AvxVnni.IsSupported",
            "global::System.Runtime.Intrinsics.X86.Avx512BW.IsSupported",
            "global::System.Runtime.Intrinsics.X86.Avx2.IsSupported",
        }, conditions);
        Assert.Equal(new[] { "AvxVnni", "Avx512BW", "Avx2", "Scalar" },
            Regex.Matches(active.Groups["body"].Value, @"KernelPath\.(\w+)").Select(m => m.Groups[1].Value).ToArray());
    }

    [Fact]
    public void RunParallel_EqualsRun_ForEveryDegreeAndBatch()
    {
        Assembly assembly = Load(PinnedPath.Native);
        foreach (string name in new[] { "Mlp", "Widen" })
        {
            Type type = assembly.GetType("B." + name)!;
            int inputSize = (int)type.GetField("InputSize")!.GetValue(null)!;
            int outputSize = (int)type.GetField("OutputSize")!.GetValue(null)!;
            ByteModel run = type.GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 2).CreateDelegate<ByteModel>();
            MethodInfo parallel = type.GetMethod("RunParallel")!;
            var random = new Random(7);
            foreach (int batch in new[] { 1, 7, 33, 100 })
            {
                byte[] input = new byte[batch * inputSize];
                random.NextBytes(input);
                byte[] expected = new byte[batch * outputSize];
                run(input, expected);
                foreach (int degree in new[] { 1, 2, 3, 8 })
                {
                    byte[] actual = new byte[batch * outputSize];
                    parallel.Invoke(null, new object[] { new ReadOnlyMemory<byte>(input), new Memory<byte>(actual), degree });
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{name} batch {batch} degree {degree}");
                }
            }

            // A degree below 1 is an error, and nothing is written.
            byte[] untouched = Enumerable.Repeat((byte)0xA5, outputSize).ToArray();
            var error = Assert.Throws<TargetInvocationException>(() =>
                parallel.Invoke(null, new object[] { new ReadOnlyMemory<byte>(new byte[inputSize]), new Memory<byte>(untouched), 0 }));
            Assert.IsType<ArgumentOutOfRangeException>(error.InnerException);
            Assert.All(untouched, b => Assert.Equal(0xA5, b));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void RunParallel_SplitsASmallBatchOverColumns_AndEqualsTheReference(PinnedPath path)
    {
        if (!ModelLoader.CanRun(path))
            return;
        Assembly assembly = Load(path);
        var failures = new List<string>();
        foreach (string name in new[] { "SplitSmall", "Split", "Mlp" })
        {
            var model = new LoadedModel(assembly, "B." + name, signed: false);
            Type type = model.Type;
            int inputSize = (int)type.GetField("InputSize")!.GetValue(null)!;
            int outputSize = (int)type.GetField("OutputSize")!.GetValue(null)!;
            MethodInfo parallel = type.GetMethod("RunParallel")!;
            var random = new Random(name.Length * 17 + (int)path);
            // Up to one block of rows: the column split; 9 rows: the row split.
            foreach (int batch in new[] { 1, 2, 3, 5, 8, 9 })
            {
                byte[] input = new byte[batch * inputSize];
                random.NextBytes(input);
                byte[] expected = new byte[batch * outputSize];
                model.RunReference(input, expected);
                foreach (int degree in new[] { 1, 2, 3, 5, 17, 64 })
                {
                    byte[] actual = Enumerable.Repeat((byte)0xA5, batch * outputSize).ToArray();
                    parallel.Invoke(null, new object[] { new ReadOnlyMemory<byte>(input), new Memory<byte>(actual), degree });
                    if (!expected.AsSpan().SequenceEqual(actual))
                        failures.Add($"{name} batch {batch} degree {degree}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"[{path}] " + string.Join("; ", failures));
    }

    [Fact]
    public void OnlyLayersLargeEnough_TakeAColumnTileRange()
    {
        // 520x520 and 512x520: at least 2^18 multiply-adds per row; the 520x12 layer and the 264x256 one run whole.
        string split = Section("Split");
        Assert.Matches(@"Hidden_Dense1x32c4_Widen_Gemmlowp_Avx2\(ref byte x, ref byte y, int rows, int firstTile, int endTile\)", split);
        Assert.Matches(@"Hidden_Scalar\(ref byte x, ref byte y, int rows, int firstTile, int endTile\)", split);
        Assert.Matches(@"Logits_Dense1x32c4_I16_Gemmlowp_Avx2\(ref byte x, ref byte y, int rows\)", split);
        Assert.Contains("for (int t = firstTile; t < (endTile < 16 ? endTile : 16); t++)", split);
        Assert.Contains("if (firstTile <= 16 && 16 < endTile)", split);
        Assert.Contains("global::KernelGen.ParallelRows.ForTiles(17, degreeOfParallelism, (first, count) =>", split);
        Assert.Contains("int firstTile, int endTile", Section("SplitSmall"));
        foreach (string whole in new[] { "Widen", "Mlp" })
        {
            Assert.DoesNotContain("firstTile", Section(whole));
            Assert.DoesNotContain("RunColumns", Section(whole));
        }
    }

    [Fact]
    public void ParallelTiles_CoverTheLayerInContiguousRanges()
    {
        foreach (int tiles in new[] { 1, 2, 17, 32 })
        {
            foreach (int degree in new[] { 1, 2, 3, 16, 40 })
            {
                var seen = new System.Collections.Concurrent.ConcurrentBag<(int First, int Count)>();
                ParallelRows.ForTiles(tiles, degree, (first, count) => seen.Add((first, count)));
                var ranges = seen.OrderBy(r => r.First).ToList();
                Assert.Equal(Math.Min(tiles, degree), ranges.Count);
                int next = 0;
                foreach ((int first, int count) in ranges)
                {
                    Assert.Equal(next, first);
                    Assert.True(count > 0);
                    next = first + count;
                }
                Assert.Equal(tiles, next);
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => ParallelRows.ForTiles(4, 0, (_, _) => { }));
        Assert.True(ParallelRows.SplitsColumns(8, 2));
        Assert.False(ParallelRows.SplitsColumns(9, 2));
        Assert.False(ParallelRows.SplitsColumns(1, 1));
    }

    [Fact]
    public void ParallelRanges_CoverTheBatchInWholeBlocks()
    {
        foreach (int rows in new[] { 1, 8, 9, 63, 64, 65, 1000 })
        {
            foreach (int ranges in new[] { 1, 2, 3, 7 })
            {
                int blocks = (rows + ParallelRows.Granularity - 1) / ParallelRows.Granularity;
                if (ranges > blocks)
                    continue;
                int next = 0;
                for (int i = 0; i < ranges; i++)
                {
                    (int first, int count) = ParallelRows.Range(rows, ranges, i);
                    Assert.Equal(next, first);
                    Assert.True(count > 0);
                    Assert.True(first % ParallelRows.Granularity == 0);
                    next = first + count;
                }
                Assert.Equal(rows, next);
            }
        }
    }

    /// <summary>The generated file of one model.</summary>
    private static string Section(string model)
        => Generated.Value.Run.Files.Single(f => f.HintName.StartsWith("B." + model + ".", StringComparison.Ordinal)).Source;

    private static string Model(Random random, string name, int k, int n, int lo, int hi, bool uint8Weights = false, bool int8Input = false)
    {
        string type = uint8Weights ? "byte" : "sbyte";
        string weights = string.Join(",", Enumerable.Range(0, k * n).Select(_ => random.Next(lo, hi + 1)));
        string zeros = uint8Weights ? $", WeightType = QuantType.UInt8, WeightZeroPoints = new[] {{ {string.Join(", ", Enumerable.Range(0, n).Select(_ => random.Next(100, 156)))} }}" : "";
        string scales = string.Join(", ", Enumerable.Range(0, n).Select(_ => "0.003f"));
        string activation = int8Input ? "ActivationType = QuantType.Int8, InputScale = 0.02f, InputZeroPoint = -3" : "InputScale = 0.02f, InputZeroPoint = 128";
        float outputScale = (float)(0.02 * 0.003 * 127 * Math.Sqrt(k) * (uint8Weights ? 1 : 2));
        return $$"""
            [QuantizedModel({{k}}, {{activation}})]
            [Dense({{k}}, {{n}}, Name = "fc", Weights = nameof(W), WeightScales = new[] { {{scales}} }{{zeros}}, OutputScale = {{outputScale.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}f, OutputZeroPoint = {{(int8Input ? 0 : 128)}})]
            public partial class {{name}} { static readonly {{type}}[] W = { {{weights}} }; }

            """;
    }

    private static string Split(Random random)
    {
        string w1 = string.Join(",", Enumerable.Range(0, 520 * 520).Select(_ => random.Next(-128, 128)));
        string w2 = string.Join(",", Enumerable.Range(0, 520 * 12).Select(_ => random.Next(-128, 128)));
        return $$"""
            [QuantizedModel(520, InputScale = 0.02f, InputZeroPoint = 128)]
            [Dense(520, 520, Name = "hidden", Weights = nameof(W1), WeightScale = 0.003f, OutputScale = 0.2f, Activation = Activation.Relu)]
            [Dense(520, 12, Name = "logits", Weights = nameof(W2), WeightScale = 0.003f, OutputScale = 0.5f, OutputZeroPoint = 128)]
            public partial class Split { static readonly sbyte[] W1 = { {{w1}} }; static readonly sbyte[] W2 = { {{w2}} }; }

            """;
    }

    private static string Mlp(Random random)
    {
        string w1 = string.Join(",", Enumerable.Range(0, 48 * 40).Select(_ => random.Next(-127, 128)));
        string w2 = string.Join(",", Enumerable.Range(0, 40 * 10).Select(_ => random.Next(-127, 128)));
        return $$"""
            [QuantizedModel(48, InputScale = 0.02f, InputZeroPoint = 128)]
            [Dense(48, 40, Name = "hidden", Weights = nameof(W1), WeightScale = 0.003f, OutputScale = 0.05f, Activation = Activation.Relu)]
            [Dense(40, 10, Name = "logits", Weights = nameof(W2), WeightScale = 0.003f, OutputScale = 0.08f, OutputZeroPoint = 128)]
            public partial class Mlp { static readonly sbyte[] W1 = { {{w1}} }; static readonly sbyte[] W2 = { {{w2}} }; }

            """;
    }
}
