using System;
using KernelGen.Quantization;

namespace KernelGen.Tests.Runtime;

/// <summary><see cref="FakeQuantization"/>: QuantizeLinear then DequantizeLinear, in float.</summary>
public sealed class FakeQuantizationTests
{
    [Theory]
    [InlineData(0.3f, 0.5f, 10, QuantType.UInt8, 0.5f)]      // 0.6 -> 1 step
    [InlineData(0.25f, 0.5f, 10, QuantType.UInt8, 0f)]       // 0.5 -> 0 (half to even)
    [InlineData(0.75f, 0.5f, 10, QuantType.UInt8, 1f)]       // 1.5 -> 2 steps
    [InlineData(-5f, 0.5f, 10, QuantType.UInt8, -5f)]        // q = 0, the bottom of the range
    [InlineData(-6f, 0.5f, 10, QuantType.UInt8, -5f)]        // saturates at q = 0
    [InlineData(1000f, 0.5f, 10, QuantType.UInt8, 122.5f)]   // saturates at q = 255
    [InlineData(1000f, 0.5f, 0, QuantType.Int8, 63.5f)]
    [InlineData(-1000f, 0.5f, 0, QuantType.Int8, -64f)]
    [InlineData(float.NaN, 0.5f, 3, QuantType.Int8, 0f)]     // NaN quantizes to the zero point
    [InlineData(float.PositiveInfinity, 1f, 0, QuantType.Int8, 127f)]
    [InlineData(3e9f, 1f, 0, QuantType.Int32, 2147483648f)]  // saturates at int.MaxValue, which is 2^31 as a float
    [InlineData(7.4f, 2f, 0, QuantType.Int32, 8f)]
    public void Apply_IsQuantizeThenDequantize(float x, float scale, int zeroPoint, QuantType type, float expected)
    {
        Assert.Equal(expected, FakeQuantization.Apply(x, scale, zeroPoint, type));
        Assert.Equal(LinearQuantization.Dequantize(LinearQuantization.Quantize(x, scale, zeroPoint, type), scale, zeroPoint),
            FakeQuantization.Apply(x, scale, zeroPoint, type));
    }

    [Fact]
    public void Apply_IsIdempotentAndOnTheGrid()
    {
        var random = new Random(11);
        for (int i = 0; i < 10000; i++)
        {
            float x = (float)(random.NextDouble() * 40 - 20);
            float once = FakeQuantization.Apply(x, 0.07f, -5, QuantType.Int8);
            Assert.Equal(once, FakeQuantization.Apply(once, 0.07f, -5, QuantType.Int8));
            Assert.True(Math.Abs(x - once) <= 0.07f / 2 * 1.0001f || once == (127 + 5) * 0.07f || once == (-128 + 5) * 0.07f,
                $"{x} -> {once}");
        }
    }

    [Fact]
    public void SpanOverload_MatchesTheScalarAndWorksInPlace()
    {
        float[] values = { -3f, -0.26f, 0f, 0.26f, 0.5f, 2.9f, 100f };
        var expected = Array.ConvertAll(values, v => FakeQuantization.Apply(v, 0.1f, 128, QuantType.UInt8));
        var destination = new float[values.Length];
        FakeQuantization.Apply(values, 0.1f, 128, QuantType.UInt8, destination);
        Assert.Equal(expected, destination);
        FakeQuantization.Apply(values, 0.1f, 128, QuantType.UInt8, values);
        Assert.Equal(expected, values);
        Assert.Throws<ArgumentException>(() => FakeQuantization.Apply(values, 0.1f, 128, QuantType.UInt8, new float[3]));
    }

    [Fact]
    public void MaxAbsoluteError_IsTheWorstRoundingOrClippingError()
    {
        // Scale 1, uint8 zero point 0: 2.4 -> 2 (0.4), 300 -> 255 (45), -1 -> 0 (1); NaN is skipped.
        Assert.Equal(45f, FakeQuantization.MaxAbsoluteError(new[] { 2.4f, 300f, -1f, float.NaN }, 1f, 0, QuantType.UInt8));
        Assert.Equal(0.5f, FakeQuantization.MaxAbsoluteError(new[] { 0.5f, 1f }, 1f, 0, QuantType.UInt8));
        Assert.Equal(0f, FakeQuantization.MaxAbsoluteError(ReadOnlySpan<float>.Empty, 1f, 0, QuantType.UInt8));
    }

    [Fact]
    public void RejectsBadParameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FakeQuantization.Apply(1f, 0f, 0, QuantType.UInt8));
        Assert.Throws<ArgumentOutOfRangeException>(() => FakeQuantization.Apply(1f, float.NaN, 0, QuantType.UInt8));
        Assert.Throws<ArgumentOutOfRangeException>(() => FakeQuantization.Apply(1f, 1f, 256, QuantType.UInt8));
        Assert.Throws<ArgumentOutOfRangeException>(() => FakeQuantization.Apply(1f, 1f, 0, QuantType.Float32));
        Assert.Throws<ArgumentOutOfRangeException>(() => FakeQuantization.Apply(1f, 1f, 5, QuantType.Int32));
    }
}
