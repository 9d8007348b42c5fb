using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>Names the KernelGen model a benchmark class measures (read by the setup and by the columns).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class KernelGenModelAttribute(Type model) : Attribute
{
    public Type Model { get; } = model;

    /// <summary>
    /// Whether the class's ONNX Runtime and fp32 rows run. False for the proof-accepted twins: ORT and fp32 do the same
    /// work for them as for the full-range model of the same shape and batch, whose rows the ratio columns use.
    /// The setup still checks the twin against ORT and fp32.
    /// </summary>
    public bool PeerRows { get; set; } = true;
}

/// <summary>
/// One model, three implementations of the same layers, single-threaded: KernelGen's generated Run (in every path
/// job), ONNX Runtime's QLinearMatMul graph and fp32 TensorPrimitives (native job, full-range classes only; see
/// BenchmarkConfig). Batch = rows per call; each class lists its own batches.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
[CategoriesColumn]
public abstract class DenseBenchmarkBase
{
    private const int Seed = 20261124;

    private OrtDense? _ort;
    private Fp32Dense? _fp32;
    private byte[] _ortOutput = [];

    /// <summary>Rows per call; each class declares its [Params].</summary>
    public abstract int Batch { get; set; }

    /// <summary>Input rows (uint8), the same for every implementation (fp32 gets them dequantized).</summary>
    protected byte[] Input { get; private set; } = [];

    /// <summary>KernelGen's output rows.</summary>
    protected byte[] Output { get; private set; } = [];

    protected abstract void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output);

    protected abstract void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output);

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    [Benchmark]
    public void TensorPrimitivesFp32() => _fp32!.Run();

    [GlobalSetup]
    public void Setup()
    {
        ModelInfo model = ModelInfo.Of(((KernelGenModelAttribute)Attribute.GetCustomAttribute(GetType(), typeof(KernelGenModelAttribute))!).Model);
        var random = new Random(Seed);
        Input = RandomBytes(random, Batch * model.InputSize);
        Output = new byte[Batch * model.OutputSize];
        _ortOutput = new byte[Output.Length];
        _ort = new OrtDense(model, Input, _ortOutput);
        _fp32 = new Fp32Dense(model, Input);

        // Correctness first: KernelGen against its scalar reference, bit for bit, on the benchmark input and on 256
        // more random rows; then ONNX Runtime (float requantization) and fp32 against KernelGen.
        byte[] check = RandomBytes(random, 256 * model.InputSize);
        var checkOut = new byte[256 * model.OutputSize];
        ExpectExact(model, Input, Output);
        ExpectExact(model, check, checkOut);

        KernelGenRun(Input, Output);
        _ort.Run();
        int ortDiff = MaxDifference(Output, _ortOutput);
        byte[] checkOrt = new byte[checkOut.Length];
        using (var ort = new OrtDense(model, check, checkOrt))
            ort.Run();
        ortDiff = Math.Max(ortDiff, MaxDifference(checkOut, checkOrt));
        if (ortDiff > 1)
            throw new InvalidOperationException($"{model.Type.Name}: ONNX Runtime differs from KernelGen by up to {ortDiff} (expected at most 1).");

        _fp32.Run();
        byte[] fp32Quantized = Quantize(_fp32.Output, model.Layers[^1]);
        int fp32Diff = MaxDifference(Output, fp32Quantized);
        double fp32Mean = Enumerable.Range(0, Output.Length).Average(i => Math.Abs(Output[i] - fp32Quantized[i]));
        // A single layer differs only by the requantization rounding. A deeper model's fp32 hidden activations are
        // neither rounded to the uint8 grid nor clipped at its top, so a few logits drift further; a wrong layout or
        // scale would move all of them, which the mean catches.
        if (model.Layers.Count == 1 ? fp32Diff > 1 : fp32Mean > 0.5)
            throw new InvalidOperationException($"{model.Type.Name}: fp32 differs from KernelGen by up to {fp32Diff}, {fp32Mean:F2} on average.");

        double clampedLow = checkOut.Count(v => v == 0) / (double)checkOut.Length;
        double clampedHigh = checkOut.Count(v => v == 255) / (double)checkOut.Length;
        Console.WriteLine($"// KernelGen setup: {model.Describe()}, batch {Batch}: ActivePath = {model.ActivePath}; " +
            $"Run == RunReference on {Batch + 256} rows; max |ORT - KernelGen| = {ortDiff}; max |fp32 - KernelGen| = {fp32Diff} (mean {fp32Mean:F2}); " +
            $"outputs at 0: {clampedLow:P0}, at 255: {clampedHigh:P1}; ONNX Runtime {OrtDense.Version}");
    }

    [GlobalCleanup]
    public void Cleanup() => _ort?.Dispose();

    private void ExpectExact(ModelInfo model, byte[] input, byte[] output)
    {
        var reference = new byte[output.Length];
        KernelGenRun(input, output);
        KernelGenReference(input, reference);
        for (int i = 0; i < output.Length; i++)
        {
            if (output[i] != reference[i])
                throw new InvalidOperationException(
                    $"{model.Type.Name}.Run differs from RunReference at row {i / model.OutputSize}, output {i % model.OutputSize}: " +
                    $"{output[i]} vs {reference[i]} (path {model.ActivePath}).");
        }
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static int MaxDifference(byte[] a, byte[] b)
    {
        int max = 0;
        for (int i = 0; i < a.Length; i++)
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    private static byte[] Quantize(float[] values, LayerInfo layer)
        => values.Select(v => (byte)Math.Clamp(Math.Round(v / layer.OutputScale, MidpointRounding.ToEven) + layer.OutputZeroPoint, 0, 255)).ToArray();
}

// Batches per shape, as issue 12 lists them: (M, K, N) = (1, 64, 32), (1, 256, 256), (32, 256, 256), (64, 256, 256),
// (1, 1024, 1024), (256, 1024, 1024); the MLP at 1, 64 and 256 rows.

[BenchmarkCategory("Dense 64x32")]
[KernelGenModel(typeof(Dense64x32))]
public class Dense64x32Benchmarks : DenseBenchmarkBase
{
    [Params(1)]
    public override int Batch { get; set; }

    [Benchmark]
    public void KernelGen() => Dense64x32.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Dense64x32.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Dense64x32.RunReference(input, output);
}

[BenchmarkCategory("Dense 256x256")]
[KernelGenModel(typeof(Dense256x256))]
public class Dense256x256Benchmarks : DenseBenchmarkBase
{
    [Params(1, 32, 64)]
    public override int Batch { get; set; }

    [Benchmark]
    public void KernelGen() => Dense256x256.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Dense256x256.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Dense256x256.RunReference(input, output);
}

[BenchmarkCategory("Dense 1024x1024")]
[KernelGenModel(typeof(Dense1024x1024))]
public class Dense1024x1024Benchmarks : DenseBenchmarkBase
{
    [Params(1, 256)]
    public override int Batch { get; set; }

    [Benchmark]
    public void KernelGen() => Dense1024x1024.Run(Input, Output);

    /// <summary>RunParallel on every core: batch 1 splits each layer over its column tiles, batch 256 over 8-row blocks.</summary>
    [Benchmark]
    public void KernelGenParallel() => Dense1024x1024.RunParallel(Input, Output, Environment.ProcessorCount);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Dense1024x1024.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Dense1024x1024.RunReference(input, output);
}

[BenchmarkCategory("MLP 64-32-10")]
[KernelGenModel(typeof(Mlp64x32x10))]
public class Mlp64x32x10Benchmarks : DenseBenchmarkBase
{
    [Params(1, 64, 256)]
    public override int Batch { get; set; }

    [Benchmark]
    public void KernelGen() => Mlp64x32x10.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Mlp64x32x10.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Mlp64x32x10.RunReference(input, output);
}

// The proof-accepted twins (weights in [-63, 63], Models.cs): same shapes and batches, KernelGen rows only.

[BenchmarkCategory("Dense 64x32")]
[KernelGenModel(typeof(Dense64x32Narrow), PeerRows = false)]
public class Dense64x32NarrowBenchmarks : DenseBenchmarkBase
{
    [Params(1)]
    public override int Batch { get; set; }

    [Benchmark]
    public void KernelGen() => Dense64x32Narrow.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Dense64x32Narrow.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Dense64x32Narrow.RunReference(input, output);
}

[BenchmarkCategory("Dense 256x256")]
[KernelGenModel(typeof(Dense256x256Narrow), PeerRows = false)]
public class Dense256x256NarrowBenchmarks : DenseBenchmarkBase
{
    [Params(1, 32, 64)]
    public override int Batch { get; set; }

    [Benchmark]
    public void KernelGen() => Dense256x256Narrow.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Dense256x256Narrow.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Dense256x256Narrow.RunReference(input, output);
}

[BenchmarkCategory("Dense 1024x1024")]
[KernelGenModel(typeof(Dense1024x1024Narrow), PeerRows = false)]
public class Dense1024x1024NarrowBenchmarks : DenseBenchmarkBase
{
    [Params(1, 256)]
    public override int Batch { get; set; }

    [Benchmark]
    public void KernelGen() => Dense1024x1024Narrow.Run(Input, Output);

    /// <summary>RunParallel on every core: batch 1 splits each layer over its column tiles, batch 256 over 8-row blocks.</summary>
    [Benchmark]
    public void KernelGenParallel() => Dense1024x1024Narrow.RunParallel(Input, Output, Environment.ProcessorCount);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Dense1024x1024Narrow.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Dense1024x1024Narrow.RunReference(input, output);
}

[BenchmarkCategory("MLP 64-32-10")]
[KernelGenModel(typeof(Mlp64x32x10Narrow), PeerRows = false)]
public class Mlp64x32x10NarrowBenchmarks : DenseBenchmarkBase
{
    [Params(1, 64, 256)]
    public override int Batch { get; set; }

    [Benchmark]
    public void KernelGen() => Mlp64x32x10Narrow.Run(Input, Output);

    protected override void KernelGenRun(ReadOnlySpan<byte> input, Span<byte> output) => Mlp64x32x10Narrow.Run(input, output);

    protected override void KernelGenReference(ReadOnlySpan<byte> input, Span<byte> output) => Mlp64x32x10Narrow.RunReference(input, output);
}
