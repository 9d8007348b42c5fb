using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>One convolution layer of a CNN declaration, as ONNX wants it.</summary>
internal sealed record CnnConv(
    int InputHeight, int InputWidth, int InputChannels, int OutputHeight, int OutputWidth, int OutputChannels,
    int KernelHeight, int KernelWidth, int[] Strides, int[] Dilations, int[] Pads,
    sbyte[] OnnxWeights,    // OIHW [O, C, kH, kW]
    float[] WeightScales, float OutputScale, int OutputZeroPoint);

/// <summary>
/// Reads a CNN declaration of the digits sample's topology back by reflection: Conv2D -> MaxPool -> Conv2D -> Flatten ->
/// Dense, in declaration order, uint8 NHWC input, int8 symmetric weights from fields, no bias, ReLU convolutions with
/// output zero point 0, float requantization. Anything else throws rather than build a different ONNX graph.
/// </summary>
internal sealed class CnnModelInfo
{
    public required Type Type { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required int Channels { get; init; }
    public required float InputScale { get; init; }
    public required int InputZeroPoint { get; init; }
    public required CnnConv Conv1 { get; init; }
    public required int PoolHeight { get; init; }
    public required int PoolWidth { get; init; }
    public required int[] PoolStrides { get; init; }
    public required CnnConv Conv2 { get; init; }

    /// <summary>The Dense layer, its weights [N, K] with K in the declaration's flatten order (h, w, c).</summary>
    public required LayerInfo Fc { get; init; }

    /// <summary>The Dense weights as ONNX B [K, N] for K in NCHW flatten order (c, h, w): no Transpose node needed.</summary>
    public required sbyte[] OnnxFcWeights { get; init; }

    public int InputSize => Height * Width * Channels;

    public int OutputSize => Fc.Outputs;

    public KernelPath ActivePath => ModelInfo.ActivePathOf(Type);

    public static CnnModelInfo Of(Type type)
    {
        QuantizedModelAttribute model = type.GetCustomAttribute<QuantizedModelAttribute>()
            ?? throw new InvalidOperationException($"{type.Name} has no [QuantizedModel].");
        if (model.ActivationType != QuantType.UInt8 || model.Layout != TensorLayout.Nhwc || model.Height == 0
            || model.Requantization != RequantizationScheme.Float)
            throw new NotSupportedException($"{type.Name}: the CNN baseline needs a uint8 NHWC input and the float requantization scheme.");
        LayerAttribute[] layers = type.GetCustomAttributes<LayerAttribute>().ToArray();
        if (layers is not [Conv2DAttribute c1, MaxPoolAttribute pool, Conv2DAttribute c2, FlattenAttribute, DenseAttribute fc])
            throw new NotSupportedException($"{type.Name}: the CNN baseline supports Conv2D -> MaxPool -> Conv2D -> Flatten -> Dense, declared in that order.");

        CnnConv conv1 = Conv(type, c1, model.Height, model.Width, model.Channels);
        if (pool.Pads is not null || pool.Padding != Padding.Valid || pool.Activation != Activation.None)
            throw new NotSupportedException($"{type.Name}: the CNN baseline supports an unpadded max pool without activation.");
        int[] poolStrides = pool.Strides ?? [pool.WindowHeight, pool.WindowWidth];
        int ph = ConvolutionGeometry.OutputSize(conv1.OutputHeight, pool.WindowHeight, poolStrides[0], 1, 0, 0);
        int pw = ConvolutionGeometry.OutputSize(conv1.OutputWidth, pool.WindowWidth, poolStrides[1], 1, 0, 0);
        CnnConv conv2 = Conv(type, c2, ph, pw, conv1.OutputChannels);
        if (c2.OutputScale == 0 || conv1.OutputScale == 0)
            throw new NotSupportedException($"{type.Name}: every layer needs its output scale.");

        int h = conv2.OutputHeight, w = conv2.OutputWidth, c = conv2.OutputChannels;
        if (fc.Inputs != h * w * c)
            throw new InvalidOperationException($"{type.Name}: fc has {fc.Inputs} inputs, the flattened feature map {h * w * c}.");
        sbyte[] fcWeights = Weights(type, fc);
        if (fc.Bias is not null || fc.BiasFile is not null || fc.WeightZeroPoint != 0 || fc.WeightZeroPoints is not null || fc.Activation != Activation.None)
            throw new NotSupportedException($"{type.Name}: the CNN baseline supports a Dense layer without bias or activation, symmetric weights.");
        float[] fcScales = fc.WeightScales ?? Enumerable.Repeat(fc.WeightScale, fc.Outputs).ToArray();
        var onnxFc = new sbyte[fcWeights.Length];
        for (int n = 0; n < fc.Outputs; n++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < c; ch++)
                        onnxFc[((ch * h + y) * w + x) * fc.Outputs + n] = fcWeights[n * fc.Inputs + (y * w + x) * c + ch];

        return new CnnModelInfo
        {
            Type = type,
            Height = model.Height,
            Width = model.Width,
            Channels = model.Channels,
            InputScale = model.InputScale,
            InputZeroPoint = model.InputZeroPoint,
            Conv1 = conv1,
            PoolHeight = pool.WindowHeight,
            PoolWidth = pool.WindowWidth,
            PoolStrides = poolStrides,
            Conv2 = conv2,
            Fc = new LayerInfo(fc.Inputs, fc.Outputs, fcWeights, fcScales, conv2.OutputScale, conv2.OutputZeroPoint, fc.OutputScale, fc.OutputZeroPoint, fc.Activation),
            OnnxFcWeights = onnxFc,
        };
    }

    private static CnnConv Conv(Type type, Conv2DAttribute conv, int h, int w, int c)
    {
        if (conv.Groups != 1 || conv.Bias is not null || conv.BiasFile is not null || conv.WeightZeroPoint != 0 || conv.WeightZeroPoints is not null
            || conv.WeightType != QuantType.Int8 || conv.Activation != Activation.Relu || conv.OutputZeroPoint != 0)
            throw new NotSupportedException($"{type.Name}: the CNN baseline supports ungrouped convolutions, int8 symmetric weights, no bias, ReLU with output zero point 0.");
        sbyte[] weights = Weights(type, conv);
        int o = conv.OutputChannels, kh = conv.KernelHeight, kw = conv.KernelWidth;
        if (weights.Length != o * kh * kw * c)
            throw new InvalidOperationException($"{type.Name}.{conv.Weights}: {weights.Length} weights, expected {o * kh * kw * c}.");
        int[] strides = conv.Strides ?? [1, 1], dilations = conv.Dilations ?? [1, 1];
        int[] pads = conv.Pads ?? Pads(conv.Padding, h, w, kh, kw, strides, dilations);
        var onnx = new sbyte[weights.Length];
        for (int oc = 0; oc < o; oc++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++)
                    for (int ci = 0; ci < c; ci++)
                        onnx[((oc * c + ci) * kh + i) * kw + j] = weights[((oc * kh + i) * kw + j) * c + ci];
        return new CnnConv(h, w, c,
            ConvolutionGeometry.OutputSize(h, kh, strides[0], dilations[0], pads[0], pads[2]),
            ConvolutionGeometry.OutputSize(w, kw, strides[1], dilations[1], pads[1], pads[3]), o, kh, kw, strides, dilations, pads, onnx,
            conv.WeightScales ?? Enumerable.Repeat(conv.WeightScale, o).ToArray(), conv.OutputScale, conv.OutputZeroPoint);
    }

    private static int[] Pads(Padding padding, int h, int w, int kh, int kw, int[] strides, int[] dilations)
    {
        ConvolutionGeometry.Pads(padding, h, kh, strides[0], dilations[0], out int top, out int bottom);
        ConvolutionGeometry.Pads(padding, w, kw, strides[1], dilations[1], out int left, out int right);
        return [top, left, bottom, right];
    }

    private static sbyte[] Weights(Type type, WeightedLayerAttribute layer)
        => (sbyte[])(type.GetField(layer.Weights ?? throw new NotSupportedException($"{type.Name}: weights must come from a field."),
            BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)?.GetValue(null)
            ?? throw new InvalidOperationException($"{type.Name}.{layer.Weights} not found."));

    public string Describe() =>
        $"{Type.Name}: {Height}x{Width}x{Channels} -> conv {Conv1.KernelHeight}x{Conv1.KernelWidth} -> {Conv1.OutputHeight}x{Conv1.OutputWidth}x{Conv1.OutputChannels} " +
        $"-> max pool {PoolHeight}x{PoolWidth} -> conv {Conv2.KernelHeight}x{Conv2.KernelWidth} -> {Conv2.OutputHeight}x{Conv2.OutputWidth}x{Conv2.OutputChannels} " +
        $"-> flatten {Fc.Inputs} -> dense {Fc.Outputs}, float requantization";
}

/// <summary>
/// The digits-like CNN, two ways, single-threaded: KernelGen's generated Run on the NHWC images (every path job), and
/// ONNX Runtime running the same network as standard ONNX nodes on NCHW (QLinearConv, MaxPool, QLinearConv, Flatten,
/// QLinearMatMul; native job, full-range class only). The input copy to NCHW is made once in setup; for a one-channel
/// image it is the same bytes.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
[CategoriesColumn]
public abstract class CnnBenchmarkBase
{
    private const int Seed = 20261124;

    private OrtDense? _ort;
    private byte[] _ortOutput = [];

    /// <summary>Images per call.</summary>
    [Params(1)]
    public int Batch { get; set; }

    protected byte[] Input { get; private set; } = [];

    protected byte[] Output { get; private set; } = [];

    protected abstract void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output);

    protected abstract void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output);

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    [GlobalSetup]
    public void Setup()
    {
        CnnModelInfo model = CnnModelInfo.Of(((KernelGenModelAttribute)Attribute.GetCustomAttribute(GetType(), typeof(KernelGenModelAttribute))!).Model);
        var random = new Random(Seed);
        Input = RandomBytes(random, Batch * model.InputSize);
        Output = new byte[Batch * model.OutputSize];
        _ortOutput = new byte[Output.Length];
        _ort = Session(model, Input, _ortOutput, Batch);

        // Correctness first: Run equals RunReference byte for byte, and ONNX Runtime is within 1, on the benchmark
        // images and 256 more.
        const int extra = 256;
        byte[] check = RandomBytes(random, extra * model.InputSize);
        var checkOut = new byte[extra * model.OutputSize];
        int maxDiff = 0;
        foreach ((byte[] input, byte[] output, int images) in new[] { (Input, Output, Batch), (check, checkOut, extra) })
        {
            KernelGenRun(input, output);
            var reference = new byte[output.Length];
            KernelGenReference(input, reference);
            for (int i = 0; i < output.Length; i++)
                if (output[i] != reference[i])
                    throw new InvalidOperationException($"{model.Type.Name}.Run differs from RunReference at image {i / model.OutputSize}, output {i % model.OutputSize}: " +
                        $"{output[i]} vs {reference[i]} (path {model.ActivePath}).");

            byte[] ortOutput = input == Input ? _ortOutput : new byte[output.Length];
            if (input == Input)
                _ort.Run();
            else
            {
                using OrtDense ort = Session(model, input, ortOutput, images);
                ort.Run();
            }
            for (int i = 0; i < output.Length; i++)
                maxDiff = Math.Max(maxDiff, Math.Abs(output[i] - ortOutput[i]));
        }
        if (maxDiff > 1)
            throw new InvalidOperationException($"{model.Type.Name}: ONNX Runtime differs from KernelGen by up to {maxDiff} (expected at most 1).");

        Console.WriteLine($"// KernelGen setup: {model.Describe()}, batch {Batch}: ActivePath = {model.ActivePath}; " +
            $"Run == RunReference on {Batch + extra} images; max |ORT - KernelGen| = {maxDiff}; " +
            $"logits at 0: {checkOut.Count(v => v == 0) / (double)checkOut.Length:P1}, at 255: {checkOut.Count(v => v == 255) / (double)checkOut.Length:P1}; " +
            $"ONNX Runtime {OrtDense.Version}");
    }

    [GlobalCleanup]
    public void Cleanup() => _ort?.Dispose();

    private static OrtDense Session(CnnModelInfo model, byte[] nhwcInput, byte[] output, int images)
        => new(OnnxModelWriter.WriteCnn(model, images),
            ConvBenchmarkBase.ToNchw(nhwcInput, images, model.Height, model.Width, model.Channels), [images, model.Channels, model.Height, model.Width],
            output, [images, model.OutputSize]);

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}

[BenchmarkCategory("CNN digits 8x8")]
[KernelGenModel(typeof(DigitsCnn8x8))]
public class DigitsCnn8x8Benchmarks : CnnBenchmarkBase
{
    [Benchmark]
    public void KernelGen() => DigitsCnn8x8.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => DigitsCnn8x8.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => DigitsCnn8x8.RunReference(input, output);
}

/// <summary>The proof-accepted twin (weights in [-63, 63]): KernelGen rows only.</summary>
[BenchmarkCategory("CNN digits 8x8")]
[KernelGenModel(typeof(DigitsCnn8x8Narrow), PeerRows = false)]
public class DigitsCnn8x8NarrowBenchmarks : CnnBenchmarkBase
{
    [Benchmark]
    public void KernelGen() => DigitsCnn8x8Narrow.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => DigitsCnn8x8Narrow.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => DigitsCnn8x8Narrow.RunReference(input, output);
}
