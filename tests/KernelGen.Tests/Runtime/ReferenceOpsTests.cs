using System;
using KernelGen.Quantization;
using KernelGen.Reference;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// The reference Dense on tiny layers worked out by hand from TFLite's reference_integer_ops::FullyConnected:
/// acc = sum_k (x_k - z_in) * (w_jk - z_w) + bias_j; out = clamp(z_out + MultiplyByQuantizedMultiplier(acc, M, shift)).
/// All scales below are powers of two or small dyadic values, so the real multipliers are exact and the same in float
/// and double.
/// </summary>
public sealed class ReferenceOpsTests
{
    private static DenseReferenceLayer Layer(int inputs, int outputs, QuantType activationType, float inputScale, int inputZeroPoint,
        QuantType weightType, int[] weights, float[] weightScales, int[] weightZeroPoints, int[]? bias, float outputScale,
        int outputZeroPoint, Activation activation)
    {
        var raw = new byte[weights.Length];
        for (int i = 0; i < raw.Length; i++)
            raw[i] = unchecked((byte)weights[i]);
        return new DenseReferenceLayer(inputs, outputs, activationType, inputScale, inputZeroPoint, weightType, raw, weightScales,
            weightZeroPoints, bias, outputScale, outputZeroPoint, activation);
    }

    [Fact]
    public void Dense_UInt8PerTensorHandComputed()
    {
        // K = 2, N = 1; uint8 input scale 0.5 zp 128; int8 weights [3, -5] scale 0.25 zp 0; bias 4; output scale 1 zp 10.
        DenseReferenceLayer layer = Layer(2, 1, QuantType.UInt8, 0.5f, 128, QuantType.Int8, new[] { 3, -5 },
            new[] { 0.25f }, new[] { 0 }, new[] { 4 }, 1f, 10, Activation.None);
        // x = [130, 120] -> x - 128 = [2, -8]
        // acc = 2 * 3 + (-8) * (-5) = 6 + 40 = 46; + bias 4 = 50
        // real multiplier = 0.5 * 0.25 / 1 = 0.125 = 0.5 * 2^-2 -> M = 2^30, shift = -2
        // SRDHM(50, 2^30) = 50 * 2^30 / 2^31 = 25; RoundingDivideByPOT(25, 2) = 6.25 -> 6
        // out = 10 + 6 = 16, inside [0, 255]
        var output = new byte[1];
        ReferenceOps.Dense(layer, new byte[] { 130, 120 }, output);
        Assert.Equal(new byte[] { 16 }, output);
    }

    [Fact]
    public void Dense_Int8PerChannelHandComputedWithTiesAwayFromZero()
    {
        // K = 3, N = 2; int8 input scale 1 zp -1; int8 weights per channel, scales [0.5, 0.25], zps [0, 0];
        // bias [5, 21]; output scale 2 zp -3; no activation.
        DenseReferenceLayer layer = Layer(3, 2, QuantType.Int8, 1f, -1, QuantType.Int8,
            new[] { 7, 2, 1, /* row 1 */ 0, -3, 2 },
            new[] { 0.5f, 0.25f }, new[] { 0, 0 }, new[] { 5, 21 }, 2f, -3, Activation.None);
        // x = [-1, 4, -10] -> x - (-1) = [0, 5, -9]
        // column 0: acc = 0*7 + 5*2 + (-9)*1 = 1; + 5 = 6
        //           multiplier = 1 * 0.5 / 2 = 0.25 = 0.5 * 2^-1 -> M = 2^30, shift = -1
        //           SRDHM(6, 2^30) = 3; RoundingDivideByPOT(3, 1) = 1.5 -> 2 (tie away from zero)
        //           out = -3 + 2 = -1 -> byte 0xFF
        // column 1: acc = 0*0 + 5*(-3) + (-9)*2 = -33; + 21 = -12
        //           multiplier = 1 * 0.25 / 2 = 0.125 -> M = 2^30, shift = -2
        //           SRDHM(-12, 2^30) = -6; RoundingDivideByPOT(-6, 2) = -1.5 -> -2 (tie away from zero)
        //           out = -3 + (-2) = -5 -> byte 0xFB
        var output = new byte[2];
        ReferenceOps.Dense(layer, new byte[] { 0xFF, 4, unchecked((byte)-10) }, output);
        Assert.Equal(new byte[] { 0xFF, 0xFB }, output);
    }

    [Fact]
    public void Dense_UInt8WeightsWithZeroPointsLeftShiftsAndRelu6HandComputed()
    {
        // K = 2, N = 3; uint8 input scale 0.5 zp 100; uint8 weights, per channel scales [2, 0.5, 0.75], zps [128, 130, 128];
        // no bias; output scale 0.25 zp 0; Relu6 -> clamp [0 + round(0 / 0.25), 0 + round(6 / 0.25)] = [0, 24].
        DenseReferenceLayer layer = Layer(2, 3, QuantType.UInt8, 0.5f, 100, QuantType.UInt8,
            new[] { 130, 125, /* row 1 */ 131, 140, /* row 2 */ 130, 129 },
            new[] { 2f, 0.5f, 0.75f }, new[] { 128, 130, 128 }, null, 0.25f, 0, Activation.Relu6);
        // x = [104, 99] -> x - 100 = [4, -1]
        // column 0: w - 128 = [2, -3]; acc = 8 + 3 = 11
        //           multiplier = 0.5 * 2 / 0.25 = 4 = 0.5 * 2^3 -> M = 2^30, shift = 3 (left shift)
        //           11 << 3 = 88; SRDHM(88, 2^30) = 44; out = 44 -> clamped to 24
        // column 1: w - 130 = [1, 10]; acc = 4 - 10 = -6
        //           multiplier = 0.5 * 0.5 / 0.25 = 1 = 0.5 * 2^1 -> M = 2^30, shift = 1
        //           -6 << 1 = -12; SRDHM(-12, 2^30) = -6; out = -6 -> clamped to 0
        // column 2: w - 128 = [2, 1]; acc = 8 - 1 = 7
        //           multiplier = 0.5 * 0.75 / 0.25 = 1.5 = 0.75 * 2^1 -> M = 0.75 * 2^31 = 1610612736, shift = 1
        //           7 << 1 = 14; SRDHM(14, 1610612736) = 14 * 0.75 = 10.5 -> 11 (positive tie rounds up); out = 11
        var output = new byte[3];
        ReferenceOps.Dense(layer, new byte[] { 104, 99 }, output);
        Assert.Equal(new byte[] { 24, 0, 11 }, output);
    }

    [Fact]
    public void Dense_ReluClampsAtTheOutputZeroPoint()
    {
        // K = 1, N = 2; int8 input scale 1 zp 0; int8 weights [1, -1] scale 1; no bias; output scale 1 zp -20; Relu.
        // Relu lower bound = -20 + round(0 / 1) = -20.
        // x = [50]: column 0: acc 50, multiplier 1 -> (2^30, 1): 100 * 0.5 = 50; out = -20 + 50 = 30
        //           column 1: acc -50 -> -50; out = -70 -> clamped to -20 (0xEC)
        DenseReferenceLayer layer = Layer(1, 2, QuantType.Int8, 1f, 0, QuantType.Int8, new[] { 1, -1 },
            new[] { 1f }, new[] { 0 }, null, 1f, -20, Activation.Relu);
        var output = new byte[2];
        ReferenceOps.Dense(layer, new byte[] { 50 }, output);
        Assert.Equal(new byte[] { 30, 0xEC }, output);
    }

    [Fact]
    public void Dense_AccumulatorWrapsInInt32()
    {
        // K = 1; the bias pushes the int32 accumulator past int.MaxValue, which wraps as in TFLite's int32 arithmetic:
        // acc = (255 - 0) * 127 + (int.MaxValue - 100) = 32385 + 2147483547 wraps to -2147451364.
        // multiplier 1 * 1 / 2^30 = 0.5 * 2^-29 -> M = 2^30, shift = -29: SRDHM(-2147451364, 2^30) = -1073725682;
        // RoundingDivideByPOT(-1073725682, 29) = -1.99997 -> -2; out = 5 + (-2) = 3.
        // (Without wrapping, 2147515932 would give +4 -> 9.)
        DenseReferenceLayer layer = Layer(1, 1, QuantType.UInt8, 1f, 0, QuantType.Int8, new[] { 127 },
            new[] { 1f }, new[] { 0 }, new[] { int.MaxValue - 100 }, (float)Math.Pow(2, 30), 5, Activation.None);
        var output = new byte[1];
        ReferenceOps.Dense(layer, new byte[] { 255 }, output);
        Assert.Equal(new byte[] { 3 }, output);
    }

    /// <summary>
    /// TFLite's per-tensor FullyConnected (fully_connected.cc Prepare -> kernel_util.cc GetQuantizedConvolutionMultipler)
    /// computes the real multiplier as <c>static_cast&lt;double&gt;(input->params.scale * filter->params.scale) /
    /// static_cast&lt;double&gt;(output->params.scale)</c>: the input*filter product is rounded to float first. Only the
    /// per-channel path (PopulateConvolutionQuantizationParams) multiplies in double.
    /// </summary>
    [Fact]
    public void Dense_PerTensorMultiplierRoundsTheScaleProductToFloatAsTfLite()
    {
        // K = 1, N = 1; uint8 input scale 0.3f zp 0; int8 weight 5, one (per-tensor) scale 0.11f, zp 0; output scale 0.1f zp 0.
        // acc = 5 * 5 = 25
        // TFLite: float(0.3f * 0.11f) = 0.032999999821186066; / 0.1f = 0.32999999329447754
        //         frexp = (0.65999998658895508, -1); * 2^31 = 1417339178.88 -> M = 1417339179, shift = -1
        //         SRDHM(25, 1417339179) = 35433479475 / 2^31 = 16.4999997 -> 16; RoundingDivideByPOT(16, 1) = 8
        // With the double product (0.033000001132488244 / 0.1f = 0.33000000640749916): M = 1417339235,
        //         SRDHM = 35433480875 / 2^31 = 16.5000003 -> 17; 17 / 2 = 8.5 -> 9.
        Assert.Equal(0.032999999821186066, (double)(0.3f * 0.11f));
        QuantizationMath.QuantizeMultiplier((double)(0.3f * 0.11f) / 0.1f, out int tfliteMultiplier, out int tfliteShift);
        Assert.Equal((1417339179, -1), (tfliteMultiplier, tfliteShift));
        Assert.Equal(8, FixedPoint.MultiplyByQuantizedMultiplier(25, tfliteMultiplier, tfliteShift));

        DenseReferenceLayer layer = Layer(1, 1, QuantType.UInt8, 0.3f, 0, QuantType.Int8, new[] { 5 },
            new[] { 0.11f }, new[] { 0 }, null, 0.1f, 0, Activation.None);
        var output = new byte[1];
        ReferenceOps.Dense(layer, new byte[] { 5 }, output);
        Assert.Equal(new byte[] { 8 }, output);
    }

    [Fact]
    public void Dense_WrongSpanLengthsThrowNamingBothSizes()
    {
        DenseReferenceLayer layer = Layer(3, 2, QuantType.UInt8, 1f, 0, QuantType.Int8, new int[6], new[] { 1f }, new[] { 0 }, null, 1f, 0, Activation.None);
        var input = Assert.Throws<ArgumentException>(() => ReferenceOps.Dense(layer, new byte[4], new byte[2]));
        Assert.StartsWith("Expected 3 inputs, got 4.", input.Message);
        Assert.Equal("input", input.ParamName);
        var output = Assert.Throws<ArgumentException>(() => ReferenceOps.Dense(layer, new byte[3], new byte[1]));
        Assert.StartsWith("Expected 2 outputs, got 1.", output.Message);
        Assert.Equal("output", output.ParamName);
    }

    [Fact]
    public void DenseReferenceLayer_RejectsInconsistentDeclarations()
    {
        byte[] six = new byte[6];
        float[] one = { 1f };
        int[] zero = { 0 };
        // K = 3, N = 2 throughout; each line breaks one rule.
        Assert.Throws<ArgumentException>(() => new DenseReferenceLayer(3, 2, QuantType.UInt8, 1f, 0, QuantType.Int8, new byte[5], one, zero, null, 1f, 0, Activation.None));
        Assert.Throws<ArgumentException>(() => new DenseReferenceLayer(3, 2, QuantType.UInt8, 1f, 0, QuantType.Int8, six, new float[3], zero, null, 1f, 0, Activation.None));
        Assert.Throws<ArgumentException>(() => new DenseReferenceLayer(3, 2, QuantType.UInt8, 1f, 0, QuantType.Int8, six, one, new int[3], null, 1f, 0, Activation.None));
        Assert.Throws<ArgumentException>(() => new DenseReferenceLayer(3, 2, QuantType.UInt8, 1f, 0, QuantType.Int8, six, one, zero, new int[3], 1f, 0, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenseReferenceLayer(3, 2, QuantType.Int32, 1f, 0, QuantType.Int8, six, one, zero, null, 1f, 0, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenseReferenceLayer(3, 2, QuantType.UInt8, 1f, 0, QuantType.Int32, six, one, zero, null, 1f, 0, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenseReferenceLayer(0, 2, QuantType.UInt8, 1f, 0, QuantType.Int8, Array.Empty<byte>(), one, zero, null, 1f, 0, Activation.None));
        // Per-tensor (1) and per-channel (N = 2) parameter counts are both accepted.
        _ = new DenseReferenceLayer(3, 2, QuantType.UInt8, 1f, 0, QuantType.Int8, six, new[] { 1f, 2f }, new[] { 0, 1 }, new[] { 1, 2 }, 1f, 0, Activation.None);
    }

    // ---- Model chaining --------------------------------------------------------------------------------------------

    private static DenseReferenceLayer[] TwoLayerModel() => new[]
    {
        // Layer 1: K = 2, N = 2, uint8 input scale 1 zp 0, int8 weights [[1, 2], [3, -1]] scale 1, output scale 2 zp 0.
        //          multiplier 1 * 1 / 2 = 0.5 -> M = 2^30, shift 0.
        Layer(2, 2, QuantType.UInt8, 1f, 0, QuantType.Int8, new[] { 1, 2, 3, -1 }, new[] { 1f }, new[] { 0 }, null, 2f, 0, Activation.None),
        // Layer 2: K = 2, N = 1, input scale 2 zp 0, weights [[1, 1]] scale 0.5, bias 1, output scale 1 zp 3.
        //          multiplier 2 * 0.5 / 1 = 1 -> M = 2^30, shift 1.
        Layer(2, 1, QuantType.UInt8, 2f, 0, QuantType.Int8, new[] { 1, 1 }, new[] { 0.5f }, new[] { 0 }, new[] { 1 }, 1f, 3, Activation.None),
    };

    [Fact]
    public void Model_ChainsLayersRowByRowHandComputed()
    {
        // Row 0: x = [3, 4]    -> L1 acc [3 + 8, 9 - 4] = [11, 5]   -> * 0.5 = [5.5 -> 6, 2.5 -> 3]
        //                      -> L2 acc 6 + 3 + 1 = 10 -> (10 << 1) * 0.5 = 10 -> 3 + 10 = 13
        // Row 1: x = [10, 1]   -> L1 acc [10 + 2, 30 - 1] = [12, 29] -> [6, 14.5 -> 15]
        //                      -> L2 acc 6 + 15 + 1 = 22 -> 22 -> 25
        // Row 2: x = [0, 200]  -> L1 acc [400, -200] -> [200, -100 -> clamped 0]
        //                      -> L2 acc 200 + 0 + 1 = 201 -> 201 -> 204
        var output = new byte[3];
        ReferenceOps.Model(2, TwoLayerModel(), new byte[] { 3, 4, 10, 1, 0, 200 }, output);
        Assert.Equal(new byte[] { 13, 25, 204 }, output);
    }

    [Fact]
    public void Model_EmptyBatchWritesNothing()
    {
        ReferenceOps.Model(2, TwoLayerModel(), ReadOnlySpan<byte>.Empty, Span<byte>.Empty);
    }

    [Fact]
    public void Model_BadBatchLengthsThrowFromKernelGuard()
    {
        var input = Assert.Throws<ArgumentException>(() => ReferenceOps.Model(2, TwoLayerModel(), new byte[5], new byte[2]));
        Assert.Contains("Input length 5", input.Message);
        Assert.Contains("reads 2 values per row", input.Message);
        var output = Assert.Throws<ArgumentException>(() => ReferenceOps.Model(2, TwoLayerModel(), new byte[6], new byte[2]));
        Assert.Contains("Output length 2", output.Message);
        Assert.Contains("expected 3 (3 x 1 outputs)", output.Message);
        Assert.Throws<ArgumentException>(() => ReferenceOps.Model(2, Array.Empty<DenseReferenceLayer>(), new byte[2], new byte[1]));
    }

    // ---- KernelGuard -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(12, 4, 9, 3, 3)]
    [InlineData(4, 4, 3, 3, 1)]
    [InlineData(0, 4, 0, 3, 0)]
    public void KernelGuard_BatchRowsCountsWholeRows(int inputLength, int inputSize, int outputLength, int outputSize, int rows)
    {
        Assert.Equal(rows, KernelGuard.BatchRows(inputLength, inputSize, outputLength, outputSize));
    }

    [Fact]
    public void KernelGuard_PartialInputRowNamesActualLengthAndRowSize()
    {
        var error = Assert.Throws<ArgumentException>(() => KernelGuard.BatchRows(10, 4, 6, 3));
        Assert.Equal("input", error.ParamName);
        Assert.StartsWith("Input length 10 is not a whole number of rows: the model reads 4 values per row.", error.Message);
    }

    [Theory]
    [InlineData(8, 4, 5, 3, "Output length 5 does not match the input's 2 row(s): expected 6 (2 x 3 outputs).")]
    [InlineData(8, 4, 7, 3, "Output length 7 does not match the input's 2 row(s): expected 6 (2 x 3 outputs).")]
    [InlineData(0, 4, 1, 3, "Output length 1 does not match the input's 0 row(s): expected 0 (0 x 3 outputs).")]
    // 2e9 rows of 4 outputs: the expected size does not fit in int and must not wrap.
    [InlineData(2_000_000_000, 1, 0, 4, "Output length 0 does not match the input's 2000000000 row(s): expected 8000000000 (2000000000 x 4 outputs).")]
    public void KernelGuard_WrongOutputLengthNamesExpectedAndActual(int inputLength, int inputSize, int outputLength, int outputSize, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => KernelGuard.BatchRows(inputLength, inputSize, outputLength, outputSize));
        Assert.Equal("output", error.ParamName);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void KernelGuard_NoOverlapRejectsSharedMemoryOnly()
    {
        var buffer = new byte[16];
        KernelGuard.NoOverlap<byte, byte>(buffer.AsSpan(0, 8), buffer.AsSpan(8, 8));
        var error = Assert.Throws<ArgumentException>(() => KernelGuard.NoOverlap<byte, byte>(buffer.AsSpan(0, 8), buffer.AsSpan(7, 8)));
        Assert.Equal("output", error.ParamName);
        var ints = new int[4];
        Assert.Throws<ArgumentException>(() => KernelGuard.NoOverlap<int, byte>(ints.AsSpan(), System.Runtime.InteropServices.MemoryMarshal.AsBytes(ints.AsSpan(3))));
    }
}
