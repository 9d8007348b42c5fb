using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace KernelGen.OrtTests;

/// <summary>Runs a one-node model with ONNX Runtime: CPU execution provider, one thread, a fresh session per model.</summary>
internal static class OrtRunner
{
    /// <summary>The native library's version, for the test log.</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>Runs <paramref name="model"/> on one input and returns the single output's raw bytes (uint8 or int8).</summary>
    public static byte[] Run(byte[] model, OnnxModelWriter.Value input, byte[] data)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            // The default level (all graph optimizations), as a user's session has it: ORT may, for example, turn a
            // QLinearConv into its channels-last variant; the kernels are the same.
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = new InferenceSession(model, options);
        using var runOptions = new RunOptions();
        using OrtValue value = input.DataType == OnnxModelWriter.Int8
            ? OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, sbyte>(data).ToArray(), input.Dims)
            : OrtValue.CreateTensorValueFromMemory(data.ToArray(), input.Dims);
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions, [input.Name], [value], session.OutputNames);
        OrtValue output = outputs[0];
        return output.GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int8
            ? MemoryMarshal.AsBytes(output.GetTensorDataAsSpan<sbyte>()).ToArray()
            : output.GetTensorDataAsSpan<byte>().ToArray();
    }
}

/// <summary>
/// The seed every random layer is drawn from: KERNELGEN_ORT_SEED when set, else a fixed default, so a run is
/// reproducible and a failure names what to rerun with. Layer i of a family is drawn from its own Random seeded from
/// (seed, family, i), so one layer can be rebuilt alone. KERNELGEN_ORT_LAYERS changes how many layers each family draws.
/// </summary>
internal static class TestSeed
{
    public const int Default = 20261124;
    public const int DefaultLayers = 1000;

    /// <summary>How many test cases each family's layers are split into (they run one after another).</summary>
    public const int Chunks = 10;

    public static int Value { get; } = Read("KERNELGEN_ORT_SEED", Default);

    public static int Layers { get; } = Math.Max(1, Read("KERNELGEN_ORT_LAYERS", DefaultLayers));

    public static string Rerun => $"seed {Value} (rerun with KERNELGEN_ORT_SEED={Value})";

    /// <summary>
    /// The Random of layer <paramref name="index"/> of <paramref name="family"/>. Seeds are mixed (SplitMix64's
    /// finalizer) first: System.Random's first draws are correlated across nearby seeds.
    /// </summary>
    public static Random ForLayer(int family, int index)
    {
        ulong z = unchecked(((ulong)(uint)Value << 32) | (((ulong)(uint)family << 24) ^ (uint)index));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return new Random(unchecked((int)z ^ (int)(z >> 32)));
    }

    /// <summary>The layer indices of chunk <paramref name="chunk"/>.</summary>
    public static IEnumerable<int> LayersOf(int chunk)
    {
        int per = (Layers + Chunks - 1) / Chunks;
        return Enumerable.Range(chunk * per, Math.Max(0, Math.Min(per, Layers - chunk * per)));
    }

    public static IEnumerable<object[]> ChunkData() => Enumerable.Range(0, Chunks).Select(c => new object[] { c });

    private static int Read(string name, int fallback)
    {
        string? text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new InvalidOperationException($"{name}={text} is not an integer.");
        return value;
    }
}

/// <summary>
/// What MLAS computes u8 x s8 dot products with on this CPU (onnxruntime/core/mlas/lib/platform.cpp picks the kernels
/// from CPUID). With AVX-512 VNNI (vpdpbusd) or AVX-VNNI the products are summed exactly in int32; on x86-64 without
/// either (plain AVX2, or AVX-512 without VNNI) the u8 x s8 QGEMM, GEMV and symmetric-conv kernels use vpmaddubsw, which
/// saturates a pair of u8*s8 products at int16 (|sum| > 32767), so ORT's result is then not the exact integer one.
/// u8 x u8 (vpmaddwd on int16-widened values), s8 x s8 (MLAS's portable C++ kernel on x86-64 unless AVX-VNNI-INT8) and
/// the depthwise conv kernel (int16 products widened to int32) are exact on every x86-64 CPU.
/// </summary>
internal static class MlasCpu
{
    private static readonly HashSet<string> Flags = ReadFlags();

    /// <summary>True where MLAS's u8 x s8 kernels may saturate (x86-64 without AVX-512 VNNI, AVX-VNNI or AMX-INT8).</summary>
    public static bool U8S8MaySaturate { get; } =
        RuntimeInformation.ProcessArchitecture == Architecture.X64 &&
        !(Flags.Contains("avx512_vnni") || Flags.Contains("avx_vnni") || Flags.Contains("amx_int8"));

    public static string Describe()
    {
        string model = "unknown CPU";
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        string[] relevant = ["avx2", "avx512bw", "avx512_vnni", "avx_vnni", "avx_vnni_int8", "amx_int8"];
        string flags = string.Join(" ", relevant.Where(Flags.Contains));
        return $"{model} [{flags}]; u8 x s8 " + (U8S8MaySaturate
            ? "uses vpmaddubsw (int16 pair saturation): u8 x s8 layers draw 7-bit weights, [-64, 63], as ORT's reduce_range does"
            : "is exact (VNNI): full-range weights");
    }

    private static HashSet<string> ReadFlags()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            if (line is not null)
                return new HashSet<string>(line.Split(':', 2)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return [];
    }
}

/// <summary>Random quantization parameters and data.</summary>
internal static class RandomQuant
{
    public static int Min(QuantType type) => type == QuantType.Int8 ? -128 : 0;

    public static int Max(QuantType type) => type == QuantType.Int8 ? 127 : 255;

    public static int OnnxType(QuantType type) => type == QuantType.Int8 ? OnnxModelWriter.Int8 : OnnxModelWriter.UInt8;

    /// <summary>10^uniform(log10 lo, log10 hi), as float.</summary>
    public static float LogUniform(Random rng, double lo, double hi)
        => (float)Math.Pow(10, Math.Log10(lo) + rng.NextDouble() * (Math.Log10(hi) - Math.Log10(lo)));

    /// <summary>A zero point: mostly uniform over the type, sometimes an end of it or the middle.</summary>
    public static int ZeroPoint(Random rng, QuantType type, int min, int max)
    {
        int roll = rng.Next(10);
        if (roll == 0) return min;
        if (roll == 1) return max;
        if (roll == 2) return Math.Clamp(type == QuantType.Int8 ? 0 : 128, min, max);
        return rng.Next(min, max + 1);
    }

    /// <summary>
    /// Input, weight (<paramref name="weightScales"/> of them: 1 per tensor, else per channel) and output scales. Mostly
    /// over several decades with the output scale set where outputs land inside the range for accumulators of RMS
    /// <paramref name="accRms"/>; sometimes an output scale drawn on its own (mostly saturated outputs); sometimes all
    /// powers of two, so that the float scale is exact and acc * scale often falls on a .5 tie.
    /// </summary>
    public static (float Input, float[] Weight, float Output) Scales(Random rng, int weightScales, double accRms, List<string> notes)
    {
        var weight = new float[weightScales];
        int mode = rng.Next(20);
        if (mode < 4)
        {
            float input = MathF.Pow(2, -rng.Next(0, 11));
            int weightExponent = rng.Next(0, 11);
            for (int j = 0; j < weight.Length; j++)
                weight[j] = MathF.Pow(2, -(weightExponent + (j == 0 ? 0 : rng.Next(0, 3))));
            // acc * 2^-shift lands around +-32; small shifts make ties frequent.
            int shift = rng.Next(4) == 0 ? rng.Next(1, 4) : Math.Max(1, (int)Math.Round(Math.Log2(Math.Max(accRms, 1) / 32)) + rng.Next(-1, 2));
            notes.Add($"power-of-two scales, shift {shift}");
            return (input, weight, input * weight[0] * MathF.Pow(2, shift));
        }
        float inputScale = LogUniform(rng, 1e-4, 10);
        float weightBase = LogUniform(rng, 1e-4, 10);
        for (int j = 0; j < weight.Length; j++)
            weight[j] = j == 0 || rng.Next(8) == 0 ? weightBase : weightBase * LogUniform(rng, 0.1, 10);
        if (mode < 7)
        {
            notes.Add("independent output scale");
            return (inputScale, weight, LogUniform(rng, 1e-4, 10));
        }
        return (inputScale, weight, (float)(inputScale * (double)weightBase * Math.Max(accRms, 1) / 48 * LogUniform(rng, 0.3, 3)));
    }

    /// <summary>How a tensor's values are drawn.</summary>
    public enum Fill { Uniform, Extremes, Mixed, AllMin, AllMax, NearZeroPoint }

    public static Fill PickFill(Random rng)
    {
        int roll = rng.Next(20);
        return roll switch
        {
            < 9 => Fill.Uniform,
            < 12 => Fill.Extremes,
            < 15 => Fill.Mixed,
            15 => Fill.AllMin,
            16 => Fill.AllMax,
            _ => Fill.NearZeroPoint,
        };
    }

    /// <summary>
    /// <paramref name="count"/> values in [min, max] drawn as <paramref name="fill"/> says; NearZeroPoint keeps value i
    /// within 4 of zeroPoints[i % zeroPoints.Length] (small accumulators, so that small power-of-two scales stay inside
    /// the range and hit ties).
    /// </summary>
    public static int[] Values(Random rng, int count, int min, int max, Fill fill, int[] zeroPoints)
    {
        var values = new int[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = fill switch
            {
                Fill.Uniform => rng.Next(min, max + 1),
                Fill.Extremes => rng.Next(2) == 0 ? min : max,
                Fill.Mixed => rng.Next(4) == 0 ? (rng.Next(2) == 0 ? min : max) : rng.Next(min, max + 1),
                Fill.AllMin => min,
                Fill.AllMax => max,
                _ => Math.Clamp(zeroPoints[i % zeroPoints.Length] + rng.Next(-4, 5), min, max),
            };
        }
        return values;
    }

    public static byte[] Raw(int[] values)
    {
        var raw = new byte[values.Length];
        for (int i = 0; i < raw.Length; i++)
            raw[i] = unchecked((byte)values[i]);
        return raw;
    }

    /// <summary>
    /// Counts for the log: outputs strictly inside the type's range (not saturated), and outputs whose acc * scale was
    /// exactly halfway between two integers (where round half to even decides).
    /// </summary>
    public static void Tally(ref long interior, ref long ties, int value, int min, int max, int acc, float scale)
    {
        if (value > min && value < max)
        {
            interior++;
            float product = acc * scale;
            if (product - MathF.Floor(product) == 0.5f)
                ties++;
        }
    }

    /// <summary>A float as C# round-trips it and as its bits, for failure messages.</summary>
    public static string F(float value) => $"{value.ToString("R", CultureInfo.InvariantCulture)} (0x{BitConverter.SingleToInt32Bits(value):X8})";
}
