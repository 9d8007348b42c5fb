using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using KernelGen.Quantization;
using Xunit.Abstractions;

namespace KernelGen.OrtTests;

/// <summary>
/// Random 2-D QLinearConv layers run by ONNX Runtime and by a test-local reference convolution in the
/// <see cref="RequantizationScheme.Float"/> scheme: every output byte must be equal.
/// </summary>
/// <remarks>
/// What ORT's CPU kernel accepts (onnxruntime/core/providers/cpu/quantization/qlinearconv.cc): x uint8 with w uint8 or
/// int8 and y uint8, or x, w and y int8; x int8 with w uint8 has no CPU kernel, so it is not drawn. x's and y's scale
/// and zero point are per tensor; w's scale is per tensor or per output channel ([M]); w's zero point may be given
/// per output channel, but ORT requires all of its values to be equal ("zero point of per-channel filter must be
/// same"), for uint8 and int8 weights alike, so per channel it is drawn as M copies of one value. Zero is not required
/// for int8 weights: a zero w zero point with int8 weights only selects MLAS's symmetric paths for uint8 x (the
/// ConvSym kernels, requantization fused in: group 1 with C_in % 4 == 0, C_out % 4 == 0 and C_out >= 16 under the
/// AVX-512 dispatch, convsym.cpp; or depthwise with a multiple of 16 channels), which the draw below steers into often. Bias is int32 [M], added to the accumulator
/// before requantization. The output scale is x_scale * w_scale[m] / y_scale in float.
/// </remarks>
public sealed class QLinearConvTests(ITestOutputHelper output)
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
            ConvCase c = ConvCase.Draw(index);
            byte[] actual = OrtRunner.Run(c.Model(), c.Input, RandomQuant.Raw(c.X));
            byte[] expected = c.Reference();
            Assert.True(expected.AsSpan().SequenceEqual(c.LocalReference()), $"layer {c.Index}: Conv2DReferenceLayer and the test-local reference disagree");
            layers++;
            bytes += expected.Length;
            foreach (string key in c.Kinds())
                tally[key] = tally.GetValueOrDefault(key) + 1;
            c.Tally(expected, ref interior, ref ties);
            if (!actual.AsSpan().SequenceEqual(expected))
                failures.Add(c.Explain(actual, expected));
        }

        output.WriteLine($"ONNX Runtime {OrtRunner.Version}; {TestSeed.Rerun}; {MlasCpu.Describe()}");
        output.WriteLine($"chunk {chunk}: {layers} QLinearConv layers, {bytes} output bytes compared ({interior} inside the range, {ties} at a .5 tie); {string.Join(", ", tally.Select(p => $"{p.Key}: {p.Value}"))}");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {layers} QLinearConv layers differ from ONNX Runtime, {TestSeed.Rerun}:\n" + string.Join("\n", failures.Take(5)));
    }

    /// <summary>The example of the ONNX operator documentation (the backend node test test_qlinearconv), expected output included.</summary>
    [Fact]
    public void Onnx_documentation_example()
    {
        int[] x =
        [
            255, 174, 162, 25, 203, 168, 58, 15, 59, 237, 95, 129, 0, 64, 56, 242, 153, 221, 168, 12, 166, 232, 178, 186,
            195, 237, 162, 237, 188, 39, 124, 77, 80, 102, 43, 127, 230, 21, 83, 41, 40, 134, 255, 154, 92, 141, 42, 148, 247,
        ];
        var c = new ConvCase(-1, 1, 1, 7, 7, 1, 1, 1, 1, [1, 1], [1, 1], [0, 0, 0, 0], QuantType.UInt8, QuantType.UInt8,
            0.003692046971991658f, 132, [0], [0.0017279457533732057f], [255], null, 0.001626812620088458f, 123, x, ScalarShapes: true);
        byte[] expected =
        [
            0, 81, 93, 230, 52, 87, 197, 240, 196, 18, 160, 126, 255, 191, 199, 13, 102, 34, 87, 243, 89, 23, 77, 69, 60,
            18, 93, 18, 67, 216, 131, 178, 175, 153, 212, 128, 25, 234, 172, 214, 215, 121, 0, 101, 163, 114, 213, 107, 8,
        ];
        Assert.Equal(expected, OrtRunner.Run(c.Model(), c.Input, RandomQuant.Raw(c.X)));
        Assert.Equal(expected, c.Reference());
    }
}

/// <summary>
/// One QLinearConv layer, NCHW: x [Batch, C, H, W] (the graph input), w [M, C / Group, KH, KW], pads
/// [top, left, bottom, right] as ONNX orders them ([x1_begin, x2_begin, x1_end, x2_end]), strides and dilations [h, w].
/// </summary>
internal sealed record ConvCase(
    int Index, int Batch, int C, int H, int W, int M, int Group, int KH, int KW, int[] Strides, int[] Dilations, int[] Pads,
    QuantType XType, QuantType WType, float XScale, int XZero, int[] Weights, float[] WScales, int[] WZeros, int[]? Bias,
    float YScale, int YZero, int[] X, bool ScalarShapes, string Notes = "")
{
    public int OH => (H + Pads[0] + Pads[2] - (Dilations[0] * (KH - 1) + 1)) / Strides[0] + 1;

    public int OW => (W + Pads[1] + Pads[3] - (Dilations[1] * (KW - 1) + 1)) / Strides[1] + 1;

    public OnnxModelWriter.Value Input => new("x", RandomQuant.OnnxType(XType), [Batch, C, H, W]);

    public OnnxModelWriter.Value Output => new("y", RandomQuant.OnnxType(XType), [Batch, M, OH, OW]);

    public static ConvCase Draw(int index)
    {
        const int Family = 2;
        Random rng = TestSeed.ForLayer(Family, index);
        var notes = new List<string>();
        (QuantType x, QuantType w) = rng.Next(3) switch
        {
            0 => (QuantType.UInt8, QuantType.UInt8),
            1 => (QuantType.UInt8, QuantType.Int8),
            _ => (QuantType.Int8, QuantType.Int8),
        };
        bool forceSymmetric = false;
        int c, m, group;
        int shape = rng.Next(20);
        if (shape < 4)
        {
            // Depthwise (one input and one output channel per group): MLAS's depthwise kernels; 16 groups (a multiple
            // of 16) with uint8 x and int8 w of zero point 0 take the symmetric depthwise kernel.
            group = c = m = rng.Next(2) == 0 ? 16 : rng.Next(1, 17);
            notes.Add("depthwise");
        }
        else if (shape < 6)
        {
            // The shape of MLAS's symmetric ConvSym kernel (requantization fused in the kernel): uint8 x, int8 w with
            // zero point 0, group 1, C_in % 4 == 0, C_out % 4 == 0 and C_out >= 16.
            (x, w) = (QuantType.UInt8, QuantType.Int8);
            forceSymmetric = true;
            group = 1;
            c = 4 * rng.Next(1, 5);
            m = 16;
            notes.Add("ConvSym shape");
        }
        else
        {
            c = rng.Next(1, 17);
            m = rng.Next(1, 17);
            int[] divisors = Enumerable.Range(1, 16).Where(d => c % d == 0 && m % d == 0).ToArray();
            group = rng.Next(2) == 0 ? 1 : divisors[rng.Next(divisors.Length)];
        }

        int batch = rng.Next(6) == 0 ? 2 : 1;
        int h = rng.Next(1, 13), wd = rng.Next(1, 13);
        int[] pads = [rng.Next(0, 3), rng.Next(0, 3), rng.Next(0, 3), rng.Next(0, 3)];
        int[] strides = [rng.Next(1, 4), rng.Next(1, 4)];
        int[] dilations = [rng.Next(1, 3), rng.Next(1, 3)];
        // Kernel 1-5, its dilated extent no larger than the padded input.
        int kh = rng.Next(1, 6), kw = rng.Next(1, 6);
        while (dilations[0] * (kh - 1) + 1 > h + pads[0] + pads[2]) kh--;
        while (dilations[1] * (kw - 1) + 1 > wd + pads[1] + pads[3]) kw--;

        // Weights: full range, except u8 x s8 on a CPU whose MLAS kernel saturates int16 pairs (see MlasCpu).
        int wMin = RandomQuant.Min(w), wMax = RandomQuant.Max(w);
        if (x == QuantType.UInt8 && w == QuantType.Int8 && MlasCpu.U8S8MaySaturate)
        {
            (wMin, wMax) = (-64, 63);
            notes.Add("7-bit weights (no VNNI)");
        }
        int xZero = RandomQuant.ZeroPoint(rng, x, RandomQuant.Min(x), RandomQuant.Max(x));
        int yZero = RandomQuant.ZeroPoint(rng, x, RandomQuant.Min(x), RandomQuant.Max(x));
        int wZero = forceSymmetric || (w == QuantType.Int8 && rng.Next(2) == 0) ? 0 : RandomQuant.ZeroPoint(rng, w, wMin, wMax);
        int[] wZeros = rng.Next(4) == 0 ? Enumerable.Repeat(wZero, m).ToArray() : [wZero];

        RandomQuant.Fill xFill = RandomQuant.PickFill(rng), wFill = RandomQuant.PickFill(rng);
        if (x == QuantType.UInt8 && w == QuantType.Int8 && rng.Next(20) == 0)
            (xFill, wFill) = (RandomQuant.Fill.AllMax, RandomQuant.Fill.AllMin);
        notes.Add($"x {xFill}, w {wFill}");
        int[] xValues = RandomQuant.Values(rng, batch * c * h * wd, RandomQuant.Min(x), RandomQuant.Max(x), xFill, [xZero]);
        int[] wValues = RandomQuant.Values(rng, m * (c / group) * kh * kw, wMin, wMax, wFill, [wZero]);

        var draft = new ConvCase(index, batch, c, h, wd, m, group, kh, kw, strides, dilations, pads, x, w, 1, xZero,
            wValues, [1], wZeros, null, 1, yZero, xValues, false);
        int[] acc = draft.Accumulators();
        double rms = Math.Sqrt(acc.Sum(a => (double)a * a) / acc.Length);

        int[]? bias = null;
        if (rng.Next(10) < 6)
        {
            // Mostly of the accumulators' size; sometimes large (near +-2^30, far outside the range, still without
            // int32 overflow: |acc| < 16 * 25 * 255 * 255 < 2^25).
            bool large = rng.Next(10) == 0;
            int limit = large ? 1 << 30 : (int)Math.Min(1 << 30, Math.Max(4, 2 * rms));
            bias = new int[m];
            for (int o = 0; o < m; o++)
                bias[o] = rng.Next(-limit, limit + 1);
            notes.Add(large ? "large bias" : "bias");
        }

        (float xScale, float[] wScales, float yScale) = RandomQuant.Scales(rng, rng.Next(2) == 0 ? m : 1, rms, notes);
        return new ConvCase(index, batch, c, h, wd, m, group, kh, kw, strides, dilations, pads, x, w, xScale, xZero,
            wValues, wScales, wZeros, bias, yScale, yZero, xValues, ScalarShapes: rng.Next(2) == 0, string.Join(", ", notes));
    }

    public byte[] Model()
    {
        int xt = RandomQuant.OnnxType(XType), wt = RandomQuant.OnnxType(WType);
        long[] perTensor = ScalarShapes ? [] : [1];
        var initializers = new List<OnnxModelWriter.Tensor>
        {
            OnnxModelWriter.Floats("x_scale", perTensor, XScale),
            OnnxModelWriter.EightBit("x_zero_point", xt, perTensor, XZero),
            OnnxModelWriter.EightBit("w", wt, [M, C / Group, KH, KW], Weights),
            OnnxModelWriter.Floats("w_scale", WScales.Length > 1 ? [M] : perTensor, WScales),
            OnnxModelWriter.EightBit("w_zero_point", wt, WZeros.Length > 1 ? [M] : perTensor, WZeros),
            OnnxModelWriter.Floats("y_scale", perTensor, YScale),
            OnnxModelWriter.EightBit("y_zero_point", xt, perTensor, YZero),
        };
        var inputs = new List<string> { "x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point" };
        if (Bias is not null)
        {
            initializers.Add(OnnxModelWriter.Ints("B", [M], Bias));
            inputs.Add("B");
        }
        OnnxModelWriter.Attribute[] attributes =
        [
            new("kernel_shape", [KH, KW]),
            new("pads", Pads.Select(p => (long)p).ToArray()),
            new("strides", Strides.Select(s => (long)s).ToArray()),
            new("dilations", Dilations.Select(d => (long)d).ToArray()),
            new("group", [Group], Scalar: true),
        ];
        return OnnxModelWriter.SingleNode("QLinearConv", inputs, initializers, Input, Output, attributes);
    }

    /// <summary>
    /// The expected output: the runtime's <see cref="KernelGen.Reference.Conv2DReferenceLayer"/> in the Float scheme, built
    /// from this case (x NCHW to NHWC per batch item, w OIHW to OHWI, the output back to NCHW). The test-local
    /// <see cref="LocalConvReference"/> stays for <see cref="Accumulators"/>, which pick scales and explain failures, and
    /// <see cref="LocalReference"/> checks the two references agree.
    /// </summary>
    public byte[] Reference()
    {
        int perGroup = C / Group;
        var weights = new byte[M * KH * KW * perGroup];
        for (int o = 0; o < M; o++)
            for (int c = 0; c < perGroup; c++)
                for (int i = 0; i < KH; i++)
                    for (int j = 0; j < KW; j++)
                        weights[((o * KH + i) * KW + j) * perGroup + c] = unchecked((byte)Weights[((o * perGroup + c) * KH + i) * KW + j]);
        var layer = new KernelGen.Reference.Conv2DReferenceLayer(
            H, W, C, M, KH, KW, Strides, Dilations, Pads, Group,
            XType, XScale, XZero, WType, weights, WScales, WZeros, Bias, YScale, YZero, Activation.None,
            scheme: RequantizationScheme.Float);
        var output = new byte[Batch * M * OH * OW];
        var nhwc = new byte[H * W * C];
        var result = new byte[OH * OW * M];
        for (int b = 0; b < Batch; b++)
        {
            for (int c = 0; c < C; c++)
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++)
                        nhwc[(y * W + x) * C + c] = unchecked((byte)X[((b * C + c) * H + y) * W + x]);
            layer.Run(new[] { nhwc }, result);
            for (int o = 0; o < M; o++)
                for (int y = 0; y < OH; y++)
                    for (int x = 0; x < OW; x++)
                        output[((b * M + o) * OH + y) * OW + x] = result[(y * OW + x) * M + o];
        }
        return output;
    }

    /// <summary>The test-local reference's output, for the check that both references agree.</summary>
    public byte[] LocalReference() => LocalConvReference.Requantize(this, Accumulators());

    /// <summary>The int32 accumulators (bias included), NCHW, from <see cref="LocalConvReference"/>.</summary>
    public int[] Accumulators() => LocalConvReference.Accumulate(this);

    public float Scale(int channel) => QuantizationMath.FloatRequantizationScale(XScale, WScales[WScales.Length > 1 ? channel : 0], YScale);

    public IEnumerable<string> Kinds()
    {
        yield return $"{XType}x{WType}";
        if (Group == C && Group == M && Group > 1) yield return "depthwise";
        else if (Group > 1) yield return "grouped";
        if (WScales.Length > 1) yield return "per-channel scales";
        if (WZeros.Length > 1) yield return "per-channel zero points";
        if (WType == QuantType.Int8 && WZeros[0] == 0) yield return "w zero point 0";
        if (Bias is not null) yield return "bias";
        if (XType == QuantType.UInt8 && WType == QuantType.Int8 && WZeros[0] == 0 &&
            ((Group == 1 && C % 4 == 0 && M % 4 == 0 && M >= 16) || (Group == C && Group == M && Group % 16 == 0)))
            yield return "ConvSym";
    }

    public void Tally(byte[] expected, ref long interior, ref long ties)
    {
        int[] acc = Accumulators();
        int plane = OH * OW;
        for (int i = 0; i < expected.Length; i++)
        {
            int channel = i / plane % M;
            RandomQuant.Tally(ref interior, ref ties, Signed(expected[i]), RandomQuant.Min(XType), RandomQuant.Max(XType), acc[i], Scale(channel));
        }
    }

    /// <summary>The layer, the first differing elements with their accumulators, and where the model was saved.</summary>
    public string Explain(byte[] actual, byte[] expected)
    {
        var text = new StringBuilder();
        text.Append($"layer {Index}: x [{Batch},{C},{H},{W}] {XType}, w [{M},{C / Group},{KH},{KW}] {WType}, group {Group}, ");
        text.Append($"pads [{string.Join(",", Pads)}] strides [{string.Join(",", Strides)}] dilations [{string.Join(",", Dilations)}]; ");
        text.Append($"x_scale {RandomQuant.F(XScale)} x_zp {XZero}; w_scale {(WScales.Length > 1 ? $"per channel [{WScales.Length}]" : RandomQuant.F(WScales[0]))} ");
        text.Append($"w_zp {WZeros[0]}{(WZeros.Length > 1 ? $" x{WZeros.Length}" : "")}; y_scale {RandomQuant.F(YScale)} y_zp {YZero}; ");
        text.Append($"bias {(Bias is null ? "none" : "[" + string.Join(",", Bias.Take(4)) + (Bias.Length > 4 ? ",..." : "") + "]")}; {Notes}");
        int[] acc = Accumulators();
        int plane = OH * OW, shown = 0, differing = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (actual[i] == expected[i]) continue;
            differing++;
            if (shown++ >= 4) continue;
            int n = i / (M * plane), o = i / plane % M, oh = i % plane / OW, ow = i % OW;
            float scale = Scale(o);
            text.Append($"\n  y[{n},{o},{oh},{ow}]: ORT {Signed(actual[i])}, reference {Signed(expected[i])}; acc (bias included) {acc[i]}, scale {RandomQuant.F(scale)}, acc*scale {RandomQuant.F(acc[i] * scale)}");
        }
        text.Append($"\n  {differing} of {expected.Length} bytes differ; model and input saved as {Save()}.{{onnx,bin}}");
        return text.ToString();
    }

    public int Signed(byte raw) => XType == QuantType.Int8 ? (sbyte)raw : raw;

    private string Save()
    {
        string stem = Path.Combine(Path.GetTempPath(), $"kernelgen-ort-qlinearconv-{TestSeed.Value}-{Index}");
        File.WriteAllBytes(stem + ".onnx", Model());
        File.WriteAllBytes(stem + ".bin", RandomQuant.Raw(X));
        return stem;
    }
}

/// <summary>
/// A plain 2-D convolution reference, test-local until the runtime's Conv2DReferenceLayer exists (see
/// <see cref="ConvCase.Reference"/>): NCHW loops, padding contributes nothing (a padded tap is skipped, which is what
/// padding with the input zero point amounts to), products of zero-point-corrected values summed in unchecked int32,
/// plus bias, then FloatRequantization.Apply with QuantizationMath.FloatRequantizationScale(x_scale, w_scale[o],
/// y_scale), clamped to the output type's range (the input's type).
/// </summary>
internal static class LocalConvReference
{
    public static int[] Accumulate(ConvCase c)
    {
        int oh = c.OH, ow = c.OW;
        int cPerGroup = c.C / c.Group, mPerGroup = c.M / c.Group;
        var acc = new int[c.Batch * c.M * oh * ow];
        for (int n = 0; n < c.Batch; n++)
            for (int o = 0; o < c.M; o++)
            {
                int g = o / mPerGroup;
                int wZero = c.WZeros[c.WZeros.Length > 1 ? o : 0];
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++)
                    {
                        int sum = 0;
                        for (int ci = 0; ci < cPerGroup; ci++)
                        {
                            int channel = g * cPerGroup + ci;
                            for (int ky = 0; ky < c.KH; ky++)
                            {
                                int iy = y * c.Strides[0] - c.Pads[0] + ky * c.Dilations[0];
                                if (iy < 0 || iy >= c.H) continue;
                                for (int kx = 0; kx < c.KW; kx++)
                                {
                                    int ix = x * c.Strides[1] - c.Pads[1] + kx * c.Dilations[1];
                                    if (ix < 0 || ix >= c.W) continue;
                                    int xv = c.X[((n * c.C + channel) * c.H + iy) * c.W + ix] - c.XZero;
                                    int wv = c.Weights[((o * cPerGroup + ci) * c.KH + ky) * c.KW + kx] - wZero;
                                    sum = unchecked(sum + xv * wv);
                                }
                            }
                        }
                        if (c.Bias is not null)
                            sum = unchecked(sum + c.Bias[o]);
                        acc[((n * c.M + o) * oh + y) * ow + x] = sum;
                    }
            }
        return acc;
    }

    public static byte[] Requantize(ConvCase c, int[] acc)
    {
        int plane = c.OH * c.OW;
        int min = QuantizationMath.TypeMin(c.XType), max = QuantizationMath.TypeMax(c.XType);
        var y = new byte[acc.Length];
        for (int i = 0; i < acc.Length; i++)
        {
            int o = i / plane % c.M;
            float scale = QuantizationMath.FloatRequantizationScale(c.XScale, c.WScales[c.WScales.Length > 1 ? o : 0], c.YScale);
            y[i] = unchecked((byte)FloatRequantization.Apply(acc[i], scale, c.YZero, min, max));
        }
        return y;
    }
}
