using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using KernelGen.Reference;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>
/// Compile-and-run for [Conv2D]: random convolutions (sizes, strides, dilations, valid / same / explicit padding,
/// groups, uint8 / int8 activations and weights, zero points, per-tensor / per-channel scales, bias or none,
/// activations, both schemes, Int32 outputs) and chains (conv -> conv, conv -> Dense reading the feature map flattened),
/// generated, compiled, run on every path, every output byte equal to RunReference and to the runtime's
/// <see cref="Conv2DReferenceLayer"/> / <see cref="DenseReferenceLayer"/> built from the test's own description.
/// </summary>
public sealed class Conv2DKernelTests
{
    public static TheoryData<PinnedPath> Paths => ModelLoader.PathData();

    private static readonly Lazy<ConvBatch> FixedPoint = new(() => ConvBatch.Create(20261124, RequantizationScheme.FixedPoint, 28, 8));
    private static readonly Lazy<ConvBatch> Float = new(() => ConvBatch.Create(977, RequantizationScheme.Float, 20, 6));

    [Theory]
    [MemberData(nameof(Paths))]
    public void RandomConvolutions_FixedPoint_MatchReferenceBitForBit(PinnedPath path) => FixedPoint.Value.Check(path);

    [Theory]
    [MemberData(nameof(Paths))]
    public void RandomConvolutions_FloatScheme_MatchReferenceBitForBit(PinnedPath path) => Float.Value.Check(path);

    [Fact]
    public void RandomConvolutions_CoverTheKernelShapes()
    {
        string all = string.Concat(FixedPoint.Value.Run.Files.Select(f => f.Source)) + string.Concat(Float.Value.Run.Files.Select(f => f.Source));
        Assert.Contains("for (int group = 0;", all);                  // grouped convolutions
        Assert.Contains("Border pixels", all);                        // padding handled at the borders
        Assert.Contains("Interior pixels", all);                      // and interior ranges
        Assert.Contains("kernel rows of", all);                       // contiguous runs copied
        Assert.Contains("no gather", all);                            // 1x1 rows read in place
        Assert.Contains("_Weights16.Reference", all);                 // the exact path on the int16 copy
        Assert.Contains("MultiplyAddAdjacent(global::System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent(", all);
        Assert.Contains("outputType: global::KernelGen.QuantType.Int32", all);
    }

    /// <summary>One layer of a test model: a convolution or a Dense layer.</summary>
    internal sealed record Layer(
        bool Conv, int OutputChannels, int KernelHeight, int KernelWidth, int[] Strides, int[] Dilations, string PaddingArgument,
        int[] Pads, int Groups, QuantType WeightType, int[] Weights, float[] Scales, bool PerChannel, int[] ZeroPoints, int[]? Bias,
        float OutputScale, int OutputZeroPoint, Activation Activation, QuantType OutputType);

    internal sealed record Model(
        string Name, int Height, int Width, int Channels, QuantType InputType, float InputScale, int InputZeroPoint,
        RequantizationScheme Scheme, List<Layer> Layers, List<IReferenceLayer> Reference, int OutputBytes)
    {
        public int InputBytes => Height * Width * Channels;

        public string Source()
        {
            var s = new StringBuilder();
            s.Append("namespace Conv;\n\n");
            s.Append($"[KernelGen.QuantizedModel({Height}, {Width}, {Channels}, ActivationType = KernelGen.QuantType.{InputType}, InputScale = {F(InputScale)}, InputZeroPoint = {InputZeroPoint}, Requantization = KernelGen.RequantizationScheme.{Scheme})]\n");
            for (int i = 0; i < Layers.Count; i++)
            {
                Layer l = Layers[i];
                var a = new List<string>();
                a.Add(l.Conv ? $"KernelGen.Conv2D({l.OutputChannels}, {l.KernelHeight}, {l.KernelWidth}" : $"KernelGen.Dense({l.KernelHeight}, {l.OutputChannels}");
                a.Add($"Weights = nameof(W{i})");
                if (l.Bias is not null) a.Add($"Bias = nameof(B{i})");
                a.Add($"WeightType = KernelGen.QuantType.{l.WeightType}");
                a.Add(l.PerChannel ? $"WeightScales = new[] {{ {string.Join(", ", l.Scales.Select(F))} }}" : $"WeightScale = {F(l.Scales[0])}");
                if (l.ZeroPoints.Length > 1) a.Add($"WeightZeroPoints = new[] {{ {string.Join(", ", l.ZeroPoints)} }}");
                else if (l.ZeroPoints[0] != 0) a.Add($"WeightZeroPoint = {l.ZeroPoints[0]}");
                a.Add($"OutputType = KernelGen.QuantType.{l.OutputType}");
                if (l.OutputType != QuantType.Int32)
                {
                    a.Add($"OutputScale = {F(l.OutputScale)}");
                    a.Add($"OutputZeroPoint = {l.OutputZeroPoint}");
                    if (l.Activation != Activation.None) a.Add($"Activation = KernelGen.Activation.{l.Activation}");
                }
                if (l.Conv)
                {
                    if (l.Strides[0] != 1 || l.Strides[1] != 1 || i % 2 == 0) a.Add($"Strides = new[] {{ {l.Strides[0]}, {l.Strides[1]} }}");
                    if (l.Dilations[0] != 1 || l.Dilations[1] != 1) a.Add($"Dilations = new[] {{ {l.Dilations[0]}, {l.Dilations[1]} }}");
                    if (l.PaddingArgument.Length > 0) a.Add(l.PaddingArgument);
                    if (l.Groups != 1) a.Add($"Groups = {l.Groups}");
                }
                s.Append('[').Append(a[0]).Append(", ").Append(string.Join(", ", a.Skip(1))).Append(")]\n");
            }
            s.Append($"public partial class {Name}\n{{\n");
            for (int i = 0; i < Layers.Count; i++)
            {
                Layer l = Layers[i];
                s.Append($"    static readonly {(l.WeightType == QuantType.Int8 ? "sbyte" : "byte")}[] W{i} = {{ {string.Join(",", l.Weights)} }};\n");
                if (l.Bias is not null)
                    s.Append($"    static readonly int[] B{i} = {{ {string.Join(", ", l.Bias)} }};\n");
            }
            s.Append("}\n");
            return s.ToString();
        }
    }

    internal static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    /// <summary>Random models; <paramref name="singles"/> one-conv models and <paramref name="chains"/> multi-layer ones.</summary>
    internal static Model RandomModel(Random random, string name, RequantizationScheme scheme, bool chain)
    {
        int h = random.Next(1, 13), w = random.Next(1, 13), c = random.Next(1, 21);
        QuantType inputType = random.Next(2) == 0 ? QuantType.UInt8 : QuantType.Int8;
        float inputScale = (float)(0.005 + random.NextDouble() * 0.05);
        int inputZero = inputType == QuantType.UInt8 ? random.Next(0, 256) : random.Next(-128, 128);
        var layers = new List<Layer>();
        var reference = new List<IReferenceLayer>();
        int count = chain ? random.Next(2, 4) : 1;
        QuantType type = inputType;
        float scale = inputScale;
        int zero = inputZero;
        int outputBytes = 0;
        for (int i = 0; i < count; i++)
        {
            bool last = i == count - 1;
            bool dense = chain && last && random.Next(2) == 0;
            bool int32 = last && random.Next(6) == 0;
            Layer layer;
            IReferenceLayer r;
            if (dense)
            {
                int inputs = h * w * c;
                int outputs = random.Next(1, 20);
                layer = RandomWeights(random, false, outputs, inputs, 1, 1, new[] { 1, 1 }, new[] { 1, 1 }, "", new int[4], 1, inputs, scale, int32);
                r = new DenseReferenceLayer(inputs, outputs, type, scale, zero, layer.WeightType, layer.Weights.Select(v => (byte)v).ToArray(),
                    layer.Scales, layer.ZeroPoints, layer.Bias, layer.OutputScale, layer.OutputZeroPoint, layer.Activation, layer.PerChannel, scheme, layer.OutputType);
                h = 1; w = 1; c = outputs;
            }
            else
            {
                while (true)
                {
                    int groups = random.Next(3) == 0 ? new[] { 1, 2, 3, 4 }[random.Next(4)] : 1;
                    if (c % groups != 0) groups = 1;
                    int oc = random.Next(1, 41) / groups * groups;
                    if (oc == 0) oc = groups;
                    int kh = random.Next(1, 6), kw = random.Next(1, 6);
                    if (random.Next(5) == 0) kh = kw = 1;
                    int[] strides = { random.Next(1, 4), random.Next(1, 4) };
                    int[] dilations = random.Next(3) == 0 ? new[] { random.Next(1, 3), random.Next(1, 3) } : new[] { 1, 1 };
                    int mode = random.Next(3);
                    int[] pads = new int[4];
                    string argument = "";
                    if (mode == 1)
                    {
                        argument = "Padding = KernelGen.Padding.Same";
                        ConvolutionGeometry.SamePadding(h, kh, strides[0], dilations[0], out pads[0], out pads[2]);
                        ConvolutionGeometry.SamePadding(w, kw, strides[1], dilations[1], out pads[1], out pads[3]);
                    }
                    else if (mode == 2)
                    {
                        pads = new[] { random.Next(0, 3), random.Next(0, 3), random.Next(0, 3), random.Next(0, 3) };
                        argument = $"Pads = new[] {{ {string.Join(", ", pads)} }}";
                    }
                    if (!ConvolutionGeometry.TryValidate(h, kh, strides[0], dilations[0], pads[0], pads[2], out int oh, out _)
                        || !ConvolutionGeometry.TryValidate(w, kw, strides[1], dilations[1], pads[1], pads[3], out int ow, out _))
                        continue;
                    int k = kh * kw * (c / groups);
                    layer = RandomWeights(random, true, oc, kh, kw, groups, strides, dilations, argument, pads, groups, k, scale, int32);
                    r = new Conv2DReferenceLayer(h, w, c, oc, kh, kw, strides, dilations, pads, groups, type, scale, zero,
                        layer.WeightType, layer.Weights.Select(v => (byte)v).ToArray(), layer.Scales, layer.ZeroPoints, layer.Bias,
                        layer.OutputScale, layer.OutputZeroPoint, layer.Activation, layer.PerChannel, scheme, layer.OutputType);
                    h = oh; w = ow; c = oc;
                    break;
                }
            }
            layers.Add(layer);
            reference.Add(r);
            outputBytes = r.OutputBytes;
            if (layer.OutputType != QuantType.Int32)
                type = layer.OutputType;
            scale = layer.OutputScale;
            zero = layer.OutputZeroPoint;
        }
        var model = new Model(name, 0, 0, 0, inputType, inputScale, inputZero, scheme, layers, reference, outputBytes);
        return model;
    }

    private static Layer RandomWeights(
        Random random, bool conv, int oc, int kh, int kw, int groupsUnused, int[] strides, int[] dilations, string padding, int[] pads, int groups,
        int k, float inputScale, bool int32)
    {
        QuantType weightType = random.Next(3) == 0 ? QuantType.UInt8 : QuantType.Int8;
        int[] weights = new int[oc * k];
        bool small = random.Next(2) == 0;
        for (int i = 0; i < weights.Length; i++)
        {
            int v = small ? random.Next(-40, 41) : random.Next(-128, 128);
            weights[i] = weightType == QuantType.Int8 ? v : v + 128;
        }
        bool perChannel = random.Next(2) == 0 && oc > 1;
        float[] scales = Enumerable.Range(0, perChannel ? oc : 1).Select(_ => (float)(0.002 + random.NextDouble() * 0.02)).ToArray();
        int[] zeros;
        int zeroMode = random.Next(3);
        if (weightType == QuantType.UInt8)
            zeros = zeroMode == 2 && oc > 1 ? Enumerable.Range(0, oc).Select(_ => random.Next(100, 156)).ToArray() : new[] { zeroMode == 0 ? 128 : random.Next(0, 256) };
        else
            zeros = zeroMode == 2 && oc > 1 ? Enumerable.Range(0, oc).Select(_ => random.Next(-5, 6)).ToArray() : new[] { zeroMode == 0 ? 0 : random.Next(-128, 128) };
        int[]? bias = random.Next(4) == 0 ? null : Enumerable.Range(0, oc).Select(_ => random.Next(-20000, 20000)).ToArray();
        float outputScale = inputScale * scales[0] * (float)Math.Sqrt(k) * (float)(20 + random.NextDouble() * 80);
        QuantType outputType = int32 ? QuantType.Int32 : random.Next(2) == 0 ? QuantType.UInt8 : QuantType.Int8;
        int outputZero = outputType == QuantType.UInt8 ? random.Next(0, 256) : outputType == QuantType.Int8 ? random.Next(-128, 128) : 0;
        Activation activation = int32 ? Activation.None : (Activation)random.Next(3);
        return new Layer(conv, oc, kh, conv ? kw : 1, strides, dilations, padding, pads, groups, weightType, weights, scales, perChannel, zeros, bias,
            int32 ? 0f : outputScale, outputZero, activation, outputType);
    }

    private delegate void Runner(ReadOnlySpan<byte> input, Span<byte> output);

    private sealed class ConvBatch
    {
        public required List<Model> Models { get; init; }
        public required string[] Sources { get; init; }
        public required GeneratorRun Run { get; init; }
        public required Dictionary<string, byte[]> Inputs { get; init; }
        public required Dictionary<string, byte[]> Expected { get; init; }

        public static ConvBatch Create(int seed, RequantizationScheme scheme, int singles, int chains)
        {
            var random = new Random(seed);
            var models = new List<Model>();
            for (int i = 0; i < singles + chains; i++)
            {
                // Rebuild with the input shape the generator needs: RandomModel draws it first.
                var shapeRandom = new Random(seed * 1000 + i);
                int h = shapeRandom.Next(1, 13), w = shapeRandom.Next(1, 13), c = shapeRandom.Next(1, 21);
                Model m = RandomModel(new Random(seed * 1000 + i), $"C{i}", scheme, i >= singles);
                models.Add(m with { Height = h, Width = w, Channels = c });
            }
            string[] sources = models.Select(m => m.Source()).ToArray();
            GeneratorRun run = GeneratorHarness.Run(sources);
            Assert.Empty(run.Diagnostics);
            Assert.Empty(run.CompileErrors);

            var inputs = new Dictionary<string, byte[]>();
            var expected = new Dictionary<string, byte[]>();
            foreach (Model m in models)
            {
                int rows = 3;
                var input = new byte[rows * m.InputBytes];
                random.NextBytes(input);
                input.AsSpan(m.InputBytes, m.InputBytes).Fill(m.InputType == QuantType.Int8 ? (byte)0x80 : (byte)0);
                input.AsSpan(2 * m.InputBytes, m.InputBytes).Fill(m.InputType == QuantType.Int8 ? (byte)0x7F : (byte)0xFF);
                var output = new byte[rows * m.OutputBytes];
                ReferenceOps.Model(m.InputBytes, m.Reference.ToArray(), input, output);
                inputs[m.Name] = input;
                expected[m.Name] = output;
            }
            return new ConvBatch { Models = models, Sources = sources, Run = run, Inputs = inputs, Expected = expected };
        }

        public void Check(PinnedPath path)
        {
            if (!ModelLoader.CanRun(path))
                return;
            Assembly assembly = ModelLoader.Load(Run, Sources, path);
            foreach (Model m in Models)
            {
                Type type = assembly.GetType("Conv." + m.Name, throwOnError: true)!;
                byte[] input = Inputs[m.Name];
                byte[] actual = new byte[Expected[m.Name].Length];
                byte[] declared = new byte[actual.Length];
                Invoke(type.GetMethods().Single(x => x.Name == "Run" && x.GetParameters().Length == 2), input, actual);
                Invoke(type.GetMethod("RunReference")!, input, declared);
                AssertEqual(Expected[m.Name], declared, m, "RunReference");
                AssertEqual(Expected[m.Name], actual, m, $"Run ({path})");
            }
        }

        private static void AssertEqual(byte[] expected, byte[] actual, Model m, string what)
        {
            int index = expected.AsSpan().CommonPrefixLength(actual);
            if (index == expected.Length)
                return;
            Assert.Fail($"{what} of {m.Name} differs from the reference at byte {index} of {expected.Length}: expected {expected[index]}, got {actual[index]}.\n{m.Source()}");
        }
    }

    /// <summary>Calls a generated Run / RunReference whatever its element types, on raw bytes.</summary>
    internal static void Invoke(MethodInfo method, byte[] input, byte[] output)
    {
        ParameterInfo[] parameters = method.GetParameters();
        Type inElement = parameters[0].ParameterType.GetGenericArguments()[0];
        Type outElement = parameters[1].ParameterType.GetGenericArguments()[0];
        MethodInfo call = typeof(Conv2DKernelTests).GetMethod(nameof(CallTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(inElement, outElement);
        call.Invoke(null, new object[] { method, input, output });
    }

    private delegate void Typed<TIn, TOut>(ReadOnlySpan<TIn> input, Span<TOut> output);

    private static void CallTyped<TIn, TOut>(MethodInfo method, byte[] input, byte[] output)
        where TIn : struct
        where TOut : struct
    {
        var typed = method.CreateDelegate<Typed<TIn, TOut>>();
        typed(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, TIn>(input.AsSpan()), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, TOut>(output.AsSpan()));
    }
}
