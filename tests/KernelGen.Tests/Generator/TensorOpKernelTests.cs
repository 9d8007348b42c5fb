using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using KernelGen.Reference;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>
/// Compile-and-run of the tensor ops ([Add], [Concat], [Reshape], [Flatten], [Quantize], [Dequantize]) and of NCHW
/// models: random models through the generator, compiled, run on every path, every output byte equal to RunReference and
/// to the runtime's reference layers called directly.
/// </summary>
public sealed class TensorOpKernelTests
{
    private static readonly Lazy<TensorBatch> Models = new(() => TensorBatch.Create(seed: 20261124, count: 40));

    public static TheoryData<PinnedPath> Paths => ModelLoader.PathData();

    [Theory]
    [MemberData(nameof(Paths))]
    public void RandomTensorOpModels_MatchReferencesBitForBit(PinnedPath path) => Models.Value.Check(path);

    [Fact]
    public void RandomModels_CoverEveryFamilyAndBothSchemes()
    {
        string all = Models.Value.Source;
        Assert.Contains("RequantizationScheme.Float", all);
        Assert.Contains("Layout = KernelGen.TensorLayout.Nchw", all);
        string generated = string.Concat(Models.Value.Run.Files.Select(f => f.Source));
        Assert.Contains("(same bytes as its input: nothing to do)", generated);   // an aliased Reshape
        Assert.Contains("_Table", generated);                                      // a rescaling Concat input
        Assert.Contains("QuantizedAdd256.Float(", generated);                      // float-scheme Add
        Assert.Contains("QuantizedAdd256.FixedPoint(", generated);
        Assert.Contains("QuantizedAdd256.LoadInt8(", generated);
        Assert.Contains("Avx.RoundToNearestInteger", generated);                   // Quantize
        Assert.Contains("InputToNhwc_Avx2", generated);
        Assert.Contains("OutputToNchw_Avx2", generated);
    }

    [Fact]
    public void ReshapeOfTheModelInputToTheOutput_Copies()
    {
        const string source = """
            namespace T;
            [KernelGen.QuantizedModel(12, InputScale = 0.1f)]
            [KernelGen.Reshape(2, 3, 2)]
            public partial class M { }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.DoesNotContain("nothing to do", run.Files[0].Source);
        Assert.Contains("CopyBlockUnaligned(ref y, ref x, 12)", run.Files[0].Source);
        foreach (PinnedPath path in ModelLoader.Paths)
        {
            if (!ModelLoader.CanRun(path))
                continue;
            var model = new LoadedModel(ModelLoader.Load(run, new[] { source }, path), "T.M", signed: false);
            byte[] input = Enumerable.Range(0, 24).Select(i => (byte)(i * 7)).ToArray(), output = new byte[24], reference = new byte[24];
            model.Run(input, output);
            model.RunReference(input, reference);
            Assert.Equal(input, output);
            Assert.Equal(input, reference);
        }
    }

    [Fact]
    public void ReshapeBetweenLayers_SharesTheBuffer()
    {
        const string source = """
            namespace T;
            [KernelGen.QuantizedModel(2, 2, 3, InputScale = 0.1f)]
            [KernelGen.Flatten(Name = "flat")]
            [KernelGen.Add("flat", "flat", OutputScale = 0.2f)]
            public partial class M { }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        string generated = run.Files[0].Source;
        Assert.Contains("flat        12 uint8               the input row (same bytes as its input: nothing to do)", generated);
        Assert.Contains("// Flat: its output is its input's bytes; nothing to do.", generated);
        Assert.DoesNotContain("Flat_Avx2", generated);
    }

    /// <summary>A float model: Quantize -> Dense -> Dequantize, Run takes and returns float spans.</summary>
    [Fact]
    public void FloatInFloatOut_RunTakesFloats()
    {
        const string source = """
            namespace T;
            [KernelGen.QuantizedModel(3, ActivationType = KernelGen.QuantType.Float32)]
            [KernelGen.Quantize(Scale = 0.5f, ZeroPoint = 10)]
            [KernelGen.Dense(3, 2, Weights = nameof(W), WeightScale = 0.25f, OutputScale = 0.125f, OutputZeroPoint = 3)]
            [KernelGen.Dequantize]
            public partial class M { static readonly sbyte[] W = { 1, 2, 3, -1, 0, 4 }; }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Contains("public static void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output)", run.Files[0].Source);
        MethodInfo runMethod = ModelLoader.Load(run, new[] { source }, PinnedPath.Native).GetType("T.M")!
            .GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 2);
        var typed = runMethod.CreateDelegate<FloatModel>();
        float[] output = new float[2];
        typed(new[] { 1f, 2.25f, -1f }, output);
        // q = 12, 14 (2.25 / 0.5 = 4.5 -> 4), 8; x - 10 = 2, 4, -2; acc0 = 2 + 8 - 6 = 4, acc1 = -2 + 0 - 8 = -10
        // real = acc * 0.5 * 0.25 / 0.125 = acc -> q = 7, -7 + 3 = -4 -> 0 (uint8); float = (q - 3) * 0.125.
        Assert.Equal(new[] { 0.5f, -0.375f }, output);
    }

    /// <summary>Int32 accumulators (Dense with OutputType Int32, as MatMulInteger) to float: Dequantize of an Int32
    /// tensor on every path, 13 values (a SIMD step and a tail), against the reference layers.</summary>
    [Fact]
    public void Int32AccumulatorsDequantized_MatchOnEveryPath()
    {
        const string source = """
            namespace T;
            [KernelGen.QuantizedModel(5, ActivationType = KernelGen.QuantType.Int8, InputScale = 0.5f, InputZeroPoint = -2)]
            [KernelGen.Dense(5, 13, Weights = nameof(W), WeightScale = 0.25f, OutputType = KernelGen.QuantType.Int32)]
            [KernelGen.Dequantize]
            public partial class M
            {
                static readonly sbyte[] W = { 127, -128, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67 };
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        sbyte[] input = { -128, 127, 0, -2, 55 };
        var dense = new DenseReferenceLayer(5, 13, QuantType.Int8, 0.5f, -2, QuantType.Int8,
            new sbyte[] { 127, -128 }.Concat(Enumerable.Range(5, 63).Select(v => (sbyte)v)).Select(v => (byte)v).ToArray(),
            new[] { 0.25f }, new[] { 0 }, null, 1f, 0, Activation.None, false, RequantizationScheme.FixedPoint, QuantType.Int32);
        byte[] accumulators = new byte[dense.OutputBytes];
        dense.Run(new[] { MemoryMarshal.AsBytes(input.AsSpan()).ToArray() }, accumulators);
        var dequantize = new DequantizeReferenceLayer(13, QuantType.Int32, 1f, 0);
        byte[] expectedBytes = new byte[dequantize.OutputBytes];
        dequantize.Run(new[] { accumulators }, expectedBytes);
        float[] expected = MemoryMarshal.Cast<byte, float>(expectedBytes.AsSpan()).ToArray();
        foreach (PinnedPath path in ModelLoader.Paths)
        {
            if (!ModelLoader.CanRun(path))
                continue;
            MethodInfo[] methods = ModelLoader.Load(run, new[] { source }, path).GetType("T.M")!.GetMethods();
            var output = new float[13];
            var reference = new float[13];
            methods.Single(m => m.Name == "Run" && m.GetParameters().Length == 2).CreateDelegate<SByteToFloat>()(input, output);
            methods.Single(m => m.Name == "RunReference").CreateDelegate<SByteToFloat>()(input, reference);
            Assert.Equal(expected, output);
            Assert.Equal(expected, reference);
        }
    }

    public delegate void SByteToFloat(ReadOnlySpan<sbyte> input, Span<float> output);

    /// <summary>An NCHW float model (Quantize then Dequantize of a feature map): the layout steps move 4-byte elements,
    /// and an elementwise model gives each NCHW position its own round trip.</summary>
    [Fact]
    public void NchwFloatModel_RoundTripsEachPositionOnEveryPath()
    {
        const string source = """
            namespace T;
            [KernelGen.QuantizedModel(3, 2, 5, ActivationType = KernelGen.QuantType.Float32, Layout = KernelGen.TensorLayout.Nchw)]
            [KernelGen.Quantize(Scale = 0.1f, ZeroPoint = 3, OutputType = KernelGen.QuantType.Int8)]
            [KernelGen.Dequantize]
            public partial class M { }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Contains("a 5 x 6 transpose of int elements", run.Files[0].Source);
        float[] input = Enumerable.Range(0, 60).Select(i => (i - 25) * 0.137f).ToArray();
        float[] expected = input.Select(x => Quantization.LinearQuantization.Dequantize(Quantization.LinearQuantization.Quantize(x, 0.1f, 3, QuantType.Int8), 0.1f, 3)).ToArray();
        foreach (PinnedPath path in ModelLoader.Paths)
        {
            if (!ModelLoader.CanRun(path))
                continue;
            MethodInfo[] methods = ModelLoader.Load(run, new[] { source }, path).GetType("T.M")!.GetMethods();
            var output = new float[60];
            var reference = new float[60];
            methods.Single(m => m.Name == "Run" && m.GetParameters().Length == 2).CreateDelegate<FloatModel>()(input, output);
            methods.Single(m => m.Name == "RunReference").CreateDelegate<FloatModel>()(input, reference);
            Assert.Equal(expected, output);
            Assert.Equal(expected, reference);
        }
    }

    public delegate void FloatModel(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>The random models and their expected outputs, generated and compiled once.</summary>
    private sealed class TensorBatch
    {
        public required string Source { get; init; }
        public required GeneratorRun Run { get; init; }
        public required List<Case> Cases { get; init; }

        public static TensorBatch Create(int seed, int count)
        {
            var random = new Random(seed);
            var s = new StringBuilder("namespace Ops;\n");
            var cases = new List<Case>();
            for (int i = 0; i < count; i++)
            {
                Case c = (i % 5) switch
                {
                    0 => AddConcat(random, i, s),
                    1 => Residual(random, i, s),
                    2 => FloatEdges(random, i, s),
                    3 => Nchw(random, i, s),
                    _ => AddConcat(random, i, s, viaReshape: true),
                };
                cases.Add(c);
            }
            string source = s.ToString();
            GeneratorRun run = GeneratorHarness.Run(source);
            Assert.Empty(run.Diagnostics);
            Assert.Empty(run.CompileErrors);
            return new TensorBatch { Source = source, Run = run, Cases = cases };
        }

        public void Check(PinnedPath path)
        {
            if (!ModelLoader.CanRun(path))
                return;
            Assembly assembly = ModelLoader.Load(Run, new[] { Source }, path);
            foreach (Case c in Cases)
            {
                MethodInfo[] methods = assembly.GetType("Ops." + c.Name)!.GetMethods();
                MethodInfo run = methods.Single(m => m.Name == "Run" && m.GetParameters().Length == 2);
                MethodInfo reference = methods.Single(m => m.Name == "RunReference");
                byte[] output = Invoke(run, c.Input, c.Expected.Length);
                byte[] viaReference = Invoke(reference, c.Input, c.Expected.Length);
                Assert.True(c.Expected.AsSpan().SequenceEqual(viaReference), $"{c.Name}: RunReference differs from the reference layers");
                for (int b = 0; b < output.Length; b++)
                {
                    if (output[b] != c.Expected[b])
                        Assert.Fail($"{c.Name} on {path}: byte {b} is {output[b]}, the reference gives {c.Expected[b]}\n{c.Declaration}");
                }
            }
        }

        /// <summary>Calls Run or RunReference with raw bytes, whatever its span element types.</summary>
        private static byte[] Invoke(MethodInfo method, byte[] input, int outputBytes)
        {
            Type inType = method.GetParameters()[0].ParameterType.GetGenericArguments()[0];
            Type outType = method.GetParameters()[1].ParameterType.GetGenericArguments()[0];
            var output = new byte[outputBytes];
            typeof(TensorBatch).GetMethod(nameof(InvokeTyped), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(inType, outType).Invoke(null, new object[] { method, input, output });
            return output;
        }

        private static void InvokeTyped<TIn, TOut>(MethodInfo method, byte[] input, byte[] output)
            where TIn : struct where TOut : struct
        {
            var typed = method.CreateDelegate<TypedModel<TIn, TOut>>();
            typed(MemoryMarshal.Cast<byte, TIn>(input.AsSpan()), MemoryMarshal.Cast<byte, TOut>(output.AsSpan()));
        }
    }

    private delegate void TypedModel<TIn, TOut>(ReadOnlySpan<TIn> input, Span<TOut> output) where TIn : struct where TOut : struct;

    private sealed record Case(string Name, string Declaration, byte[] Input, byte[] Expected);

    private const int Rows = 3;

    private static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    private static float Scale(Random r) => (float)Math.Exp(r.NextDouble() * 5 - 6);   // about 0.0025 .. 0.37

    private static QuantType EightBit(Random r) => r.Next(2) == 0 ? QuantType.UInt8 : QuantType.Int8;

    private static int Zero(Random r, QuantType t) => t == QuantType.Int8 ? r.Next(-128, 128) : r.Next(0, 256);

    private static RequantizationScheme Scheme(Random r) => r.Next(2) == 0 ? RequantizationScheme.FixedPoint : RequantizationScheme.Float;

    private static byte[] Bytes(Random r, int n)
    {
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }

    private static byte[] Rowwise(byte[] input, int inBytes, int outBytes, Func<byte[], byte[]> row)
    {
        var output = new byte[outBytes * Rows];
        for (int i = 0; i < Rows; i++)
            row(input.AsSpan(i * inBytes, inBytes).ToArray()).CopyTo(output, i * outBytes);
        return output;
    }

    private static byte[] Layer(IReferenceLayer layer, params byte[][] inputs)
    {
        var output = new byte[layer.OutputBytes];
        layer.Run(inputs, output);
        return output;
    }

    /// <summary>Feature-map input; sum = Add(input, input) with its own output quantization; Concat(sum, input) (tables
    /// or copies); checked against AddReferenceLayer and ConcatReferenceLayer directly.</summary>
    /// <remarks>With <paramref name="viaReshape"/>, the model input is a vector that a Reshape makes the H x W x C map
    /// (sharing the input row's bytes).</remarks>
    private static Case AddConcat(Random r, int index, StringBuilder s, bool viaReshape = false)
    {
        string name = "AddConcat" + index;
        int h = r.Next(1, 5), w = r.Next(1, 5), c = r.Next(1, 12);
        QuantType t = EightBit(r);
        RequantizationScheme scheme = Scheme(r);
        float inScale = Scale(r), addScale = Scale(r);
        int inZero = Zero(r, t), addZero = Zero(r, t);
        Activation act = (Activation)r.Next(3);
        bool concatScale = r.Next(3) != 0;
        float catScale = concatScale ? Scale(r) : addScale;
        int catZero = concatScale ? Zero(r, t) : addZero;
        if (r.Next(4) == 0) { catScale = inScale; catZero = inZero; }   // the input copied, the sum through a table
        string map = viaReshape ? "map" : "input";
        string decl =
            (viaReshape
                ? $"[KernelGen.QuantizedModel({h * w * c}, ActivationType = KernelGen.QuantType.{t}, InputScale = {F(inScale)}, InputZeroPoint = {inZero}, Requantization = KernelGen.RequantizationScheme.{scheme})]\n"
                    + $"[KernelGen.Reshape({h}, {w}, {c}, Name = \"map\")]\n"
                : $"[KernelGen.QuantizedModel({h}, {w}, {c}, ActivationType = KernelGen.QuantType.{t}, InputScale = {F(inScale)}, InputZeroPoint = {inZero}, Requantization = KernelGen.RequantizationScheme.{scheme})]\n")
            + $"[KernelGen.Add(\"{map}\", \"{map}\", Name = \"sum\", OutputScale = {F(addScale)}, OutputZeroPoint = {addZero}, Activation = KernelGen.Activation.{act})]\n"
            + $"[KernelGen.Concat(\"sum\", \"{map}\", OutputScale = {F(catScale)}, OutputZeroPoint = {catZero})]\n"
            + $"public partial class {name} {{ }}\n";
        s.Append(decl);
        int n = h * w * c;
        var add = new AddReferenceLayer(n, t, inScale, inZero, inScale, inZero, addScale, addZero, act, scheme);
        var cat = new ConcatReferenceLayer(h, w, new[] { c, c }, t, new[] { addScale, inScale }, new[] { addZero, inZero }, catScale, catZero, scheme);
        byte[] input = Bytes(r, n * Rows);
        byte[] expected = Rowwise(input, n, 2 * n, x => Layer(cat, Layer(add, x, x), x));
        return new Case(name, decl, input, expected);
    }

    /// <summary>Vector input; fc1 = Dense, fc2 = Dense(fc1); Add(fc1, fc2): two operands with different scales.</summary>
    private static Case Residual(Random r, int index, StringBuilder s)
    {
        string name = "Residual" + index;
        int n = r.Next(1, 20), m = r.Next(1, 40);
        QuantType t = EightBit(r);
        RequantizationScheme scheme = Scheme(r);
        float inScale = Scale(r), s1 = Scale(r), s2 = Scale(r), so = Scale(r);
        int inZero = Zero(r, t), z1 = Zero(r, t), z2 = Zero(r, t), zo = Zero(r, t);
        sbyte[] w1 = Enumerable.Range(0, n * m).Select(_ => (sbyte)r.Next(-127, 128)).ToArray();
        sbyte[] w2 = Enumerable.Range(0, m * m).Select(_ => (sbyte)r.Next(-127, 128)).ToArray();
        float ws1 = s1 / (inScale * n * 20), ws2 = s2 / (s1 * m * 20);
        Activation act = (Activation)r.Next(3);
        string decl =
            $"[KernelGen.QuantizedModel({n}, ActivationType = KernelGen.QuantType.{t}, InputScale = {F(inScale)}, InputZeroPoint = {inZero}, Requantization = KernelGen.RequantizationScheme.{scheme})]\n"
            + $"[KernelGen.Dense({n}, {m}, Name = \"fc1\", Weights = nameof(W1), WeightScale = {F(ws1)}, OutputScale = {F(s1)}, OutputZeroPoint = {z1})]\n"
            + $"[KernelGen.Dense({m}, {m}, Name = \"fc2\", Weights = nameof(W2), WeightScale = {F(ws2)}, OutputScale = {F(s2)}, OutputZeroPoint = {z2})]\n"
            + $"[KernelGen.Add(\"fc1\", \"fc2\", OutputScale = {F(so)}, OutputZeroPoint = {zo}, Activation = KernelGen.Activation.{act})]\n"
            + $"public partial class {name} {{ static readonly sbyte[] W1 = {{ {string.Join(", ", w1)} }}; static readonly sbyte[] W2 = {{ {string.Join(", ", w2)} }}; }}\n";
        s.Append(decl);
        var d1 = new DenseReferenceLayer(n, m, t, inScale, inZero, QuantType.Int8, w1.Select(v => (byte)v).ToArray(), new[] { ws1 }, new[] { 0 }, null, s1, z1, Activation.None, false, scheme, t);
        var d2 = new DenseReferenceLayer(m, m, t, s1, z1, QuantType.Int8, w2.Select(v => (byte)v).ToArray(), new[] { ws2 }, new[] { 0 }, null, s2, z2, Activation.None, false, scheme, t);
        var add = new AddReferenceLayer(m, t, s1, z1, s2, z2, so, zo, act, scheme);
        byte[] input = Bytes(r, n * Rows);
        byte[] expected = Rowwise(input, n, m, x =>
        {
            byte[] a = Layer(d1, x);
            return Layer(add, a, Layer(d2, a));
        });
        return new Case(name, decl, input, expected);
    }

    /// <summary>Float input: Quantize (edge floats: ties, NaN, infinities, out of range) -> Dense -> Dequantize.</summary>
    private static Case FloatEdges(Random r, int index, StringBuilder s)
    {
        string name = "FloatEdges" + index;
        int n = r.Next(1, 30), m = r.Next(1, 30);
        QuantType t = EightBit(r);
        RequantizationScheme scheme = Scheme(r);
        float qs = Scale(r), so = Scale(r);
        int qz = Zero(r, t), zo = Zero(r, t);
        sbyte[] w1 = Enumerable.Range(0, n * m).Select(_ => (sbyte)r.Next(-127, 128)).ToArray();
        float ws = so / (qs * n * 20);
        string decl =
            $"[KernelGen.QuantizedModel({n}, ActivationType = KernelGen.QuantType.Float32, Requantization = KernelGen.RequantizationScheme.{scheme})]\n"
            + $"[KernelGen.Quantize(Scale = {F(qs)}, ZeroPoint = {qz}, OutputType = KernelGen.QuantType.{t})]\n"
            + $"[KernelGen.Dense({n}, {m}, Weights = nameof(W1), WeightScale = {F(ws)}, OutputScale = {F(so)}, OutputZeroPoint = {zo})]\n"
            + "[KernelGen.Dequantize]\n"
            + $"public partial class {name} {{ static readonly sbyte[] W1 = {{ {string.Join(", ", w1)} }}; }}\n";
        s.Append(decl);
        var quantize = new QuantizeReferenceLayer(n, qs, qz, t);
        var dense = new DenseReferenceLayer(n, m, t, qs, qz, QuantType.Int8, w1.Select(v => (byte)v).ToArray(), new[] { ws }, new[] { 0 }, null, so, zo, Activation.None, false, scheme, t);
        var dequantize = new DequantizeReferenceLayer(m, t, so, zo);
        var floats = new float[n * Rows];
        for (int i = 0; i < floats.Length; i++)
        {
            floats[i] = r.Next(8) switch
            {
                0 => (r.Next(-300, 300) + 0.5f) * qs,                       // ties
                1 => float.NaN,
                2 => r.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                3 => (float)(r.NextDouble() - 0.5) * 1e6f * qs,             // saturates
                _ => (float)(r.NextDouble() - 0.5) * 300 * qs,
            };
        }
        byte[] input = MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
        byte[] expected = Rowwise(input, 4 * n, 4 * m, x => Layer(dequantize, Layer(dense, Layer(quantize, x))));
        return new Case(name, decl, input, expected);
    }

    /// <summary>An NCHW model: Concat(input, input) (copies, so the output is the input's planes twice) and an Add, with
    /// the layout conversions at both edges, checked against LayoutReferenceLayer around the NHWC layers.</summary>
    private static Case Nchw(Random r, int index, StringBuilder s)
    {
        string name = "Nchw" + index;
        int h = r.Next(1, 6), w = r.Next(1, 6), c = r.Next(1, 6);
        QuantType t = EightBit(r);
        RequantizationScheme scheme = Scheme(r);
        float inScale = Scale(r), addScale = Scale(r);
        int inZero = Zero(r, t), addZero = Zero(r, t);
        string decl =
            $"[KernelGen.QuantizedModel({h}, {w}, {c}, Layout = KernelGen.TensorLayout.Nchw, ActivationType = KernelGen.QuantType.{t}, InputScale = {F(inScale)}, InputZeroPoint = {inZero}, Requantization = KernelGen.RequantizationScheme.{scheme})]\n"
            + "[KernelGen.Concat(\"input\", \"input\", Name = \"twice\")]\n"
            + $"[KernelGen.Add(\"twice\", \"twice\", OutputScale = {F(addScale)}, OutputZeroPoint = {addZero})]\n"
            + $"public partial class {name} {{ }}\n";
        s.Append(decl);
        int n = h * w * c;
        var toNhwc = new LayoutReferenceLayer(h, w, c, TensorLayout.Nchw, TensorLayout.Nhwc, 1);
        var cat = new ConcatReferenceLayer(h, w, new[] { c, c }, t, new[] { inScale, inScale }, new[] { inZero, inZero }, inScale, inZero, scheme);
        var add = new AddReferenceLayer(2 * n, t, inScale, inZero, inScale, inZero, addScale, addZero, Activation.None, scheme);
        var toNchw = new LayoutReferenceLayer(h, w, 2 * c, TensorLayout.Nhwc, TensorLayout.Nchw, 1);
        byte[] input = Bytes(r, n * Rows);
        byte[] expected = Rowwise(input, n, 2 * n, x =>
        {
            byte[] twice = Layer(cat, Layer(toNhwc, x), Layer(toNhwc, x));
            byte[] nchw = Layer(toNchw, Layer(add, twice, twice));
            // Independent of the layout layers: in NCHW, Concat of the input with itself along channels is its planes twice.
            byte[] planes = Layer(toNchw, twice);
            Assert.Equal(x.Concat(x).ToArray(), planes);
            return nchw;
        });
        return new Case(name, decl, input, expected);
    }
}
