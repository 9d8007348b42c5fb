using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using KernelGen.Quantization;
using KernelGen.Reference;
using Xunit.Abstractions;

namespace KernelGen.OrtTests;

/// <summary>
/// Random QLinearMatMul layers run by ONNX Runtime and by <see cref="DenseReferenceLayer"/> in the
/// <see cref="RequantizationScheme.Float"/> scheme: every output byte must be equal.
/// </summary>
/// <remarks>
/// What ORT's CPU kernel accepts (onnxruntime/core/providers/cpu/quantization/quantize_linear_matmul.cc): A uint8 with B
/// uint8 or int8 and Y uint8, or A, B and Y int8. A int8 with B uint8 has no CPU kernel, so it is not drawn. B's scale
/// and zero point may each be per tensor (a scalar or [1]) or per column ([N], for a 2-D B), for every accepted type
/// pair, independently of each other (MatMulIntegerBase.IsBQuantParamSupported); a's and y's are per tensor only. Y's
/// scale is a_scale * b_scale[n] / y_scale in float, and MlasRequantizeOutput requantizes, which is what the Float
/// scheme computes. QLinearMatMul has no bias.
/// </remarks>
public sealed class QLinearMatMulTests(ITestOutputHelper output)
{

    public static IEnumerable<object[]> Chunks() => TestSeed.ChunkData();

    [Theory]
    [MemberData(nameof(Chunks))]
    public void Random_layers_equal_onnx_runtime_byte_for_byte(int chunk)
    {
        var failures = new List<string>();
        var tally = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int layers = 0;
        long bytes = 0, interior = 0, ties = 0;
        foreach (int index in TestSeed.LayersOf(chunk))
        {
            MatMulCase c = MatMulCase.Draw(index);
            byte[] actual = OrtRunner.Run(c.Model(), c.Input, RandomQuant.Raw(c.A));
            byte[] expected = c.Reference();
            layers++;
            bytes += expected.Length;
            string key = $"{c.AType}x{c.BType}";
            tally[key] = tally.GetValueOrDefault(key) + 1;
            if (c.BScales.Length > 1) tally["per-column scales"] = tally.GetValueOrDefault("per-column scales") + 1;
            if (c.BZeros.Length > 1) tally["per-column zero points"] = tally.GetValueOrDefault("per-column zero points") + 1;
            c.Tally(expected, ref interior, ref ties);
            if (!actual.AsSpan().SequenceEqual(expected))
                failures.Add(c.Explain(actual, expected));
        }

        output.WriteLine($"ONNX Runtime {OrtRunner.Version}; {TestSeed.Rerun}; {MlasCpu.Describe()}");
        output.WriteLine($"chunk {chunk}: {layers} QLinearMatMul layers, {bytes} output bytes compared ({interior} inside the range, {ties} at a .5 tie); {string.Join(", ", tally.Select(p => $"{p.Key}: {p.Value}"))}");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {layers} QLinearMatMul layers differ from ONNX Runtime, {TestSeed.Rerun}:\n" + string.Join("\n", failures.Take(5)));
    }

    /// <summary>The example of the ONNX operator documentation (the backend node test test_qlinearmatmul_2D), expected output included.</summary>
    [Fact]
    public void Onnx_documentation_example()
    {
        var c = new MatMulCase(-1, 2, 4, 3, QuantType.UInt8, QuantType.UInt8,
            0.0066f, 113, [152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247], [0.00705f], [114], 0.0107f, 118,
            [208, 236, 0, 238, 3, 214, 255, 29], ScalarShapes: true);
        byte[] expected = [168, 115, 255, 1, 66, 151];
        Assert.Equal(expected, OrtRunner.Run(c.Model(), c.Input, RandomQuant.Raw(c.A)));
        Assert.Equal(expected, c.Reference());
    }
}

/// <summary>One QLinearMatMul layer: A [M, K] (the graph input), B [K, N] and the quantization parameters (initializers).</summary>
internal sealed record MatMulCase(
    int Index, int M, int K, int N, QuantType AType, QuantType BType,
    float AScale, int AZero, int[] B, float[] BScales, int[] BZeros, float YScale, int YZero, int[] A, bool ScalarShapes,
    string Notes = "")
{
    public OnnxModelWriter.Value Input => new("a", RandomQuant.OnnxType(AType), [M, K]);

    public OnnxModelWriter.Value Output => new("y", RandomQuant.OnnxType(AType), [M, N]);

    public static MatMulCase Draw(int index)
    {
        const int Family = 1;
        Random rng = TestSeed.ForLayer(Family, index);
        int m = rng.Next(1, 5);
        int k = rng.Next(1, 301);
        int n = rng.Next(1, 301);
        (QuantType a, QuantType b) = rng.Next(3) switch
        {
            0 => (QuantType.UInt8, QuantType.UInt8),
            1 => (QuantType.UInt8, QuantType.Int8),
            _ => (QuantType.Int8, QuantType.Int8),
        };
        var notes = new List<string>();

        // Weights: full range, except u8 x s8 on a CPU whose MLAS kernel saturates int16 pairs (see MlasCpu).
        int bMin = RandomQuant.Min(b), bMax = RandomQuant.Max(b);
        if (a == QuantType.UInt8 && b == QuantType.Int8 && MlasCpu.U8S8MaySaturate)
        {
            (bMin, bMax) = (-64, 63);
            notes.Add("7-bit weights (no VNNI)");
        }

        int aZero = RandomQuant.ZeroPoint(rng, a, RandomQuant.Min(a), RandomQuant.Max(a));
        int yZero = RandomQuant.ZeroPoint(rng, a, RandomQuant.Min(a), RandomQuant.Max(a));
        bool perColumnZeros = rng.Next(3) == 0;
        var bZeros = new int[perColumnZeros ? n : 1];
        bool symmetric = rng.Next(10) < 3;
        for (int j = 0; j < bZeros.Length; j++)
            bZeros[j] = symmetric ? 0 : RandomQuant.ZeroPoint(rng, b, bMin, bMax);
        if (symmetric) notes.Add("b zero point 0");

        RandomQuant.Fill aFill = RandomQuant.PickFill(rng), bFill = RandomQuant.PickFill(rng);
        // A vpmaddubsw worst case (where it can occur): every pair of u8 * s8 products at 255 * -128.
        if (a == QuantType.UInt8 && b == QuantType.Int8 && rng.Next(20) == 0)
            (aFill, bFill) = (RandomQuant.Fill.AllMax, RandomQuant.Fill.AllMin);
        notes.Add($"A {aFill}, B {bFill}");
        int[] aValues = RandomQuant.Values(rng, m * k, RandomQuant.Min(a), RandomQuant.Max(a), aFill, [aZero]);
        int[] bValues = RandomQuant.Values(rng, k * n, bMin, bMax, bFill, bZeros); // B is [K, N]: element i is in column i % N

        var draft = new MatMulCase(index, m, k, n, a, b, 1, aZero, bValues, [1], bZeros, 1, yZero, aValues, false);
        double sum = 0;
        for (int r = 0; r < m; r++)
            for (int j = 0; j < n; j++)
                sum += (double)draft.Accumulator(r, j) * draft.Accumulator(r, j);
        (float aScale, float[] bScales, float yScale) = RandomQuant.Scales(rng, rng.Next(2) == 0 ? n : 1, Math.Sqrt(sum / (m * n)), notes);
        return new MatMulCase(index, m, k, n, a, b, aScale, aZero, bValues, bScales, bZeros, yScale, yZero, aValues,
            ScalarShapes: rng.Next(2) == 0, string.Join(", ", notes));
    }

    public byte[] Model()
    {
        int at = RandomQuant.OnnxType(AType), bt = RandomQuant.OnnxType(BType);
        long[] perTensor = ScalarShapes ? [] : [1];
        var initializers = new[]
        {
            OnnxModelWriter.Floats("a_scale", perTensor, AScale),
            OnnxModelWriter.EightBit("a_zero_point", at, perTensor, AZero),
            OnnxModelWriter.EightBit("b", bt, [K, N], B),
            OnnxModelWriter.Floats("b_scale", BScales.Length > 1 ? [N] : perTensor, BScales),
            OnnxModelWriter.EightBit("b_zero_point", bt, BZeros.Length > 1 ? [N] : perTensor, BZeros),
            OnnxModelWriter.Floats("y_scale", perTensor, YScale),
            OnnxModelWriter.EightBit("y_zero_point", at, perTensor, YZero),
        };
        return OnnxModelWriter.SingleNode("QLinearMatMul",
            ["a", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point", "y_scale", "y_zero_point"],
            initializers, Input, Output);
    }

    /// <summary>The runtime's Dense reference in the Float scheme, row by row: weights [N, K] are B transposed.</summary>
    public byte[] Reference()
    {
        var weights = new byte[N * K];
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++)
                weights[n * K + k] = unchecked((byte)B[k * N + n]);
        var layer = new DenseReferenceLayer(K, N, AType, AScale, AZero, BType, weights, BScales, BZeros, bias: null,
            YScale, YZero, Activation.None, perChannelScales: null, scheme: RequantizationScheme.Float, outputType: null);
        byte[] a = RandomQuant.Raw(A);
        var y = new byte[M * N];
        for (int r = 0; r < M; r++)
            ReferenceOps.Dense(layer, a.AsSpan(r * K, K), y.AsSpan(r * N, N));
        return y;
    }

    /// <summary>The exact int32 accumulator of y[r, n].</summary>
    public int Accumulator(int r, int n)
    {
        int acc = 0;
        int bZero = BZeros[BZeros.Length > 1 ? n : 0];
        for (int k = 0; k < K; k++)
            acc += (A[r * K + k] - AZero) * (B[k * N + n] - bZero);
        return acc;
    }

    public float Scale(int n) => QuantizationMath.FloatRequantizationScale(AScale, BScales[BScales.Length > 1 ? n : 0], YScale);

    public void Tally(byte[] expected, ref long interior, ref long ties)
    {
        for (int i = 0; i < expected.Length; i++)
            RandomQuant.Tally(ref interior, ref ties, Signed(expected[i]), RandomQuant.Min(AType), RandomQuant.Max(AType), Accumulator(i / N, i % N), Scale(i % N));
    }

    /// <summary>The layer, the first differing elements with their exact accumulators, and where the model was saved.</summary>
    public string Explain(byte[] actual, byte[] expected)
    {
        var text = new StringBuilder();
        text.Append($"layer {Index}: M={M} K={K} N={N} A {AType} B {BType}; a_scale {RandomQuant.F(AScale)} a_zp {AZero}; ");
        text.Append($"b_scale {(BScales.Length > 1 ? $"per column [{BScales.Length}]" : RandomQuant.F(BScales[0]))} b_zp {(BZeros.Length > 1 ? $"per column [{BZeros.Length}]" : BZeros[0])}; ");
        text.Append($"y_scale {RandomQuant.F(YScale)} y_zp {YZero}; {Notes}");
        int shown = 0, differing = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (actual[i] == expected[i]) continue;
            differing++;
            if (shown++ >= 4) continue;
            int r = i / N, n = i % N;
            int acc = Accumulator(r, n);
            float scale = Scale(n);
            text.Append($"\n  y[{r},{n}]: ORT {Signed(actual[i])}, reference {Signed(expected[i])}; exact acc {acc}, scale {RandomQuant.F(scale)}, acc*scale {RandomQuant.F(acc * scale)}");
        }
        text.Append($"\n  {differing} of {expected.Length} bytes differ; model and input saved as {Save()}.{{onnx,bin}}");
        return text.ToString();
    }

    private int Signed(byte raw) => AType == QuantType.Int8 ? (sbyte)raw : raw;

    private string Save()
    {
        string stem = Path.Combine(Path.GetTempPath(), $"kernelgen-ort-qlinearmatmul-{TestSeed.Value}-{Index}");
        File.WriteAllBytes(stem + ".onnx", Model());
        File.WriteAllBytes(stem + ".bin", RandomQuant.Raw(A));
        return stem;
    }
}
