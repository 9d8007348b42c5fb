using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using KernelGen.Reference;

namespace KernelGen.Benchmarks;

/// <summary>
/// One convolution model, the same layer three ways, single-threaded: KernelGen's generated Run on the NHWC input (in
/// every path job); ONNX Runtime's standard QLinearConv on an NCHW copy of
/// the same input (what an ONNX model gives; the copy is made once, untimed); and ONNX Runtime's com.microsoft
/// QLinearConv with channels_last = 1 on the NHWC input itself (the kernel ORT_ENABLE_ALL rewrites the standard node
/// into, minus the two Transposes it puts around it: ORT's best case). The models use the float requantization scheme,
/// ONNX Runtime's, so all outputs must be equal byte for byte. The two ONNX Runtime rows run in the native job of the
/// full-range classes only (BenchmarkConfig).
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
[CategoriesColumn]
public abstract class ConvBenchmarkBase
{
    private const int Seed = 20261124;

    private OrtDense? _ort;
    private OrtDense? _ortNhwc;
    private byte[] _ortInput = [];
    private byte[] _ortOutput = [];
    private byte[] _ortNhwcOutput = [];

    /// <summary>Images per call (batch 1, the case the conv shapes are about).</summary>
    [Params(1)]
    public int Batch { get; set; }

    /// <summary>The NHWC uint8 input images.</summary>
    protected byte[] Input { get; private set; } = [];

    /// <summary>KernelGen's NHWC output images.</summary>
    protected byte[] Output { get; private set; } = [];

    protected abstract void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output);

    protected abstract void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output);

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    [Benchmark]
    public void OnnxRuntimeNhwc() => _ortNhwc!.Run();

    [GlobalSetup]
    public void Setup()
    {
        ConvModelInfo model = ConvModelInfo.Of(((KernelGenModelAttribute)Attribute.GetCustomAttribute(GetType(), typeof(KernelGenModelAttribute))!).Model);
        if (model.Scheme != RequantizationScheme.Float)
            throw new InvalidOperationException($"{model.Type.Name}: the ONNX Runtime comparison needs Requantization = RequantizationScheme.Float.");

        var random = new Random(Seed);
        Input = RandomBytes(random, Batch * model.InputSize);
        Output = new byte[Batch * model.OutputSize];
        _ortInput = ToNchw(Input, Batch, model.Height, model.Width, model.Channels);
        _ortOutput = new byte[Output.Length];
        byte[] onnx = OnnxModelWriter.WriteConv(model, Batch);
        _ort = Session(model, onnx, _ortInput, _ortOutput, Batch);
        _ortNhwcOutput = new byte[Output.Length];
        _ortNhwc = NhwcSession(model, Input, _ortNhwcOutput, Batch);

        // Correctness first, outside the timed region: on the benchmark input and on one more image whose bytes are
        // mostly 0 or 255 (saturated sums), KernelGen's Run must equal its RunReference, ONNX Runtime's QLinearConv
        // (transposed back to NHWC) and the runtime's reference layer for the declaration (plain loops, an independent
        // check of the ONNX model), all byte for byte.
        byte[] edge = EdgeBytes(random, model.InputSize);
        int zeros = 0, saturated = 0;
        foreach ((byte[] input, int images) in new[] { (Input, Batch), (edge, 1) })
        {
            byte[] kernelGen = input == Input ? Output : new byte[images * model.OutputSize];
            KernelGenRun(input, kernelGen);

            var reference = new byte[kernelGen.Length];
            KernelGenReference(input, reference);
            ExpectEqual(model, "Run", kernelGen, "RunReference", reference);

            byte[] ortOutput;
            if (input == Input)
            {
                _ort.Run();
                ortOutput = _ortOutput;
            }
            else
            {
                ortOutput = new byte[kernelGen.Length];
                using OrtDense ort = Session(model, OnnxModelWriter.WriteConv(model, images), ToNchw(input, images, model.Height, model.Width, model.Channels), ortOutput, images);
                ort.Run();
            }
            byte[] ortNhwc = ToNhwc(ortOutput, images, model.OutputHeight, model.OutputWidth, model.OutputChannels);
            ExpectEqual(model, "Run", kernelGen, $"ONNX Runtime {OrtDense.Version} QLinearConv", ortNhwc);

            byte[] channelsLast;
            if (input == Input)
            {
                _ortNhwc.Run();
                channelsLast = _ortNhwcOutput;
            }
            else
            {
                channelsLast = new byte[kernelGen.Length];
                using OrtDense ort = NhwcSession(model, input, channelsLast, images);
                ort.Run();
            }
            ExpectEqual(model, "Run", kernelGen, $"ONNX Runtime {OrtDense.Version} com.microsoft.QLinearConv (channels_last)", channelsLast);

            IReferenceLayer layer = model.ReferenceLayer();
            var declared = new byte[kernelGen.Length];
            for (int n = 0; n < images; n++)
                layer.Run([input.AsSpan(n * model.InputSize, model.InputSize).ToArray()], declared.AsSpan(n * model.OutputSize, model.OutputSize));
            ExpectEqual(model, $"ONNX Runtime {OrtDense.Version} QLinearConv", ortNhwc, "the runtime's reference layer", declared);

            if (input == Input)
            {
                zeros = kernelGen.Count(v => v == 0);
                saturated = kernelGen.Count(v => v == 255);
            }
        }

        Console.WriteLine($"// KernelGen setup: {model.Describe()}, batch {Batch}: ActivePath = {model.ActivePath}; " +
            $"Run == RunReference == ORT QLinearConv (NCHW and channels_last) == reference layer, byte for byte, on {Batch + 1} images ({(Batch + 1) * model.OutputSize} outputs); " +
            $"outputs at 0: {zeros / (double)Output.Length:P0}, at 255: {saturated / (double)Output.Length:P1}; ONNX Runtime {OrtDense.Version}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ort?.Dispose();
        _ortNhwc?.Dispose();
    }

    private static OrtDense Session(ConvModelInfo model, byte[] onnx, byte[] nchwInput, byte[] nchwOutput, int images)
        => new(onnx, nchwInput, [images, model.Channels, model.Height, model.Width],
            nchwOutput, [images, model.OutputChannels, model.OutputHeight, model.OutputWidth]);

    private static OrtDense NhwcSession(ConvModelInfo model, byte[] nhwcInput, byte[] nhwcOutput, int images)
        => new(OnnxModelWriter.WriteConv(model, images, channelsLast: true), nhwcInput, [images, model.Height, model.Width, model.Channels],
            nhwcOutput, [images, model.OutputHeight, model.OutputWidth, model.OutputChannels]);

    private static void ExpectEqual(ConvModelInfo model, string name, byte[] actual, string otherName, byte[] other)
    {
        int mismatches = 0, first = -1, maxDiff = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (actual[i] == other[i])
                continue;
            mismatches++;
            if (first < 0)
                first = i;
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - other[i]));
        }
        if (mismatches == 0)
            return;
        int image = first / model.OutputSize, rest = first % model.OutputSize;
        int y = rest / (model.OutputWidth * model.OutputChannels), x = rest / model.OutputChannels % model.OutputWidth, o = rest % model.OutputChannels;
        throw new InvalidOperationException(
            $"{model.Type.Name}: {name} differs from {otherName} on {mismatches} of {actual.Length} outputs (max difference {maxDiff}); " +
            $"first at image {image}, y {y}, x {x}, channel {o}: {actual[first]} vs {other[first]} (path {model.ActivePath}).");
    }

    /// <summary>NHWC [n, h, w, c] to NCHW [n, c, h, w].</summary>
    internal static byte[] ToNchw(byte[] nhwc, int n, int h, int w, int c)
    {
        var nchw = new byte[nhwc.Length];
        for (int b = 0; b < n; b++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < c; ch++)
                        nchw[((b * c + ch) * h + y) * w + x] = nhwc[((b * h + y) * w + x) * c + ch];
        return nchw;
    }

    /// <summary>NCHW [n, c, h, w] to NHWC [n, h, w, c].</summary>
    internal static byte[] ToNhwc(byte[] nchw, int n, int h, int w, int c)
    {
        var nhwc = new byte[nchw.Length];
        for (int b = 0; b < n; b++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < c; ch++)
                        nhwc[((b * h + y) * w + x) * c + ch] = nchw[((b * c + ch) * h + y) * w + x];
        return nhwc;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Bytes that are 0 or 255 three times in four, else random: sums at and past the output range.</summary>
    private static byte[] EdgeBytes(Random random, int count)
    {
        var bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int r = random.Next(8);
            bytes[i] = r < 3 ? (byte)0 : r < 6 ? (byte)255 : (byte)random.Next(256);
        }
        return bytes;
    }
}

[BenchmarkCategory("Conv 3x3 32->32 @56x56")]
[KernelGenModel(typeof(Conv3x3x32))]
public class Conv3x3x32Benchmarks : ConvBenchmarkBase
{
    [Benchmark]
    public void KernelGen() => Conv3x3x32.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Conv3x3x32.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Conv3x3x32.RunReference(input, output);
}

/// <summary>The proof-accepted twin of Conv3x3x32 (weights in [-63, 63]): KernelGen rows only.</summary>
[BenchmarkCategory("Conv 3x3 32->32 @56x56")]
[KernelGenModel(typeof(Conv3x3x32Narrow), PeerRows = false)]
public class Conv3x3x32NarrowBenchmarks : ConvBenchmarkBase
{
    [Benchmark]
    public void KernelGen() => Conv3x3x32Narrow.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Conv3x3x32Narrow.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Conv3x3x32Narrow.RunReference(input, output);
}

[BenchmarkCategory("Depthwise 3x3 @112x112x32")]
[KernelGenModel(typeof(Depthwise3x3x32))]
public class DepthwiseConv3x3x32Benchmarks : ConvBenchmarkBase
{
    [Benchmark]
    public void KernelGen() => Depthwise3x3x32.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Depthwise3x3x32.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Depthwise3x3x32.RunReference(input, output);
}
