using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using KernelGen.Quantization;
using KernelGen.Reference;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace KernelGen.Tests.Generator;

/// <summary>
/// Compile-and-run of what the tensor-graph restructuring added to Dense: the float requantization scheme
/// (<c>Requantization = RequantizationScheme.Float</c>), Int32 outputs (ONNX MatMulInteger), mixed 8-bit input and output
/// types, layers that read an earlier tensor by name, and the static memory plan reusing dead tensors' bytes. Every model
/// is generated, compiled and run on every path; every output byte must equal RunReference, the runtime's reference graph,
/// and the <see cref="DenseReferenceLayer"/>s called directly layer by layer.
/// </summary>
public sealed class DenseSchemeTests
{
    public static TheoryData<PinnedPath> Paths => ModelLoader.PathData();

    private static readonly Lazy<ModelBatch> FloatModels = new(() => ModelBatch.Create("FloatRandom", 20261125, 32, (r, n) => FloatModel(r, n, extreme: false)));
    private static readonly Lazy<ModelBatch> FloatExtremeModels = new(() => ModelBatch.Create("FloatExtreme", 77, 12, (r, n) => FloatModel(r, n, extreme: true)));
    private static readonly Lazy<ModelBatch> IntegerModels = new(() => ModelBatch.Create("IntegerRandom", 4242, 24, IntegerModel));
    private static readonly Lazy<ModelBatch> GraphModels = new(() => ModelBatch.Create("GraphRandom", 9001, 24, GraphModel));
    private static readonly Lazy<ModelBatch> EdgeModels = new(() => ModelBatch.Create("FloatEdges", 5, EdgeCases()));

    [Theory]
    [MemberData(nameof(Paths))]
    public void FloatScheme_RandomModels_MatchReferenceBitForBit(PinnedPath path) => FloatModels.Value.Check(path);

    [Theory]
    [MemberData(nameof(Paths))]
    public void FloatScheme_ExtremeScales_MatchReferenceBitForBit(PinnedPath path) => FloatExtremeModels.Value.Check(path);

    [Theory]
    [MemberData(nameof(Paths))]
    public void FloatScheme_EdgeCases_MatchReferenceBitForBit(PinnedPath path) => EdgeModels.Value.Check(path);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Int32Output_RandomModels_EqualReferenceAccumulators(PinnedPath path) => IntegerModels.Value.Check(path);

    [Theory]
    [MemberData(nameof(Paths))]
    public void NamedInputs_RandomGraphs_MatchReferenceBitForBit(PinnedPath path) => GraphModels.Value.Check(path);

    [Fact]
    public void FloatScheme_RandomModels_CoverTheirCases()
    {
        ModelBatch batch = FloatModels.Value;
        string all = batch.AllSource;
        Assert.Contains("(float scheme, as ONNX Runtime)", all);
        Assert.DoesNotContain("SaturatingRoundingDoublingHighMul(", all);           // no fixed-point step in a float model
        Assert.Matches(@"ref float scales = ref [\w.:]+\.GetReference\(\w+_Scales\);", all);       // per-channel: a table
        Assert.Matches(@"Vector256<float> scale = global::System\.Runtime\.Intrinsics\.Vector256\.Create\(", all); // uniform: an immediate
        TestModel[] models = batch.Models.ToArray();
        Assert.Contains(models, m => m.OutputType == QuantType.Int32);
        Assert.Contains(models, m => m.TensorTypes().Skip(1).Any(t => t != m.ActivationType && t != QuantType.Int32));
        foreach (QuantType input in new[] { QuantType.UInt8, QuantType.Int8 })
        {
            foreach (QuantType output in new[] { QuantType.UInt8, QuantType.Int8 })
                Assert.Contains(models, m => m.ActivationType == input && m.OutputType == output);
        }

        // Not vacuous: a good share of the 8-bit outputs sit strictly inside their clamp range.
        int inside = 0, total = 0;
        foreach (TestModel model in models.Where(m => m.OutputType != QuantType.Int32))
        {
            var last = (DenseReferenceLayer)model.ReferenceGraph().Nodes[^1].Layer;
            QuantizationMath.ActivationRange(last.Activation, last.OutputScale, last.OutputZeroPoint, last.OutputType, out int min, out int max);
            foreach (byte b in batch.Expected[model.ClassName])
            {
                int v = model.OutputType == QuantType.Int8 ? (sbyte)b : b;
                inside += v > min && v < max ? 1 : 0;
                total++;
            }
        }
        // Type switches re-pick zero points, so more outputs clamp than in the fixed-point batch; hundreds still do not.
        Assert.True(inside > total / 8, $"only {inside} of {total} outputs are unclamped");
    }

    [Fact]
    public void FloatScheme_EdgeCases_AreNotVacuous()
    {
        ModelBatch batch = EdgeModels.Value;

        // Ties: the Int32 twin gives the accumulators; acc * scale must land exactly on .5 for many of them, and both
        // neighbours (even up and even down) must occur.
        TestModel ties = batch.Models.Single(m => m.ClassName == "Ties");
        TestModel twin = ties with { Layers = new[] { ties.Layers[0] with { OutputType = QuantType.Int32 } } };
        byte[] acc = new byte[batch.Inputs["Ties"].Length / ties.InputSize * twin.OutputBytes];
        ReferenceOps.Model(twin.ReferenceGraph(), batch.Inputs["Ties"], acc);
        int[] accumulators = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(acc).ToArray();
        float[] scales = ties.Layers[0].WeightScales.Select(w => QuantizationMath.FloatRequantizationScale(ties.InputScale, w, ties.Layers[0].OutputScale)).ToArray();
        int n = ties.OutputSize, up = 0, down = 0;
        for (int i = 0; i < accumulators.Length; i++)
        {
            float v = accumulators[i] * scales[scales.Length == 1 ? 0 : i % n];
            if (v - MathF.Floor(v) == 0.5f && Math.Abs(v) < 100)
            {
                if (MathF.Round(v, MidpointRounding.ToEven) > v) up++;
                else down++;
            }
        }
        Assert.True(up > 5 && down > 5, $"ties rounded up {up}, down {down}");

        // Saturation: the clamp bounds are hit on both sides.
        TestModel saturating = batch.Models.Single(m => m.ClassName == "Saturating");
        byte[] output = batch.Expected["Saturating"];
        Assert.True(output.Count(b => b == 0) > output.Length / 10 && output.Count(b => b == 255) > output.Length / 10);

        // Per-channel scales: the SIMD kernels load the table; equal ones: an immediate (the table stays for the scalar fallback).
        string decades = batch.GeneratedFor("Decades"), uniform = batch.GeneratedFor("Uniform");
        Assert.Matches(@"ref float scales = ref [\w.:]+\.GetReference\(Decades_Scales\);", decades);
        Assert.DoesNotContain("Vector256<float> scale = ", decades);
        Assert.Matches(@"Vector256<float> scale = global::System\.Runtime\.Intrinsics\.Vector256\.Create\([0-9.E-]+f\);", uniform);
        Assert.DoesNotContain("GetReference(Uniform_Scales)", uniform);
    }

    private static readonly Lazy<ModelBatch> NamedModels = new(() => ModelBatch.Create("Named", 8, NamedCases()));

    [Theory]
    [MemberData(nameof(Paths))]
    public void NamedInputs_SkipAndDeadTensors_MatchReferenceBitForBit(PinnedPath path) => NamedModels.Value.Check(path);

    /// <summary>
    /// fc0 -> fc1 -> fc2 (Input = "fc0") -> fc3 (Input = "fc1"): nothing reads fc2, so the graph pass that removes dead
    /// steps drops it (its output could not reach the model's); fc3 reads fc1 past it.
    /// </summary>
    [Fact]
    public void SkipByName_ReadsTheNamedTensor_AndADeadLayerIsDropped()
    {
        // fc0 -> fc1 -> fc2 (reads fc0) -> fc3 (reads fc1): fc2's output is read by nobody and is not the model output,
        // so the dead-step pass drops it; fc3 reads fc1 by name, past fc2.
        string source = NamedModels.Value.GeneratedFor("Skip");
        Dictionary<string, (int From, int To)> places = ArenaPlaces(source);
        Assert.Equal(new[] { "fc0", "fc1" }, places.Keys.OrderBy(k => k));
        Assert.True(Disjoint(places["fc0"], places["fc1"]), string.Join(", ", places));
        Assert.DoesNotContain("Fc2_", source);
        Assert.Matches(@"/// fc3\s+6 uint8\s+the output row", source);
        Assert.Matches($@"Fc3_Dense\w+_Avx2\(ref {System.Text.RegularExpressions.Regex.Escape(Ref(places["fc1"].From))}, ref yr, n\);", source);
    }

    /// <summary>fc0 (64) -> fc1 (32) -> fc2 (64) -> fc3: fc0 is dead once fc1 ran, so fc2 takes its bytes; two lines of arena.</summary>
    [Fact]
    public void DeadEarlyTensor_ItsBytesAreReused_InTheGeneratedPlan()
    {
        string source = NamedModels.Value.GeneratedFor("DeadEarly");
        Dictionary<string, (int From, int To)> places = ArenaPlaces(source);
        Assert.Equal(places["fc0"], places["fc2"]);
        Assert.True(Disjoint(places["fc0"], places["fc1"]));
        // A chunk of 64 rows (the most; 128 bytes per row is well inside the 64 KB chunk budget): fc0 and fc2 share
        // 64 x 64 bytes, fc1 takes 64 x 32 after them.
        Assert.Contains("public const int ScratchSize = 6144;", source);
        Assert.Contains("scratch arena of 6144 bytes", source);
        Assert.Contains("64 rows at a time", source);

        // A layer reading the model input by name, late: the input row stays the caller's, nothing is copied.
        string late = NamedModels.Value.GeneratedFor("InputLate");
        Assert.Contains("Fc2_Scalar(ref xr, ref yr, n);", late);
    }

    private static IEnumerable<TestModel> NamedCases()
    {
        var random = new Random(99);
        TestDense Layer(string name, int inputs, int outputs, float inScale, string? input = null)
        {
            float weightScale = 0.01f;
            float outputScale = (float)(inScale * weightScale * 256 * Math.Sqrt(inputs) / 4);
            return new TestDense(inputs, outputs, QuantType.Int8, Enumerable.Range(0, inputs * outputs).Select(_ => random.Next(-128, 128)).ToArray(),
                new[] { weightScale }, new[] { 0 }, Enumerable.Range(0, outputs).Select(_ => random.Next(-3000, 3000)).ToArray(),
                outputScale, random.Next(100, 156), Activation.None, Name: name, Input: input);
        }
        TestDense a = Layer("fc0", 20, 16, 0.02f), b = Layer("fc1", 16, 12, a.OutputScale);
        TestDense c = Layer("fc2", 16, 10, a.OutputScale, "fc0"), d = Layer("fc3", 12, 6, b.OutputScale, "fc1");
        yield return new TestModel("Skip", 20, QuantType.UInt8, 0.02f, 120, new[] { a, b, c, d });
        yield return new TestModel("SkipFloat", 20, QuantType.UInt8, 0.02f, 120, new[] { a, b, c, d }) { Scheme = RequantizationScheme.Float };

        TestDense e = Layer("fc0", 30, 64, 0.02f), f = Layer("fc1", 64, 32, e.OutputScale);
        TestDense g = Layer("fc2", 32, 64, f.OutputScale), h = Layer("fc3", 64, 8, g.OutputScale);
        yield return new TestModel("DeadEarly", 30, QuantType.UInt8, 0.02f, 128, new[] { e, f, g, h });

        TestDense i = Layer("fc0", 24, 24, 0.05f), j = Layer("fc1", 24, 24, i.OutputScale), k = Layer("fc2", 24, 5, 0.05f, "input");
        yield return new TestModel("InputLate", 24, QuantType.UInt8, 0.05f, 128, new[] { i, j, k }) { Scheme = RequantizationScheme.Float };
    }

    /// <summary>The memory plan in the generated header: layer name to its arena byte range.</summary>
    private static Dictionary<string, (int From, int To)> ArenaPlaces(string source)
        => Regex.Matches(source, @"/// (\w+)\s+\S+ u?int8\s+arena \[(\d+), (\d+)\)")
            .ToDictionary(m => m.Groups[1].Value, m => (int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value)));

    private static bool Disjoint((int From, int To) x, (int From, int To) y) => x.To <= y.From || y.To <= x.From;

    private static string Ref(int offset) => offset == 0 ? "arena" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref arena, {offset})";

    // ---- models --------------------------------------------------------------------------------------------------

    /// <summary>A random model in the float scheme; layers now and then change the 8-bit type, the last one may be Int32.</summary>
    private static TestModel FloatModel(Random random, string name, bool extreme)
    {
        TestModel model = RandomModels.Create(random, name, extreme);
        TestDense[] layers = model.Layers.ToArray();
        QuantType current = model.ActivationType;
        for (int i = 0; i < layers.Length; i++)
        {
            int choice = random.Next(4);
            if (i == layers.Length - 1 && random.Next(5) == 0)
            {
                layers[i] = layers[i] with { OutputType = QuantType.Int32 };
                break;
            }
            QuantType type = choice == 0 ? Other(current) : current;
            // Explicit now and then even when it is the input's type.
            QuantType? declared = type != current || choice == 1 ? type : null;
            int zero = type == model.ActivationType ? layers[i].OutputZeroPoint : ZeroPoint(random, type);
            layers[i] = layers[i] with { OutputType = declared, OutputZeroPoint = zero };
            current = type;
        }
        return model with { Layers = layers, Scheme = RequantizationScheme.Float };
    }

    /// <summary>A random model whose last layer stops at the int32 accumulators, in either scheme, weight zero points often set.</summary>
    private static TestModel IntegerModel(Random random, string name)
    {
        TestModel model = RandomModels.Create(random, name);
        TestDense[] layers = model.Layers.ToArray();
        TestDense last = layers[^1];
        if (random.Next(2) == 0)
        {
            int channels = random.Next(2) == 0 ? 1 : last.Outputs;
            last = last with { WeightZeroPoints = Enumerable.Range(0, channels).Select(_ => ZeroPoint(random, last.WeightType)).ToArray() };
        }
        layers[^1] = last with { OutputType = QuantType.Int32 };
        return model with { Layers = layers, Scheme = random.Next(2) == 0 ? RequantizationScheme.Float : RequantizationScheme.FixedPoint };
    }

    /// <summary>
    /// A random graph: each layer reads the previous tensor or, often, an earlier one by name (the model input or a
    /// layer), so some tensors stay live across several steps and some die unread.
    /// </summary>
    private static TestModel GraphModel(Random random, string name)
    {
        QuantType type = random.Next(2) == 0 ? QuantType.UInt8 : QuantType.Int8;
        int count = 2 + random.Next(4);
        var sizes = new List<int> { 1 + random.Next(100) };
        var scales = new List<float> { LogUniform(random, 1e-3, 0.5) };
        var layers = new TestDense[count];
        for (int i = 0; i < count; i++)
        {
            int source = random.Next(2) == 0 ? i : random.Next(i + 1);
            int inputs = sizes[source], outputs = 1 + random.Next(70);
            float weightScale = LogUniform(random, 1e-3, 0.1);
            double multiplier = 1.0 / (256.0 * Math.Sqrt(inputs)) * Math.Pow(2, random.NextDouble() * 4 - 2);
            float outputScale = (float)(scales[source] * (double)weightScale / multiplier);
            string? input = source == i && random.Next(4) != 0 ? null : source == 0 ? "input" : $"fc{source - 1}";
            layers[i] = new TestDense(inputs, outputs, QuantType.Int8,
                Enumerable.Range(0, inputs * outputs).Select(_ => random.Next(-128, 128)).ToArray(),
                new[] { weightScale }, new[] { 0 }, Enumerable.Range(0, outputs).Select(_ => random.Next(-5000, 5000)).ToArray(),
                outputScale, ZeroPoint(random, type), (Activation)random.Next(3), Name: $"fc{i}", Input: input);
            sizes.Add(outputs);
            scales.Add(outputScale);
        }
        return new TestModel(name, sizes[0], type, scales[0], ZeroPoint(random, type), layers)
        {
            Scheme = random.Next(2) == 0 ? RequantizationScheme.Float : RequantizationScheme.FixedPoint,
        };
    }

    /// <summary>Hand-made float-scheme models at the edges.</summary>
    private static IEnumerable<TestModel> EdgeCases()
    {
        var random = new Random(12);
        int[] Weights(int count, int min, int max) => Enumerable.Range(0, count).Select(_ => random.Next(min, max + 1)).ToArray();

        // acc * 0.5 (and 0.25, 0.125 per channel) is exact in float: odd accumulators are ties, rounded half to even.
        yield return Float("Ties", 9, QuantType.UInt8, 1f, 3,
            new TestDense(9, 19, QuantType.Int8, Weights(9 * 19, -3, 3), new[] { 0.5f }, new[] { 0 }, null, 1f, 128, Activation.None));
        yield return Float("TiesPerChannel", 9, QuantType.Int8, 1f, -2,
            new TestDense(9, 17, QuantType.Int8, Weights(9 * 17, -3, 3),
                Enumerable.Range(0, 17).Select(j => new[] { 0.5f, 0.25f, 0.125f }[j % 3]).ToArray(), new[] { 0 },
                Enumerable.Range(0, 17).Select(j => j % 5 - 2).ToArray(), 1f, 0, Activation.None));

        // Full-range weights and a large scale: most accumulators saturate the clamp on one side or the other.
        yield return Float("Saturating", 64, QuantType.UInt8, 0.5f, 128,
            new TestDense(64, 40, QuantType.Int8, Weights(64 * 40, -128, 127), new[] { 0.05f }, new[] { 0 }, null, 0.01f, 128, Activation.None));
        yield return Float("SaturatingRelu6Int8", 64, QuantType.Int8, 0.5f, 0,
            new TestDense(64, 24, QuantType.Int8, Weights(64 * 24, -128, 127), new[] { 0.05f }, new[] { 0 }, null, 0.02f, -128, Activation.Relu6));
        // Accumulators near the int32 limits (bias at the edge): (float)acc rounds, the product overflows nothing.
        yield return Float("HugeBias", 8, QuantType.UInt8, 1f, 0,
            new TestDense(8, 16, QuantType.Int8, Weights(8 * 16, -128, 127), new[] { 1f }, new[] { 0 },
                Enumerable.Range(0, 16).Select(j => j % 2 == 0 ? int.MaxValue - j : int.MinValue + j).ToArray(), 1e7f, 100, Activation.None));

        // Scales near the largest allowed (2^31, KG0015): every nonzero accumulator saturates, acc = 0 (rows at
        // the zero point, no bias) gives the zero point.
        yield return Float("HugeScale", 6, QuantType.UInt8, 1f, 9,
            new TestDense(6, 10, QuantType.Int8, Weights(6 * 10, -2, 2), new[] { 1f }, new[] { 0 }, null, 1e-9f, 100, Activation.None));

        // Per-channel scales over eight decades: a float table, each column its own scale.
        yield return Float("Decades", 33, QuantType.UInt8, 0.02f, 7,
            new TestDense(33, 24, QuantType.Int8, Weights(33 * 24, -128, 127),
                Enumerable.Range(0, 24).Select(j => (float)Math.Pow(10, -6 + j / 3.0)).ToArray(), new[] { 0 }, null,
                0.001f, 130, Activation.None, Name: "decades"));
        // Per-channel scales that are all equal: uniform, an immediate instead of a table.
        yield return Float("Uniform", 17, QuantType.Int8, 0.02f, 5,
            new TestDense(17, 9, QuantType.Int8, Weights(17 * 9, -128, 127), Enumerable.Repeat(0.003f, 9).ToArray(), new[] { 0 }, null,
                0.05f, -3, Activation.Relu, Name: "uniform"));

        // Every pairing of 8-bit input and output types, uint8 weights with zero points, a second layer back again.
        foreach (QuantType input in new[] { QuantType.UInt8, QuantType.Int8 })
        {
            foreach (QuantType output in new[] { QuantType.UInt8, QuantType.Int8 })
            {
                int outZero = output == QuantType.Int8 ? -20 : 110;
                yield return Float($"Types{input}To{output}", 20, input, 0.03f, input == QuantType.Int8 ? 10 : 140,
                    new TestDense(20, 12, QuantType.UInt8, Weights(20 * 12, 0, 255), new[] { 0.004f }, new[] { 131 },
                        Weights(12, -3000, 3000), 0.04f, outZero, Activation.None, OutputType: output),
                    new TestDense(12, 5, QuantType.Int8, Weights(12 * 5, -128, 127), Enumerable.Range(0, 5).Select(j => 0.001f * (j + 1)).ToArray(),
                        new[] { 0 }, null, 0.05f, input == QuantType.Int8 ? -1 : 129, Activation.None, OutputType: input));
            }
        }
    }

    private static TestModel Float(string name, int inputSize, QuantType type, float scale, int zero, params TestDense[] layers)
        => new(name, inputSize, type, scale, zero, layers) { Scheme = RequantizationScheme.Float };

    private static QuantType Other(QuantType type) => type == QuantType.Int8 ? QuantType.UInt8 : QuantType.Int8;

    private static float LogUniform(Random random, double min, double max)
        => (float)Math.Exp(Math.Log(min) + random.NextDouble() * (Math.Log(max) - Math.Log(min)));

    private static int ZeroPoint(Random random, QuantType type)
    {
        int min = type == QuantType.Int8 ? -128 : 0;
        return random.Next(4) switch { 0 => min, 1 => min + 255, 2 => type == QuantType.Int8 ? 0 : 128, _ => random.Next(min, min + 256) };
    }
}

/// <summary>
/// Models generated together and compiled once per path; inputs and expected outputs from the runtime's reference graph,
/// checked against the layers run directly.
/// </summary>
internal sealed class ModelBatch
{
    public required List<TestModel> Models { get; init; }
    public required string[] Sources { get; init; }
    public required GeneratorRun Run { get; init; }
    public required Dictionary<string, byte[]> Inputs { get; init; }
    public required Dictionary<string, byte[]> Expected { get; init; }
    public required string Namespace { get; init; }

    public string AllSource => string.Concat(Run.Files.Select(f => f.Source));

    public string GeneratedFor(string className) => Run.Files.Single(f => f.HintName.Contains("." + className + ".")).Source;

    public static ModelBatch Create(string ns, int seed, int count, Func<Random, string, TestModel> factory)
    {
        var random = new Random(seed);
        return Create(ns, seed, Enumerable.Range(0, count).Select(i => factory(random, $"Model{i}")));
    }

    public static ModelBatch Create(string ns, int seed, IEnumerable<TestModel> declared)
    {
        var random = new Random(seed);
        string directory = Path.Combine(Path.GetTempPath(), "kernelgen-tests", $"{ns}-{seed}-{Environment.ProcessId}");
        var files = new List<AdditionalText>();
        var models = declared.ToList();
        string[] sources = models.Select(m => m.Source(ns, directory, files)).ToArray();
        GeneratorRun run = GeneratorHarness.Run(sources, files);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);

        var inputs = new Dictionary<string, byte[]>();
        var expected = new Dictionary<string, byte[]>();
        foreach (TestModel model in models)
        {
            int rows = 6 + random.Next(3);
            byte[] input = RandomModels.Input(random, model, rows);
            byte[] output = new byte[rows * model.OutputBytes];
            ReferenceOps.Model(model.ReferenceGraph(), input, output);
            Assert.Equal(output, Direct(model, input, rows));
            inputs[model.ClassName] = input;
            expected[model.ClassName] = output;
        }
        return new ModelBatch { Models = models, Sources = sources, Run = run, Inputs = inputs, Expected = expected, Namespace = ns };
    }

    /// <summary>The model row by row through <see cref="ReferenceOps.Dense"/> on each layer, tensors looked up by index.</summary>
    public static byte[] Direct(TestModel model, byte[] input, int rows)
    {
        ReferenceModel graph = model.ReferenceGraph();
        int[] sources = model.InputTensors();
        byte[] output = new byte[rows * model.OutputBytes];
        for (int r = 0; r < rows; r++)
        {
            var tensors = new byte[model.Layers.Length + 1][];
            tensors[0] = input.AsSpan(r * model.InputSize, model.InputSize).ToArray();
            for (int i = 0; i < model.Layers.Length; i++)
            {
                var layer = (DenseReferenceLayer)graph.Nodes[i].Layer;
                tensors[i + 1] = new byte[layer.OutputBytes];
                ReferenceOps.Dense(layer, tensors[sources[i]], tensors[i + 1]);
            }
            tensors[^1].CopyTo(output, r * model.OutputBytes);
        }
        return output;
    }

    public void Check(PinnedPath path)
    {
        if (!ModelLoader.CanRun(path))
            return; // This process has AVX2 disabled; the Native and Scalar runs cover it.
        Assembly assembly = ModelLoader.Load(Run, Sources, path);
        foreach (TestModel model in Models)
        {
            var entry = new RawEntryPoints(assembly, $"{Namespace}.{model.ClassName}");
            byte[] input = Inputs[model.ClassName];
            byte[] expected = Expected[model.ClassName];
            byte[] actual = new byte[expected.Length], declared = new byte[expected.Length], scratched = new byte[expected.Length];
            entry.Run(input, actual);
            entry.RunReference(input, declared);
            byte[] scratch = new byte[entry.ScratchSize + 3];
            new Random(1).NextBytes(scratch);   // a dirty scratch must not matter
            entry.RunWithScratch(input, scratched, scratch);
            AssertEqual(expected, declared, model, "RunReference");
            AssertEqual(expected, actual, model, $"Run ({path})");
            AssertEqual(expected, scratched, model, $"Run with scratch ({path})");
        }
    }

    private static void AssertEqual(byte[] expected, byte[] actual, TestModel model, string what)
    {
        int element = model.OutputType == QuantType.Int32 ? 4 : 1;
        int index = expected.AsSpan().CommonPrefixLength(actual) / element * element;
        if (index == expected.Length)
            return;
        int row = index / model.OutputBytes;
        string Value(byte[] b) => element == 4 ? BitConverter.ToInt32(b, index).ToString() : (model.OutputType == QuantType.Int8 ? (int)(sbyte)b[index] : b[index]).ToString();
        Assert.Fail($"{what} of {model.ClassName} differs from the reference at row {row}, output {index % model.OutputBytes / element}: "
            + $"expected {Value(expected)}, got {Value(actual)}. Scheme {model.Scheme}, {model.ActivationType} input. Layers: "
            + string.Join(" -> ", model.Layers.Select(l => $"Dense {l.Inputs}x{l.Outputs}{(l.Input is null ? "" : " from " + l.Input)} {l.WeightType} scales={l.WeightScales.Length} zp={l.WeightZeroPoints.Length} out={l.OutputType?.ToString() ?? "-"} act={l.Activation}")));
    }
}
