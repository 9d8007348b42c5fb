using System;
using System.Runtime.Intrinsics;
using KernelGen.Quantization;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// <see cref="FloatMath"/>: the netstandard2.0 float FMA against .NET's <see cref="MathF.FusedMultiplyAdd"/> (one
/// rounding, as vfmadd), and the cvtps2dq emulation.
/// </summary>
public sealed class FloatMathTests
{
    private static float Bits(int bits) => BitConverter.Int32BitsToSingle(bits);

    private static void AssertSameBits(float expected, float actual, string what)
    {
        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual)
            && !(float.IsNaN(expected) && float.IsNaN(actual)))
            Assert.Fail($"{what}: expected {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), got {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");
    }

    [Fact]
    public void FusedMultiplyAdd_RoundsOnce_WhereRoundingThroughDoubleWouldRoundTwice()
    {
        // a = 1 + 2^-23, b = 1 - 2^-24: a * b = 1 + 2^-24 - 2^-47 (exact in double). c = 2^-47 * (1 + 2^-23).
        // The exact sum is 1 + 2^-24 + 2^-70, just above the float midpoint 1 + 2^-24: one rounding gives 1 + 2^-23.
        // Rounded to double first it is the midpoint itself, which then rounds to even: 1.
        float a = Bits(0x3F800001), b = Bits(0x3F7FFFFF), c = Bits(0x28000001);
        Assert.Equal(1f, (float)((double)a * b + c));
        AssertSameBits(Bits(0x3F800001), MathF.FusedMultiplyAdd(a, b, c), "MathF");
        AssertSameBits(Bits(0x3F800001), FloatMath.FusedMultiplyAdd(a, b, c), "FloatMath");
        // The mirror image below the midpoint, and the negated case.
        AssertSameBits(MathF.FusedMultiplyAdd(a, b, -c), FloatMath.FusedMultiplyAdd(a, b, -c), "below");
        AssertSameBits(MathF.FusedMultiplyAdd(-a, b, -c), FloatMath.FusedMultiplyAdd(-a, b, -c), "negated");
        AssertSameBits(Bits(unchecked((int)0xBF800001)), FloatMath.FusedMultiplyAdd(-a, b, -c), "negated value");
    }

    [Fact]
    public void FusedMultiplyAdd_MatchesMathFOnRandomAndSpecialOperands()
    {
        var random = new Random(20261124);
        float[] special =
        {
            0f, -0f, 1f, -1f, 0.5f, float.Epsilon, -float.Epsilon, float.MaxValue, -float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, Bits(0x00800000), Bits(0x007FFFFF), 3f, 1e-8f, 1e8f,
        };
        foreach (float a in special)
            foreach (float b in special)
                foreach (float c in special)
                    AssertSameBits(MathF.FusedMultiplyAdd(a, b, c), FloatMath.FusedMultiplyAdd(a, b, c), $"fma({a:R}, {b:R}, {c:R})");

        for (int i = 0; i < 1_000_000; i++)
        {
            float a, b, c;
            switch (i % 3)
            {
                case 0:
                    // Any bit patterns (every exponent, subnormals, overflow).
                    a = Bits(random.Next() ^ (random.Next() << 1));
                    b = Bits(random.Next() ^ (random.Next() << 1));
                    c = Bits(random.Next() ^ (random.Next() << 1));
                    break;
                case 1:
                    // The quantized Add's shape: an 8-bit value times a scale ratio plus a moderate float, with
                    // cancellation (c close to -a * b).
                    a = random.Next(-255, 256);
                    b = (float)Math.Exp(random.NextDouble() * 20 - 10);
                    c = -a * b + (float)(random.NextDouble() - 0.5) * random.Next(0, 4);
                    break;
                default:
                    // Near-ties: products whose low bits land around float midpoints.
                    a = Bits(0x3F800000 + random.Next(0, 1 << 23));
                    b = Bits(0x3F800000 + random.Next(0, 1 << 23));
                    c = Bits((random.Next(0, 2) << 31) | ((0x7F - random.Next(20, 60)) << 23) | random.Next(0, 1 << 23));
                    break;
            }
            float expected = MathF.FusedMultiplyAdd(a, b, c);
            float actual = FloatMath.FusedMultiplyAdd(a, b, c);
            if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual) && !(float.IsNaN(expected) && float.IsNaN(actual)))
                AssertSameBits(expected, actual, $"fma({a:R}, {b:R}, {c:R}) (case {i})");
        }
    }

    [Theory]
    [InlineData(0.5f, 0)]
    [InlineData(1.5f, 2)]
    [InlineData(2.5f, 2)]
    [InlineData(-2.5f, -2)]
    [InlineData(-3.5f, -4)]
    [InlineData(2147483520f, 2147483520)]    // the largest float below 2^31
    [InlineData(-2147483648f, int.MinValue)] // -2^31 itself is in range
    [InlineData(2147483648f, int.MinValue)]  // 2^31: out of range, "integer indefinite"
    [InlineData(-2147483904f, int.MinValue)] // the float below -2^31
    [InlineData(float.PositiveInfinity, int.MinValue)]
    [InlineData(float.NegativeInfinity, int.MinValue)]
    [InlineData(float.NaN, int.MinValue)]
    public void ConvertToInt32RoundHalfToEven_IsCvtps2dq(float value, int expected)
    {
        Assert.Equal(expected, FloatMath.ConvertToInt32RoundHalfToEven(value));
        if (System.Runtime.Intrinsics.X86.Sse2.IsSupported)
            Assert.Equal(expected, System.Runtime.Intrinsics.X86.Sse2.ConvertToVector128Int32(System.Runtime.Intrinsics.Vector128.Create(value)).GetElement(0));
    }
}
