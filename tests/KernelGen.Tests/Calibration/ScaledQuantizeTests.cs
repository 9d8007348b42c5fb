using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen.Calibration;
using KernelGen.Quantization;
using KernelGen.Tests.Conformance;
using Xunit;

namespace KernelGen.Tests.Calibration;

/// <summary>
/// The scaled-quantize builders: hand-computed cases, the ONNX backend node tests of DynamicQuantizeLinear
/// (libonnx-testdata: the operator's own scale, zero point and outputs), zero exactly representable on random ranges,
/// and the degenerate and invalid ranges.
/// </summary>
public sealed class ScaledQuantizeTests
{
    [Fact]
    public void Asymmetric_HandComputed()
    {
        // [-1, 1] to uint8: scale 2/255 rounds up in float32 (0.0078431377), so 0 - (-1) / scale = 127.49999 -> 127,
        // as numpy's float32 reference of DynamicQuantizeLinear gives; in exact arithmetic it would be 127.5 -> 128.
        QuantizationParameters p = ScaledQuantize.Asymmetric(-1f, 1f, QuantType.UInt8);
        Assert.Equal(2f / 255f, p.Scale);
        Assert.Equal(127, p.ZeroPoint);
        Assert.Equal(127.49999f, 0f - (-1f) / p.Scale);

        // [0, 6] (ReLU6) to uint8: scale 6/255, zero point 0.
        p = ScaledQuantize.Asymmetric(0f, 6f, QuantType.UInt8);
        Assert.Equal(6f / 255f, p.Scale);
        Assert.Equal(0, p.ZeroPoint);

        // [2, 3] widens to [0, 3]: zero point 0; [-3, -2] to [-3, 0]: zero point 255; int8: -128 and 127.
        Assert.Equal(0, ScaledQuantize.Asymmetric(2f, 3f, QuantType.UInt8).ZeroPoint);
        Assert.Equal(255, ScaledQuantize.Asymmetric(-3f, -2f, QuantType.UInt8).ZeroPoint);
        Assert.Equal(-128, ScaledQuantize.Asymmetric(2f, 3f, QuantType.Int8).ZeroPoint);
        Assert.Equal(127, ScaledQuantize.Asymmetric(-3f, -2f, QuantType.Int8).ZeroPoint);

        // [-126.5, 128.5]: scale exactly 1, zero point 126.5 -> 126 (even); TFLite rounds away from zero: 127.
        Assert.Equal(new QuantizationParameters(1f, 126, QuantType.UInt8), ScaledQuantize.Asymmetric(-126.5f, 128.5f, QuantType.UInt8));
        Assert.Equal(new QuantizationParameters(1f, 127, QuantType.UInt8), ScaledQuantize.Tflite(-126.5f, 128.5f, QuantType.UInt8));

        // Reduced range: uint8 0..127: [-1, 1] -> scale 2/127 (0.015748031, below 2/127), zero point 63.500004 -> 64.
        p = ScaledQuantize.Asymmetric(-1f, 1f, QuantType.UInt8, reducedRange: true);
        Assert.Equal(2f / 127f, p.Scale);
        Assert.Equal(64, p.ZeroPoint);
    }

    [Fact]
    public void Symmetric_HandComputed()
    {
        // int8: a / 127, zero point 0; reduced: a / 64 (weights in -64..64); uint8: 2a / 255, zero point 128.
        QuantizationParameters p = ScaledQuantize.Symmetric(-0.5f, 2.54f);
        Assert.Equal(2f * 2.54f / 254f, p.Scale);
        Assert.Equal(0, p.ZeroPoint);
        Assert.Equal(127, p.Quantize(2.54f));
        Assert.Equal(-127, p.Quantize(-2.54f));
        p = ScaledQuantize.Symmetric(-3.2f, 1f, reducedRange: true);
        Assert.Equal(2f * 3.2f / 128f, p.Scale);
        Assert.Equal(-64, p.Quantize(-3.2f));
        Assert.Equal(64, p.Quantize(3.2f));
        p = ScaledQuantize.Symmetric(-1f, 1f, QuantType.UInt8);
        Assert.Equal(128, p.ZeroPoint);
        Assert.Equal(2f / 255f, p.Scale);
        Assert.Equal(64, ScaledQuantize.Symmetric(-1f, 1f, QuantType.UInt8, reducedRange: true).ZeroPoint);
    }

    [Fact]
    public void Tflite_ChoosesTheZeroPointOfTheBoundLosingLessPrecision()
    {
        // [-1, 3] to uint8: scale 4/255 (double); from min: 0 + 63.75 (error 63.75), from max: 255 - 191.25 = 63.75
        // (error 446.25): 63.75 -> 64.
        QuantizationParameters p = ScaledQuantize.Tflite(-1f, 3f, QuantType.UInt8);
        Assert.Equal((float)(4.0 / 255.0), p.Scale);
        Assert.Equal(64, p.ZeroPoint);
        // int8 [-1, 3]: from min -128 + 63.75 = -64.25 -> -64.
        Assert.Equal(-64, ScaledQuantize.Tflite(-1f, 3f, QuantType.Int8).ZeroPoint);
    }

    [Fact]
    public void ZeroIsExactlyRepresentable_OnRandomRanges()
    {
        var random = new Random(1301);
        for (int i = 0; i < 20000; i++)
        {
            float a = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-6, 6)));
            float b = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-6, 6)));
            float min = Math.Min(a, b), max = Math.Max(a, b);
            foreach (QuantizationParameters p in new[]
            {
                ScaledQuantize.Asymmetric(min, max, QuantType.UInt8),
                ScaledQuantize.Asymmetric(min, max, QuantType.Int8),
                ScaledQuantize.Asymmetric(min, max, QuantType.UInt8, reducedRange: true),
                ScaledQuantize.Symmetric(min, max),
                ScaledQuantize.Symmetric(min, max, QuantType.Int8, reducedRange: true),
                ScaledQuantize.Tflite(min, max, QuantType.UInt8),
                ScaledQuantize.Tflite(min, max, QuantType.Int8),
            })
            {
                Assert.True(p.Scale > 0 && float.IsFinite(p.Scale), $"[{min:R}, {max:R}]: {p}");
                Assert.Equal(0f, p.Dequantize(p.ZeroPoint));
                Assert.Equal(p.ZeroPoint, p.Quantize(0f));
                (float low, float high) = p.RealRange;
                // The range covers the observed values up to half a step (the zero point's rounding moves it).
                Assert.True(low <= Math.Min(min, 0f) + p.Scale && high >= Math.Max(max, 0f) - p.Scale, $"[{min:R}, {max:R}]: {p} covers [{low:R}, {high:R}]");
            }
        }
    }

    [Fact]
    public void DegenerateRanges_GetScaleOne_AndInvalidOnesAClearError()
    {
        Assert.Equal(new QuantizationParameters(1f, 0, QuantType.UInt8), ScaledQuantize.Asymmetric(0f, 0f, QuantType.UInt8));
        Assert.Equal(new QuantizationParameters(1f, -128, QuantType.Int8), ScaledQuantize.Asymmetric(0f, 0f, QuantType.Int8));
        Assert.Equal(new QuantizationParameters(1f, 0, QuantType.Int8), ScaledQuantize.Symmetric(0f, 0f));
        Assert.Equal(new QuantizationParameters(1f, 0, QuantType.UInt8), ScaledQuantize.Tflite(0f, 0f, QuantType.UInt8));
        // A range whose scale would be subnormal: scale 1 as well, never 0 or a NaN.
        Assert.Equal(1f, ScaledQuantize.Asymmetric(0f, 1e-40f, QuantType.UInt8).Scale);
        Assert.Equal(1f, ScaledQuantize.Symmetric(-1e-39f, 0f).Scale);

        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var error = Assert.Throws<ArgumentException>(() => ScaledQuantize.Asymmetric(bad, 1f, QuantType.UInt8));
            Assert.Contains("NaN or infinity", error.Message);
            Assert.Throws<ArgumentException>(() => ScaledQuantize.Symmetric(-1f, bad));
            Assert.Throws<ArgumentException>(() => ScaledQuantize.Tflite(bad, bad, QuantType.Int8));
        }
        Assert.Contains("min exceeds max", Assert.Throws<ArgumentException>(() => ScaledQuantize.Asymmetric(2f, 1f, QuantType.UInt8)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScaledQuantize.Asymmetric(-1f, 1f, QuantType.Int32));
    }

    /// <summary>The builder against the operator's own outputs: scale to the bit, zero point, and the quantized values.</summary>
    [SkippableFact]
    public void DynamicQuantizeLinear_EqualsTheOnnxBackendNodeTests()
    {
        var ran = new List<string>();
        foreach (string directory in OnnxQuantizeLinearTests.Cases("test_dynamicquantizelinear"))
        {
            string caseName = Path.GetFileName(directory);
            OnnxProto.Model model = OnnxProto.ReadModelFile(Path.Combine(directory, "model.onnx"));
            OnnxProto.Node node = OnnxQuantizeLinearTests.SingleNode(model, "DynamicQuantizeLinear", caseName);
            foreach (OnnxQuantizeLinearTests.DataSet set in OnnxQuantizeLinearTests.DataSets(directory, model.Graph))
            {
                float[] xs = set.Inputs[node.Inputs[0]].Floats();
                float expectedScale = set.Outputs[node.Outputs[1]].Floats().Single();
                int expectedZeroPoint = set.Outputs[node.Outputs[2]].EightBitValues().Single();
                int[] expected = set.Outputs[node.Outputs[0]].EightBitValues();

                QuantizationParameters p = ScaledQuantize.DynamicQuantizeLinear(xs.Min(), xs.Max());
                Assert.True(BitConverter.SingleToInt32Bits(expectedScale) == BitConverter.SingleToInt32Bits(p.Scale),
                    $"{caseName}/{set.Name}: scale {p.Scale:R}, ONNX {expectedScale:R}");
                Assert.Equal(expectedZeroPoint, p.ZeroPoint);
                Assert.Equal(expected, xs.Select(p.Quantize).ToArray());
                ran.Add($"{caseName}/{set.Name}");
            }
        }
        Assert.True(ran.Count >= 3, "Too few DynamicQuantizeLinear cases ran: " + string.Join(", ", ran));
    }
}
