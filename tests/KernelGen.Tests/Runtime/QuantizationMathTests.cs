using System;
using KernelGen.Quantization;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// QuantizeMultiplier, Frexp and ActivationRange against values derived by hand from TFLite's definitions
/// (quantization_util.cc QuantizeMultiplier; kernel_util.cc CalculateActivationRangeQuantized), plus an independent
/// re-derivation of QuantizeMultiplier from Math.ILogB / Math.ScaleB on many random doubles.
/// </summary>
public sealed class QuantizationMathTests
{
    // TFLite: q = frexp(m, &shift) (q in [0.5, 1)); q_fixed = round_half_away(q * 2^31);
    // if q_fixed == 2^31 { q_fixed /= 2; shift++ }; if shift < -31 { shift = 0; q_fixed = 0 }.

    [Theory]
    [InlineData(0.0, 0, 0)]
    [InlineData(0.5, 1 << 30, 0)]                    // frexp(0.5) = (0.5, 0): 0.5 * 2^31 = 2^30
    [InlineData(1.0, 1 << 30, 1)]                    // frexp(1) = (0.5, 1)
    [InlineData(0.25, 1 << 30, -1)]                  // frexp(0.25) = (0.5, -1)
    [InlineData(0.75, 3 << 29, 0)]                   // 0.75 * 2^31 = 1610612736
    [InlineData(3.0, 3 << 29, 2)]                    // frexp(3) = (0.75, 2)
    [InlineData(1024.0, 1 << 30, 11)]
    [InlineData(0.1, 1717986918, -3)]                // frexp(0.1) = (0.8, -3); 0.8 * 2^31 = 1717986918.4 -> 1717986918
    [InlineData(0.3, 1288490189, -1)]                // frexp(0.3) = (0.6, -1); 0.6 * 2^31 = 1288490188.8 -> 1288490189
    [InlineData(2147483647.0, int.MaxValue, 31)]     // frexp(2^31 - 1) = (1 - 2^-31, 31): q * 2^31 = 2^31 - 1 exactly
    public void QuantizeMultiplier_KnownValues(double real, int expectedMultiplier, int expectedShift)
    {
        QuantizationMath.QuantizeMultiplier(real, out int multiplier, out int shift);
        Assert.Equal((expectedMultiplier, expectedShift), (multiplier, shift));
    }

    [Fact]
    public void QuantizeMultiplier_NegativeZeroIsZero()
    {
        QuantizationMath.QuantizeMultiplier(-0.0, out int multiplier, out int shift);
        Assert.Equal((0, 0), (multiplier, shift));
    }

    [Fact]
    public void QuantizeMultiplier_TieRoundsHalfAwayFromZero()
    {
        // 0.5 + 2^-32: q = 0.5 + 2^-32, q * 2^31 = 2^30 + 0.5 exactly -> std::round gives 2^30 + 1 (half to even would give 2^30).
        QuantizationMath.QuantizeMultiplier(0.5 + Math.Pow(2, -32), out int multiplier, out int shift);
        Assert.Equal(((1 << 30) + 1, 0), (multiplier, shift));

        // 0.5 + 3 * 2^-32: 2^30 + 1.5 -> 2^30 + 2.
        QuantizationMath.QuantizeMultiplier(0.5 + 3 * Math.Pow(2, -32), out multiplier, out shift);
        Assert.Equal(((1 << 30) + 2, 0), (multiplier, shift));

        // Just below the tie goes down: 0.5 + 2^-32 - 2^-53 -> 2^30 + 0.5 - 2^-22 -> 2^30.
        QuantizationMath.QuantizeMultiplier(0.5 + Math.Pow(2, -32) - Math.Pow(2, -53), out multiplier, out shift);
        Assert.Equal((1 << 30, 0), (multiplier, shift));
    }

    [Theory]
    // 1 - 2^-33: frexp = (1 - 2^-33, 0); * 2^31 = 2^31 - 0.25 -> rounds to 2^31 -> halved to 2^30, shift 0 + 1.
    [InlineData(33, 0, 1 << 30, 1)]
    // 1 - 2^-32: 2^31 - 0.5 is a tie -> away from zero -> 2^31 -> (2^30, 1).
    [InlineData(32, 0, 1 << 30, 1)]
    // 1 - 2^-31: 2^31 - 1 exactly, no renormalization.
    [InlineData(31, 0, int.MaxValue, 0)]
    // The same fractions scaled by 2^-10: the exponent carries along.
    [InlineData(33, -10, 1 << 30, -9)]
    [InlineData(31, -10, int.MaxValue, -10)]
    public void QuantizeMultiplier_RoundingUpTo2Pow31Renormalizes(int fractionBits, int scaleExponent, int expectedMultiplier, int expectedShift)
    {
        double real = Math.ScaleB(1 - Math.Pow(2, -fractionBits), scaleExponent);
        QuantizationMath.QuantizeMultiplier(real, out int multiplier, out int shift);
        Assert.Equal((expectedMultiplier, expectedShift), (multiplier, shift));
    }

    [Fact]
    public void QuantizeMultiplier_BelowTwoPowMinus32UnderflowsToZero()
    {
        // 2^-32: frexp = (0.5, -31) -> shift -31 is kept.
        QuantizationMath.QuantizeMultiplier(Math.Pow(2, -32), out int multiplier, out int shift);
        Assert.Equal((1 << 30, -31), (multiplier, shift));

        // 2^-33: frexp = (0.5, -32) -> shift < -31 -> (0, 0).
        QuantizationMath.QuantizeMultiplier(Math.Pow(2, -33), out multiplier, out shift);
        Assert.Equal((0, 0), (multiplier, shift));

        // 0.75 * 2^-32 = frexp (0.75, -32) -> (0, 0).
        QuantizationMath.QuantizeMultiplier(0.75 * Math.Pow(2, -32), out multiplier, out shift);
        Assert.Equal((0, 0), (multiplier, shift));

        // Just below 2^-32 but rounding up to it: (1 - 2^-40) * 2^-32 = frexp (1 - 2^-40, -32); q * 2^31 rounds to 2^31,
        // the renormalization makes the shift -31 and the value survives (TFLite renormalizes before the underflow check).
        QuantizationMath.QuantizeMultiplier((1 - Math.Pow(2, -40)) * Math.Pow(2, -32), out multiplier, out shift);
        Assert.Equal((1 << 30, -31), (multiplier, shift));

        // Far below: 1e-20, and the largest value that does not round up: (1 - 2^-31) * 2^-32 -> frexp exponent -32.
        QuantizationMath.QuantizeMultiplier(1e-20, out multiplier, out shift);
        Assert.Equal((0, 0), (multiplier, shift));
        QuantizationMath.QuantizeMultiplier((1 - Math.Pow(2, -31)) * Math.Pow(2, -32), out multiplier, out shift);
        Assert.Equal((0, 0), (multiplier, shift));
    }

    [Theory]
    [InlineData(1L)]                                  // double.Epsilon = 2^-1074
    [InlineData(3L)]
    [InlineData(0x000F_FFFF_FFFF_FFFFL)]              // largest subnormal
    public void QuantizeMultiplier_SubnormalsUnderflowToZero(long bits)
    {
        double real = BitConverter.Int64BitsToDouble(bits);
        Assert.True(double.IsSubnormal(real));
        QuantizationMath.QuantizeMultiplier(real, out int multiplier, out int shift);
        Assert.Equal((0, 0), (multiplier, shift));
    }

    [Theory]
    [InlineData(2147483648.0)]                        // 2^31
    [InlineData(2147483647.75)]                       // rounds to 2^31: frexp (1 - 2^-33, 31) -> q_fixed 2^31 -> shift 32
    [InlineData(1e10)]
    [InlineData(double.MaxValue)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    [InlineData(-0.5)]
    [InlineData(double.NegativeInfinity)]
    public void QuantizeMultiplier_OutOfRangeThrows(double real)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizationMath.QuantizeMultiplier(real, out _, out _));
    }

    [Theory]
    [InlineData(1.0, 0.5, 1)]
    [InlineData(0.5, 0.5, 0)]
    [InlineData(0.75, 0.75, 0)]
    [InlineData(6.0, 0.75, 3)]
    [InlineData(0.1, 0.8, -3)]
    [InlineData(1e300, 0.7466108948025751, 997)]     // log2(1e300) = 996.58: 1e300 = 0.7466... * 2^997
    public void Frexp_NormalValues(double value, double expectedFraction, int expectedExponent)
    {
        double fraction = QuantizationMath.Frexp(value, out int exponent);
        Assert.Equal(expectedExponent, exponent);
        Assert.Equal(Math.ScaleB(value, -expectedExponent), fraction);
        Assert.Equal(expectedFraction, fraction, 15);
    }

    [Theory]
    [InlineData(1L, 0.5, -1073)]                      // 2^-1074 = 0.5 * 2^-1073
    [InlineData(3L, 0.75, -1072)]                     // 3 * 2^-1074 = 0.75 * 2^-1072
    [InlineData(0x0008_0000_0000_0000L, 0.5, -1022)]  // 2^-1023 = 0.5 * 2^-1022
    [InlineData(0x000F_FFFF_FFFF_FFFFL, 0.99999999999999989, -1022)]
    public void Frexp_SubnormalValues(long bits, double expectedFraction, int expectedExponent)
    {
        double fraction = QuantizationMath.Frexp(BitConverter.Int64BitsToDouble(bits), out int exponent);
        Assert.Equal(expectedExponent, exponent);
        Assert.Equal(expectedFraction, fraction, 15);
        Assert.Equal(BitConverter.Int64BitsToDouble(bits), Math.ScaleB(fraction, exponent));
    }

    /// <summary>
    /// QuantizeMultiplier re-derived without frexp or Math.Round: the exponent from ILogB, the fraction with ScaleB (both
    /// exact), round half away as floor(v + 0.5) (v is below 2^31 with at most 22 fraction bits, so v + 0.5 is exact).
    /// Returns null where TFLite's result would need a shift above 31.
    /// </summary>
    private static (int Multiplier, int Shift)? Independent(double real)
    {
        if (real == 0)
            return (0, 0);
        int exponent = Math.ILogB(real) + 1;
        double fraction = Math.ScaleB(real, -exponent);           // [0.5, 1)
        double scaled = Math.ScaleB(fraction, 31);                // [2^30, 2^31)
        long fixedPoint = (long)Math.Floor(scaled + 0.5);
        if (fixedPoint == 1L << 31)
        {
            fixedPoint >>= 1;
            exponent++;
        }
        if (exponent < -31)
            return (0, 0);
        if (exponent > 31)
            return null;
        return ((int)fixedPoint, exponent);
    }

    private static void CheckAgainstIndependent(double real)
    {
        (int Multiplier, int Shift)? expected = Independent(real);
        if (expected is null)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => QuantizationMath.QuantizeMultiplier(real, out _, out _));
            return;
        }
        QuantizationMath.QuantizeMultiplier(real, out int multiplier, out int shift);
        if ((multiplier, shift) != expected.Value)
            Assert.Fail($"QuantizeMultiplier({real:R}) = ({multiplier}, {shift}), independent ({expected.Value.Multiplier}, {expected.Value.Shift})");
        if (multiplier != 0)
        {
            // The defining properties: a Q31 value in [2^30, 2^31) within half a unit of the real multiplier.
            Assert.InRange(multiplier, 1 << 30, int.MaxValue);
            double error = Math.Abs(Math.ScaleB((double)multiplier, shift - 31) - real);
            Assert.True(error <= Math.ScaleB(1.0, shift - 32), $"{real:R}: error {error:R} above half a unit");
        }
    }

    [Fact]
    public void QuantizeMultiplier_MatchesIndependentDerivationOnRandomDoubles()
    {
        var random = new Random(20261124);
        int count = 0;
        // Log-uniform over the whole useful range and a little past both ends.
        for (int i = 0; i < 4000; i++, count++)
            CheckAgainstIndependent(Math.ScaleB(1 + random.NextDouble(), random.Next(-40, 34)));
        // Uniform random bit patterns of positive finite doubles: mostly huge (must throw), some tiny.
        for (int i = 0; i < 2000; i++, count++)
        {
            long bits = random.NextInt64(0, 0x7FF0_0000_0000_0000L);
            CheckAgainstIndependent(BitConverter.Int64BitsToDouble(bits));
        }
        // Subnormals.
        for (int i = 0; i < 500; i++, count++)
            CheckAgainstIndependent(BitConverter.Int64BitsToDouble(random.NextInt64(1, 0x0010_0000_0000_0000L)));
        // Exact ties of the Q31 rounding and their neighbours: (n + 0.5) / 2^31 * 2^e.
        for (int i = 0; i < 2000; i++, count++)
        {
            long n = random.NextInt64(1L << 30, 1L << 31);
            double tie = Math.ScaleB((n + 0.5) / 2147483648.0, random.Next(-33, 33));
            CheckAgainstIndependent(tie);
            CheckAgainstIndependent(Math.BitDecrement(tie));
            CheckAgainstIndependent(Math.BitIncrement(tie));
        }
        // Around the boundaries: 2^-32 (underflow) and 2^31 (overflow), a few ulps either side.
        foreach (double boundary in new[] { Math.Pow(2, -32), Math.Pow(2, -33), Math.Pow(2, 31), Math.Pow(2, 30), 1.0, 0.5 })
        {
            double v = boundary;
            for (int i = 0; i < 64; i++, count++) { CheckAgainstIndependent(v); v = Math.BitDecrement(v); }
            v = boundary;
            for (int i = 0; i < 64; i++, count++) { CheckAgainstIndependent(v); v = Math.BitIncrement(v); }
            // The whole band that rounds up to the next power of two.
            for (int i = 0; i < 24; i++, count++)
                CheckAgainstIndependent(boundary * (1 - Math.Pow(2, -30 - i)));
        }
        Assert.True(count > 9000, $"only {count} values checked");
    }

    [Fact]
    public void QuantizeMultiplier_ReconstructsRealWithinHalfQ31Unit()
    {
        // TFLite's own sanity relation: real ~= M * 2^(shift - 31) to within 2^-31 relative.
        var random = new Random(3);
        for (int i = 0; i < 2000; i++)
        {
            double real = Math.ScaleB(1 + random.NextDouble(), random.Next(-31, 30));
            QuantizationMath.QuantizeMultiplier(real, out int multiplier, out int shift);
            double back = multiplier * Math.Pow(2, shift - 31);
            Assert.True(Math.Abs(back - real) <= real * Math.Pow(2, -31), $"{real:R} -> ({multiplier}, {shift}) = {back:R}");
        }
    }

    // ---- Type ranges and activation bounds -------------------------------------------------------------------------

    [Theory]
    [InlineData(QuantType.UInt8, 0, 255)]
    [InlineData(QuantType.Int8, -128, 127)]
    [InlineData(QuantType.Int32, int.MinValue, int.MaxValue)]
    public void TypeMinMax_AreTheTypeRanges(QuantType type, int min, int max)
    {
        Assert.Equal(min, QuantizationMath.TypeMin(type));
        Assert.Equal(max, QuantizationMath.TypeMax(type));
        Assert.Equal(type != QuantType.Int32, QuantizationMath.IsEightBit(type));
    }

    // TFLite CalculateActivationRangeQuantizedImpl: quantize(f) = zero_point + (int32)round(f / scale), f and scale float,
    // round = std::round (half away from zero); Relu: [max(qmin, quantize(0)), qmax]; Relu6: [.., min(qmax, quantize(6))].

    [Theory]
    [InlineData(Activation.None, 0.1f, 10, QuantType.UInt8, 0, 255)]
    [InlineData(Activation.None, 1e-6f, -7, QuantType.Int8, -128, 127)]
    [InlineData(Activation.Relu, 0.1f, 10, QuantType.UInt8, 10, 255)]
    [InlineData(Activation.Relu, 0.1f, 0, QuantType.UInt8, 0, 255)]
    [InlineData(Activation.Relu, 0.1f, -5, QuantType.Int8, -5, 127)]
    [InlineData(Activation.Relu, 0.1f, -128, QuantType.Int8, -128, 127)]
    [InlineData(Activation.Relu, 0.1f, 127, QuantType.Int8, 127, 127)]
    [InlineData(Activation.Relu6, 0.0625f, 3, QuantType.UInt8, 3, 99)]        // 6 / 0.0625 = 96
    [InlineData(Activation.Relu6, 0.0625f, -128, QuantType.Int8, -128, -32)]  // -128 + 96
    [InlineData(Activation.Relu6, 12f, 7, QuantType.UInt8, 7, 8)]             // 6 / 12 = 0.5 -> 1 (half away; to-even gives 0)
    [InlineData(Activation.Relu6, 0.01f, 0, QuantType.UInt8, 0, 255)]         // 600 clamped to 255
    [InlineData(Activation.Relu6, 0.05f, 100, QuantType.Int8, 100, 127)]      // 100 + 120 clamped to 127
    [InlineData(Activation.Relu6, 1e-30f, 0, QuantType.Int8, 0, 127)]         // 6e30 saturates, then the type range
    [InlineData(Activation.Relu6, 1000f, 20, QuantType.UInt8, 20, 20)]        // 0.006 -> 0
    public void ActivationRange_HandComputed(Activation activation, float scale, int zeroPoint, QuantType type, int expectedMin, int expectedMax)
    {
        QuantizationMath.ActivationRange(activation, scale, zeroPoint, type, out int min, out int max);
        Assert.Equal((expectedMin, expectedMax), (min, max));
    }

    [Fact]
    public void ActivationRange_Relu6RoundsTheFloatQuotientHalfAwayFromZero()
    {
        // 2.4f = 2.400000095..., so 6 / 2.4f = 2.4999999006 in double but exactly 2.5f in float. TFLite divides in float
        // and std::round(2.5f) = 3; a double division would round to 2, half-to-even would give 2.
        Assert.Equal(2.5f, 6f / 2.4f);
        Assert.True(6.0 / (double)2.4f < 2.5);
        QuantizationMath.ActivationRange(Activation.Relu6, 2.4f, 0, QuantType.UInt8, out int min, out int max);
        Assert.Equal((0, 3), (min, max));
        QuantizationMath.ActivationRange(Activation.Relu6, 2.4f, -128, QuantType.Int8, out min, out max);
        Assert.Equal((-128, -125), (min, max));

        // 6 / (4/3f) = 4.5f in float -> 5 (to-even gives 4).
        float scale = 4f / 3f;
        Assert.Equal(4.5f, 6f / scale);
        QuantizationMath.ActivationRange(Activation.Relu6, scale, 10, QuantType.UInt8, out min, out max);
        Assert.Equal((10, 15), (min, max));
    }

    [Fact]
    public void RequantizationMultiplier_PerChannelIsTfLiteFormulaInDouble()
    {
        // TFLite PopulateConvolutionQuantizationParams: double(input_scale) * double(filter_scale) / double(output_scale).
        // input * weight in double is exact for two floats; the float product would lose bits.
        float input = 0.1f, weight = 0.3f, output = 0.7f;
        double expected = (double)input * (double)weight / (double)output;
        Assert.Equal(expected, QuantizationMath.RequantizationMultiplier(input, weight, output, perChannel: true));
        Assert.NotEqual((double)(input * weight) / output, expected);
    }

    [Fact]
    public void RequantizationMultiplier_PerTensorRoundsTheScaleProductToFloatAsTfLite()
    {
        // TFLite GetQuantizedConvolutionMultipler (kernel_util.cc):
        // static_cast<double>(input->params.scale * filter->params.scale) / static_cast<double>(output->params.scale).
        float input = 0.1f, weight = 0.3f, output = 0.7f;
        float product = input * weight;
        double expected = (double)product / (double)output;
        Assert.Equal(expected, QuantizationMath.RequantizationMultiplier(input, weight, output, perChannel: false));
        Assert.NotEqual((double)input * weight / output, expected);
    }
}
