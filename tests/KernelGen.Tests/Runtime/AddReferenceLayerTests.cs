using System;
using KernelGen.Quantization;
using KernelGen.Reference;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// The quantized Add: <see cref="AddParameters"/> (TFLite's add.cc Prepare; ONNX Runtime's QLinearAdd AVX2 kernel) and
/// <see cref="AddReferenceLayer"/>, on cases worked through by hand.
/// </summary>
public sealed class AddReferenceLayerTests
{
    [Fact]
    public void FixedPoint_PowerOfTwoScales_DeriveExactMultipliers()
    {
        // s1 = 0.5, s2 = 0.25, s_out = 1: twice_max = 2 * 0.5 = 1.
        // real1 = 0.5 / 1 = 0.5 = 0.5 * 2^0   -> M = 0.5 * 2^31 = 2^30, shift 0.
        // real2 = 0.25 / 1 = 0.5 * 2^-1       -> M = 2^30, shift -1.
        // real_out = 1 / (2^20 * 1) = 0.5 * 2^-19 -> M = 2^30, shift -19.
        var p = new AddParameters(QuantType.UInt8, 0.5f, 128, 0.25f, 100, 1f, 10);
        Assert.Equal(20, AddParameters.LeftShift);
        Assert.Equal((1 << 30, 0), (p.Input1Multiplier, p.Input1Shift));
        Assert.Equal((1 << 30, -1), (p.Input2Multiplier, p.Input2Shift));
        Assert.Equal((1 << 30, -19), (p.OutputMultiplier, p.OutputShift));
        Assert.Equal((0, 255), (p.ClampMin, p.ClampMax));
    }

    [Theory]
    // q1 = 130, q2 = 104: (130 - 128) << 20 = 2097152, through M = 2^30 (halves) with no shift: 1048576;
    // (104 - 100) << 20 = 4194304, halved 2097152, >> 1: 1048576. Sum 2097152, halved 1048576, >> 19 = 2; + 10 = 12.
    // In reals: 2 * 0.5 + 4 * 0.25 = 2.
    [InlineData(130, 104, 12)]
    // A tie: 1 * 0.5 + 0 = 0.5. 1 << 20 halved 524288; sum 524288, halved 262144; 262144 / 2^19 = 0.5 exactly:
    // remainder 262144 > threshold 262143, so it rounds up (away from zero): 1 + 10 = 11.
    [InlineData(129, 100, 11)]
    // The negative tie -0.5: SRDHM(-2^20, 2^30) = -524288, then -262144; RoundingDivideByPOT(-262144, 19): -262144 >> 19
    // is -1, remainder 262144 is not above threshold 262143 + 1, so -1 (away from zero): -1 + 10 = 9.
    [InlineData(127, 100, 9)]
    // Saturation: (255 - 128) * 0.5 + (255 - 100) * 0.25 = 63.5 + 38.75 = 102.25 -> 102 + 10 = 112; and the low end:
    // -64 - 25 = -89 -> clamp to 0.
    [InlineData(255, 255, 112)]
    [InlineData(0, 0, 0)]
    public void FixedPoint_PowerOfTwoScales_ElementsAsWorkedOut(int q1, int q2, int expected)
    {
        var p = new AddParameters(QuantType.UInt8, 0.5f, 128, 0.25f, 100, 1f, 10);
        Assert.Equal(expected, p.Apply(q1, q2));
    }

    [Fact]
    public void FixedPoint_GeneralScales_FollowAddCcPrepareInFloatAndDouble()
    {
        // int8, s1 = 0.05f, s2 = 0.12f, s_out = 0.1f. twice_max = (float)(2 * 0.12f) = 0.24f.
        // real1 = (double)0.05f / 0.24f = 0.2083333410943550 = 0.83333336 * 2^-2 -> M = round(0.83333336 * 2^31) = 1789569773, shift -2.
        // real2 = 0.12f / 0.24f = 0.5 exactly -> 2^30, shift 0.
        // real_out = 0.24f / (float)(2^20 * 0.1f) = 2.288818274109873e-06 = 0.59999997 * 2^-18 -> M = 1288490141, shift -18.
        // (Computed independently with Python's math.frexp and float32 rounding.)
        var p = new AddParameters(QuantType.Int8, 0.05f, -3, 0.12f, 7, 0.1f, -1);
        Assert.Equal((1789569773, -2), (p.Input1Multiplier, p.Input1Shift));
        Assert.Equal((1073741824, 0), (p.Input2Multiplier, p.Input2Shift));
        Assert.Equal((1288490141, -18), (p.OutputMultiplier, p.OutputShift));
        Assert.Equal((-128, 127), (p.ClampMin, p.ClampMax));
    }

    [Theory]
    // q1 = 17, q2 = -13: reals 20 * 0.05 + (-20) * 0.12 = 1 - 2.4 = -1.4, / 0.1 = -14, + (-1) = -15.
    // Fixed point: scaled1 = MBQM(20 << 20, 1789569773, -2) = 4369067, scaled2 = MBQM(-20 << 20, 2^30, 0) = -10485760,
    // sum -6116693, MBQM(sum, 1288490141, -18) = -14, + (-1) = -15.
    [InlineData(17, -13, -15)]
    // q1 - z1 = 8, q2 - z2 = 1: 0.4 + 0.12 = 0.52, / 0.1 = 5.2 -> 5, - 1 = 4.
    [InlineData(5, 8, 4)]
    // 3 * 0.05 - 7 * 0.12 = -0.69 -> -6.9 -> -7 - 1 = -8.
    [InlineData(0, 0, -8)]
    [InlineData(-3, 7, -1)]         // both at their zero points: the output zero point
    [InlineData(127, 127, 127)]     // 6.5 + 14.4 = 20.9 -> 209 - 1: saturates
    [InlineData(-128, -128, -128)]  // -6.25 - 16.2 -> saturates low
    public void FixedPoint_GeneralScales_ElementsAsWorkedOut(int q1, int q2, int expected)
    {
        var p = new AddParameters(QuantType.Int8, 0.05f, -3, 0.12f, 7, 0.1f, -1);
        Assert.Equal(expected, p.Apply(q1, q2));
    }

    [Fact]
    public void FixedPoint_IsSymmetricInItsInputs()
    {
        var p = new AddParameters(QuantType.Int8, 0.05f, -3, 0.12f, 7, 0.1f, -1);
        var swapped = new AddParameters(QuantType.Int8, 0.12f, 7, 0.05f, -3, 0.1f, -1);
        for (int q1 = -128; q1 <= 127; q1++)
            for (int q2 = -128; q2 <= 127; q2 += 3)
                Assert.Equal(p.Apply(q1, q2), swapped.Apply(q2, q1));
    }

    [Theory]
    // Relu: the lower bound becomes the zero point 10; Relu6 with scale 1: [10, 16].
    [InlineData(Activation.Relu, 0, 0, 10)]
    [InlineData(Activation.Relu, 255, 255, 112)]
    [InlineData(Activation.Relu6, 255, 255, 16)]
    [InlineData(Activation.Relu6, 130, 104, 12)]
    public void Activation_NarrowsTheClamp(Activation activation, int q1, int q2, int expected)
    {
        foreach (RequantizationScheme scheme in new[] { RequantizationScheme.FixedPoint, RequantizationScheme.Float })
        {
            var p = new AddParameters(QuantType.UInt8, 0.5f, 128, 0.25f, 100, 1f, 10, activation, scheme);
            Assert.Equal(expected, p.Apply(q1, q2));
        }
    }

    [Theory]
    // Float, as MLAS's AVX2 kernel: r1 = 0.5 / 1, r2 = 0.25 / 1, fixed part f = 10 - fma(0.5, 128, 0.25 * 100) = -79;
    // v = fma(q1, 0.5, fma(q2, 0.25, -79)), rounded half to even with the zero point already in, then clamped.
    [InlineData(130, 104, 12)]    // 26 - 79 = -53, + 65 = 12
    [InlineData(129, 100, 10)]    // 25 - 79 = -54, + 64.5 = 10.5 -> 10 (even), where TFLite rounds the real 0.5 away from zero: 11
    [InlineData(127, 100, 10)]    // -54 + 63.5 = 9.5 -> 10 (even), where TFLite gives 9
    [InlineData(131, 100, 12)]    // 11.5 -> 12
    [InlineData(133, 100, 12)]    // 12.5 -> 12
    [InlineData(255, 255, 112)]   // 63.75 - 79 + 127.5 = 112.25 -> 112
    [InlineData(0, 0, 0)]         // -79 -> clamped to 0
    public void Float_RoundsHalfToEvenWithTheZeroPointIn(int q1, int q2, int expected)
    {
        var p = new AddParameters(QuantType.UInt8, 0.5f, 128, 0.25f, 100, 1f, 10, Activation.None, RequantizationScheme.Float);
        Assert.Equal((0.5f, 0.25f, -79f), (p.FloatRatio1, p.FloatRatio2, p.FloatFixedPart));
        Assert.Equal((0, 0, 0, 0), (p.Input1Multiplier, p.Input2Multiplier, p.OutputMultiplier, p.OutputShift));
        Assert.Equal(expected, p.Apply(q1, q2));
    }

    [Fact]
    public void Float_TheTieIsOfTheOutputValue_NotOfTheRealSum()
    {
        // The real sum 0.5 with output zero point 11: MLAS rounds 11.5 -> 12 (even); rounding 0.5 first would give 0 + 11.
        var p = new AddParameters(QuantType.UInt8, 0.5f, 0, 1f, 0, 1f, 11, Activation.None, RequantizationScheme.Float);
        Assert.Equal(11f, p.FloatFixedPart);
        Assert.Equal(12, p.Apply(1, 0));
        Assert.Equal(12, p.Apply(3, 0));   // 1.5 + 11 = 12.5 -> 12
        Assert.Equal(14, p.Apply(5, 0));   // 2.5 + 11 = 13.5 -> 14
    }

    /// <summary>
    /// Outputs of ONNX Runtime's QLinearAdd (com.microsoft, opset 1) measured with Microsoft.ML.OnnxRuntime 1.31.1
    /// (linux-x64, AMD EPYC Zen 3 with AVX2 and FMA; 65536-element inputs, so the AVX2 kernel's main loop), chosen from a
    /// 20-million-element comparison (305 parameter sets, every pair of 8-bit values, 0 mismatches) as the elements where
    /// some other reading of the code gives another answer: "nofma" computes the fixed part without fusing
    /// r1 * z1 + r2 * z2, "bfirst" fuses it the other way round, "swapped" adds q1 before q2, "raw" is qladd.cpp's
    /// MlasQLinearAddKernelRawHelper ((a + b) / s_out, nearbyintf(v + z_out)), "asm" the older QLinearBinaryOpKernelAvx2
    /// assembly ((a + b) / s_out rounded, then + z_out).
    /// </summary>
    [Theory]
    [InlineData(QuantType.Int8, 2.4838524f, 82, 0.20638852f, 55, 0.047479626f, 115, 95, -111, 73)]   // nofma 74, bfirst 74, swapped 74
    [InlineData(QuantType.Int8, 1.1383005f, 97, 0.21704298f, -69, 0.034346204f, 78, 104, -105, 82)]   // nofma 83, bfirst 83, swapped 83
    [InlineData(QuantType.UInt8, 0.1829457f, 58, 0.31175846f, 48, 0.02080856f, 105, 61, 41, 26)]   // nofma 27, bfirst 27, swapped 27, asm 27
    [InlineData(QuantType.UInt8, 0.0036586314f, 207, 0.0033012496f, 219, 0.026002435f, 165, 220, 51, 146)]   // bfirst 145, swapped 145, raw 145, asm 145
    [InlineData(QuantType.UInt8, 0.0036586314f, 207, 0.0033012496f, 219, 0.026002435f, 165, 34, 202, 139)]   // bfirst 138, swapped 138, raw 138
    [InlineData(QuantType.Int8, 0.0043248255f, -2, 0.3409196f, 114, 0.3001929f, 117, 40, 69, 66)]   // bfirst 67, swapped 67, asm 67
    [InlineData(QuantType.UInt8, 0.009908098f, 20, 5.8000503f, 240, 0.0037498355f, 161, 27, 240, 179)]   // swapped 180
    [InlineData(QuantType.UInt8, 0.009908098f, 20, 5.8000503f, 240, 0.0037498355f, 161, 41, 240, 216)]   // swapped 217
    [InlineData(QuantType.UInt8, 2.4362402f, 184, 0.049468238f, 54, 0.33985603f, 116, 189, 86, 156)]   // swapped 157, raw 157, asm 157
    [InlineData(QuantType.Int8, 1f, 0, 1f, 0, 1E-08f, 0, 22, 0, -128)]   // raw 127: 2.2e9 overflows int32, cvtps2dq gives int.MinValue
    [InlineData(QuantType.Int8, 1f, 0, 1f, 0, 1E-08f, 0, 23, 0, -128)]   // raw 127
    [InlineData(QuantType.UInt8, 1f, 0, 1f, 0, 1E-08f, 0, 22, 0, 0)]   // raw 255
    [InlineData(QuantType.UInt8, 0.49999997f, 0, 1f, 0, 1f, 101, 1, 0, 102)]   // asm 101: 101 + 0.49999997 rounds to the float 101.5, then to 102
    [InlineData(QuantType.UInt8, 0.49999997f, 0, 1f, 0, 1f, 101, 5, 0, 104)]   // asm 103
    [InlineData(QuantType.Int8, 0.15f, 0, 0.25f, 0, 0.7f, 0, 21, 0, 5)]   // raw 4, asm 4: 21 * (0.15f / 0.7f) = 4.5000005, not 3.15f / 0.7f = 4.5
    public void Float_MatchesOnnxRuntimeQLinearAdd(QuantType type, float s1, int z1, float s2, int z2, float so, int zo, int q1, int q2, int onnxRuntime)
    {
        var p = new AddParameters(type, s1, z1, s2, z2, so, zo, Activation.None, RequantizationScheme.Float);
        Assert.Equal(onnxRuntime, p.Apply(q1, q2));
    }

    [Fact]
    public void Float_OverflowingTheInt32RangeGivesTheTypeMinimum_AsCvtps2dqDoes()
    {
        // 127 * (1 / 1e-8) = 1.27e10 is beyond int32: cvtps2dq returns int.MinValue, which the clamp raises to the minimum.
        var p = new AddParameters(QuantType.Int8, 1f, 0, 1f, 0, 1e-8f, 0, Activation.None, RequantizationScheme.Float);
        Assert.Equal(-128, p.Apply(127, 0));
        Assert.Equal(-128, p.Apply(-128, 0));
        Assert.Equal(0, p.Apply(0, 0));
        Assert.Equal(0, p.Apply(100, -100));    // the fused sum of 1e10 and -1e10 leaves only a rounding residue
    }

    [Fact]
    public void FixedPoint_RejectsAnOutputScaleTooSmallForTfLite()
    {
        // real_out = 2 * max / (2^20 * s_out) must be below 1: s_out = max / 2^19 makes it exactly 1.
        float scale = 1f;
        float tooSmall = scale / (1 << 19);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AddParameters(QuantType.UInt8, scale, 0, scale, 0, tooSmall, 0));
        Assert.Equal("outputScale", error.ParamName);
        Assert.False(AddParameters.TryCreate(QuantType.UInt8, scale, 0, scale, 0, tooSmall, 0, Activation.None, RequantizationScheme.FixedPoint,
            out AddParameters? none, out string? message));
        Assert.Null(none);
        Assert.Contains("output", message);
        // The float scheme has no such limit, and one ulp more is fine for TFLite too.
        Assert.NotNull(new AddParameters(QuantType.UInt8, scale, 0, scale, 0, tooSmall, 0, Activation.None, RequantizationScheme.Float));
        float justEnough = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(tooSmall) + 2);
        var p = new AddParameters(QuantType.UInt8, scale, 0, scale, 0, justEnough, 0);
        Assert.True(p.OutputShift <= 0);
    }

    [Theory]
    [InlineData(QuantType.Int32, 1f, 0, 1f, 0, 1f, 0, "type")]
    [InlineData(QuantType.Float32, 1f, 0, 1f, 0, 1f, 0, "type")]
    [InlineData(QuantType.UInt8, 0f, 0, 1f, 0, 1f, 0, "input1Scale")]
    [InlineData(QuantType.UInt8, 1f, 0, float.NaN, 0, 1f, 0, "input2Scale")]
    [InlineData(QuantType.UInt8, 1f, 0, 1f, 0, float.PositiveInfinity, 0, "outputScale")]
    [InlineData(QuantType.UInt8, 1f, -1, 1f, 0, 1f, 0, "input1ZeroPoint")]
    [InlineData(QuantType.Int8, 1f, 0, 1f, 128, 1f, 0, "input2ZeroPoint")]
    [InlineData(QuantType.Int8, 1f, 0, 1f, 0, 1f, -129, "outputZeroPoint")]
    public void RejectsBadParameters(QuantType type, float s1, int z1, float s2, int z2, float so, int zo, string parameter)
    {
        foreach (RequantizationScheme scheme in new[] { RequantizationScheme.FixedPoint, RequantizationScheme.Float })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AddParameters(type, s1, z1, s2, z2, so, zo, Activation.None, scheme));
            Assert.Equal(parameter, error.ParamName);
            Assert.False(AddParameters.TryCreate(type, s1, z1, s2, z2, so, zo, Activation.None, scheme, out _, out string? message));
            Assert.False(string.IsNullOrEmpty(message));
        }
    }

    [Fact]
    public void TryCreate_GivesTheSameParametersAsTheConstructor()
    {
        Assert.True(AddParameters.TryCreate(QuantType.Int8, 0.05f, -3, 0.12f, 7, 0.1f, -1, Activation.Relu, RequantizationScheme.FixedPoint,
            out AddParameters? p, out string? error));
        Assert.Null(error);
        var q = new AddParameters(QuantType.Int8, 0.05f, -3, 0.12f, 7, 0.1f, -1, Activation.Relu);
        Assert.Equal(q, p);
        Assert.Equal(q.GetHashCode(), p!.GetHashCode());
        Assert.Equal((q.OutputMultiplier, q.OutputShift, q.ClampMin), (p.OutputMultiplier, p.OutputShift, p.ClampMin));
        Assert.NotEqual(q, new AddParameters(QuantType.Int8, 0.05f, -3, 0.12f, 7, 0.1f, -1, Activation.Relu, RequantizationScheme.Float));
    }

    [Fact]
    public void Layer_AddsEveryElement_Int8AndUInt8()
    {
        var layer = new AddReferenceLayer(6, QuantType.Int8, 0.05f, -3, 0.12f, 7, 0.1f, -1);
        Assert.Equal(6, layer.OutputBytes);
        sbyte[] a = { 17, 5, 0, -3, 127, -128 };
        sbyte[] b = { -13, 8, 0, 7, 127, -128 };
        var output = new byte[6];
        layer.Run(new[] { (byte[])(Array)a, (byte[])(Array)b }, output);
        Assert.Equal(new sbyte[] { -15, 4, -8, -1, 127, -128 }, (sbyte[])(Array)output);

        var u8 = new AddReferenceLayer(3, QuantType.UInt8, 0.5f, 128, 0.25f, 100, 1f, 10, Activation.None, RequantizationScheme.Float);
        var y = new byte[3];
        u8.Run(new[] { new byte[] { 130, 129, 133 }, new byte[] { 104, 100, 100 } }, y);
        Assert.Equal(new byte[] { 12, 10, 12 }, y);
    }

    [Fact]
    public void Layer_RunsInAGraphReadingOneTensorTwice()
    {
        // x + x with both inputs at scale 0.5 and output scale 1: the value itself (real 0.5 * (q - 128) * 2).
        var layer = new AddReferenceLayer(4, QuantType.UInt8, 0.5f, 128, 0.5f, 128, 1f, 128);
        var model = new ReferenceModel(4, new ReferenceNode(layer, 0, 0));
        var output = new byte[8];
        ReferenceOps.Model(model, new byte[] { 0, 100, 128, 255, 1, 2, 3, 4 }, output);
        Assert.Equal(new byte[] { 0, 100, 128, 255, 1, 2, 3, 4 }, output);
    }

    [Fact]
    public void Layer_ChecksItsInputs()
    {
        var layer = new AddReferenceLayer(4, QuantType.UInt8, 0.5f, 128, 0.5f, 128, 1f, 128);
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[4] }, new byte[4]));
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[4], new byte[3] }, new byte[4]));
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[4], new byte[4] }, new byte[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AddReferenceLayer(0, QuantType.UInt8, 1f, 0, 1f, 0, 1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AddReferenceLayer(4, QuantType.Int32, 1f, 0, 1f, 0, 1f, 0));
    }
}
