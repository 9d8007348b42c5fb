using System;
using KernelGen.Quantization;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// ONNX QuantizeLinear / DequantizeLinear by hand: y = saturate(round_half_to_even(x / scale) + zero_point), the
/// division in float; x = (y - zero_point) * scale in float. The ONNX backend cases are in
/// <c>Conformance.OnnxQuantizeLinearTests</c>.
/// </summary>
public sealed class LinearQuantizationTests
{
    [Theory]
    [InlineData(0f, 2f, 128, QuantType.UInt8, 128)]
    [InlineData(3f, 2f, 128, QuantType.UInt8, 130)]       // 1.5 -> 2 (even)
    [InlineData(1f, 2f, 128, QuantType.UInt8, 128)]       // 0.5 -> 0 (even)
    [InlineData(5f, 2f, 0, QuantType.UInt8, 2)]           // 2.5 -> 2 (even)
    [InlineData(7f, 2f, 0, QuantType.UInt8, 4)]           // 3.5 -> 4 (even)
    [InlineData(-3f, 2f, 0, QuantType.Int8, -2)]          // -1.5 -> -2
    [InlineData(-5f, 2f, 0, QuantType.Int8, -2)]          // -2.5 -> -2
    [InlineData(-1f, 2f, 0, QuantType.Int8, 0)]           // -0.5 -> -0 -> 0
    [InlineData(2.9f, 1f, -3, QuantType.Int8, 0)]         // 2.9 -> 3, -3 + 3
    [InlineData(1000f, 2f, 128, QuantType.UInt8, 255)]    // saturates high
    [InlineData(-254f, 2f, 128, QuantType.UInt8, 1)]
    [InlineData(-1000f, 2f, 128, QuantType.UInt8, 0)]     // saturates low
    [InlineData(1000f, 0.5f, 10, QuantType.Int8, 127)]
    [InlineData(-1000f, 0.5f, 10, QuantType.Int8, -128)]
    [InlineData(float.PositiveInfinity, 1f, 0, QuantType.Int8, 127)]
    [InlineData(float.NegativeInfinity, 1f, 0, QuantType.UInt8, 0)]
    [InlineData(1e30f, 1e-30f, 0, QuantType.UInt8, 255)]  // x / scale overflows float to +inf
    public void Quantize_RoundsHalfToEvenThenAddsZeroPointAndSaturates(float x, float scale, int zeroPoint, QuantType type, int expected)
    {
        Assert.Equal(expected, LinearQuantization.Quantize(x, scale, zeroPoint, type));
    }

    [Fact]
    public void Quantize_DividesInFloat()
    {
        // 0.3f / 0.1f is exactly 3.0f in float but 2.9999999329 in double -- both round to 3; take a tie instead:
        // 0.25f / 0.1f: float quotient 2.5f exactly (2.4999999627 in double) -> even 2; with zero point 0.
        Assert.Equal(2.5f, 0.25f / 0.1f);
        Assert.True(0.25 / (double)0.1f < 2.5);
        Assert.Equal(2, LinearQuantization.Quantize(0.25f, 0.1f, 0, QuantType.UInt8));
        // 0.35f / 0.1f = 3.5f in float (3.4999999 in double) -> even 4; double-then-round would give 3.
        Assert.Equal(3.5f, 0.35f / 0.1f);
        Assert.Equal(4, LinearQuantization.Quantize(0.35f, 0.1f, 0, QuantType.UInt8));
    }

    [Theory]
    [InlineData(0, 2f, 128, -256f)]
    [InlineData(3, 2f, 128, -250f)]
    [InlineData(255, 2f, 128, 254f)]
    [InlineData(-128, 0.5f, 10, -69f)]
    [InlineData(127, 0.1f, -128, 25.5f)]      // 255 * 0.1f in float = 25.5f (25.500000379 rounded to float)
    public void Dequantize_SubtractsZeroPointThenScalesInFloat(int q, float scale, int zeroPoint, float expected)
    {
        Assert.Equal(expected, LinearQuantization.Dequantize(q, scale, zeroPoint));
        Assert.Equal(BitConverter.SingleToInt32Bits((float)(q - zeroPoint) * scale), BitConverter.SingleToInt32Bits(LinearQuantization.Dequantize(q, scale, zeroPoint)));
    }

    [Fact]
    public void SpanOverloads_MatchTheScalarOnesAndCheckLengths()
    {
        float[] source = { -3f, -1f, 0f, 1f, 3f, 5f, 1000f, -1000f };
        var u8 = new byte[source.Length];
        var s8 = new sbyte[source.Length];
        LinearQuantization.Quantize(source, 2f, (byte)128, u8);
        LinearQuantization.Quantize(source, 2f, (sbyte)-1, s8);
        Assert.Equal(new byte[] { 126, 128, 128, 128, 130, 130, 255, 0 }, u8);
        Assert.Equal(new sbyte[] { -3, -1, -1, -1, 1, 1, 127, -128 }, s8);

        var back = new float[source.Length];
        LinearQuantization.Dequantize(u8, 2f, (byte)128, back);
        Assert.Equal(new float[] { -4f, 0f, 0f, 0f, 4f, 4f, 254f, -256f }, back);
        LinearQuantization.Dequantize(s8, 2f, (sbyte)-1, back);
        Assert.Equal(new float[] { -4f, 0f, 0f, 0f, 4f, 4f, 256f, -254f }, back);

        var error = Assert.Throws<ArgumentException>(() => LinearQuantization.Quantize(source, 1f, (byte)0, new byte[3]));
        Assert.Contains("3", error.Message);
        Assert.Contains("8", error.Message);
    }
}
