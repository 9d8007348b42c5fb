using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using KernelGen.Quantization;
using KernelGen.Simd;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// The scalar fixed-point primitives against hand-computed values from gemmlowp's definitions (fixedpoint.h), and the
/// AVX2 versions against the scalar ones lane by lane. The C++ originals themselves are compared in
/// <c>Conformance.GemmlowpConformanceTests</c>.
/// </summary>
public sealed class FixedPointTests
{
    private const int Q30 = 1 << 30;

    // ---- SaturatingRoundingDoublingHighMul -------------------------------------------------------------------------
    // gemmlowp: ab = (int64)a * b; nudge = ab >= 0 ? 2^30 : 1 - 2^30; result = (int32)((ab + nudge) / 2^31) (C++ division
    // truncates toward zero); a == b == INT32_MIN saturates to INT32_MAX. The real value is a * b / 2^31.

    [Fact]
    public void SaturatingRoundingDoublingHighMul_MinTimesMinSaturatesToMax()
    {
        // 2 * (-2^31)^2 / 2^32 = 2^31, which does not fit: the one overflowing case.
        Assert.Equal(int.MaxValue, FixedPoint.SaturatingRoundingDoublingHighMul(int.MinValue, int.MinValue));
    }

    [Theory]
    // a, b, expected, how
    [InlineData(Q30, Q30, 1 << 29, "2^60 / 2^31 = 2^29 exactly")]
    [InlineData(int.MinValue, Q30, -(1 << 30), "-2^61 / 2^31 = -2^30 exactly")]
    [InlineData(Q30, int.MinValue, -(1 << 30), "commutes")]
    [InlineData(int.MinValue, -int.MaxValue, int.MaxValue, "(2^62 - 2^31) / 2^31 = 2^31 - 1 exactly")]
    [InlineData(int.MaxValue, int.MaxValue, 2147483646, "(2^31 - 1)^2 / 2^31 = 2^31 - 2 + 2^-31 -> 2^31 - 2")]
    [InlineData(int.MinValue, int.MaxValue, -2147483647, "-2^31 (2^31 - 1) / 2^31 = -(2^31 - 1) exactly")]
    [InlineData(100, Q30, 50, "100 * 0.5")]
    [InlineData(-100, Q30, -50, "-100 * 0.5")]
    [InlineData(0, int.MinValue, 0, "zero")]
    [InlineData(int.MinValue, 0, 0, "zero")]
    [InlineData(1000, 1518500250, 707, "1000 * 0.70710678 = 707.1067 -> 707")]
    [InlineData(-1000, 1518500250, -707, "-707.1067 -> -707")]
    [InlineData(1, 1, 0, "2^-31 -> 0")]
    [InlineData(-1, 1, 0, "-2^-31 -> 0")]
    [InlineData(-1, int.MinValue, 1, "2^31 / 2^31 = 1 exactly")]
    public void SaturatingRoundingDoublingHighMul_HandComputedValues(int a, int b, int expected, string how)
    {
        Assert.True(expected == FixedPoint.SaturatingRoundingDoublingHighMul(a, b), how);
    }

    [Theory]
    // Positive ties (x.5) round up: (3 * 2^30 + 2^30) / 2^31 = 2.
    [InlineData(3, Q30, 2)]
    [InlineData(1, Q30, 1)]          // 0.5 -> 1
    [InlineData(5, Q30, 3)]          // 2.5 -> 3
    // Negative ties round toward +infinity, not away from zero: the nudge is 1 - 2^30, so
    // -1.5: (-3 * 2^30 + 1 - 2^30) / 2^31 = (-2^32 + 1) / 2^31 = -1.99999... -> truncated to -1.
    [InlineData(-3, Q30, -1)]
    [InlineData(-1, Q30, 0)]         // -0.5: (-2^31 + 1) / 2^31 -> 0
    [InlineData(-5, Q30, -2)]        // -2.5: (-3 * 2^31 + 1) / 2^31 -> -2
    [InlineData(3, -Q30, -1)]        // same product, sign on the other operand
    // One unit past the tie goes the other way: -3 * (2^30 + 1) = -1.5 - 3 * 2^-31 -> -2.
    [InlineData(-3, Q30 + 1, -2)]
    [InlineData(3, Q30 + 1, 2)]      // 1.5 + tiny -> 2
    [InlineData(3, Q30 - 1, 1)]      // 1.5 - tiny -> 1
    [InlineData(-3, Q30 - 1, -1)]    // -1.5 + tiny -> -1
    public void SaturatingRoundingDoublingHighMul_NegativeTiesRoundUpPositiveTiesAwayFromZero(int a, int b, int expected)
    {
        Assert.Equal(expected, FixedPoint.SaturatingRoundingDoublingHighMul(a, b));
        Assert.Equal(expected, FixedPoint.SaturatingRoundingDoublingHighMul(b, a));
    }

    [Fact]
    public void SaturatingRoundingDoublingHighMul_MatchesExactRationalRoundingOnRandomInputs()
    {
        // Independent form: floor((a*b + 2^30) / 2^31) computed with Math.DivRem-free 128-bit arithmetic.
        var random = new Random(1234);
        for (int i = 0; i < 20000; i++)
        {
            int a = random.Next(int.MinValue, int.MaxValue);
            int b = random.Next(int.MinValue, int.MaxValue);
            if (i % 7 == 0) a = int.MinValue;
            if (a == int.MinValue && b == int.MinValue) continue;
            Int128 p = (Int128)a * b + (1L << 30);
            Int128 floor = p >= 0 ? p / ((Int128)1 << 31) : -((-p + ((Int128)1 << 31) - 1) / ((Int128)1 << 31));
            Assert.Equal((int)floor, FixedPoint.SaturatingRoundingDoublingHighMul(a, b));
        }
    }

    // ---- RoundingDivideByPOT ---------------------------------------------------------------------------------------
    // gemmlowp: x / 2^e rounded to nearest, ties away from zero (remainder compared with mask/2, +1 for negative x).

    [Theory]
    [InlineData(5, 1, 3)]        // 2.5 -> 3
    [InlineData(-5, 1, -3)]      // -2.5 -> -3
    [InlineData(3, 1, 2)]        // 1.5 -> 2
    [InlineData(-3, 1, -2)]      // -1.5 -> -2
    [InlineData(1, 1, 1)]        // 0.5 -> 1
    [InlineData(-1, 1, -1)]      // -0.5 -> -1
    [InlineData(-6, 2, -2)]      // -1.5 -> -2
    [InlineData(6, 2, 2)]        // 1.5 -> 2
    [InlineData(-2, 2, -1)]      // -0.5 -> -1
    [InlineData(2, 2, 1)]        // 0.5 -> 1
    [InlineData(-1536, 10, -2)]  // -1.5 -> -2
    public void RoundingDivideByPOT_TiesRoundAwayFromZero(int x, int exponent, int expected)
    {
        Assert.Equal(expected, FixedPoint.RoundingDivideByPOT(x, exponent));
    }

    [Theory]
    [InlineData(-7, 2, -2)]      // -1.75 -> -2
    [InlineData(-5, 2, -1)]      // -1.25 -> -1
    [InlineData(7, 2, 2)]        // 1.75 -> 2
    [InlineData(5, 2, 1)]        // 1.25 -> 1
    [InlineData(-1, 2, 0)]       // -0.25 -> 0
    [InlineData(1, 2, 0)]        // 0.25 -> 0
    [InlineData(-1537, 10, -2)]  // -1.5009 -> -2
    [InlineData(-1535, 10, -1)]  // -1.4990 -> -1
    [InlineData(1000, 3, 125)]   // exact
    [InlineData(-1000, 3, -125)] // exact
    public void RoundingDivideByPOT_NonTiesRoundToNearest(int x, int exponent, int expected)
    {
        Assert.Equal(expected, FixedPoint.RoundingDivideByPOT(x, exponent));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(12345)]
    [InlineData(-12345)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void RoundingDivideByPOT_ExponentZeroIsIdentity(int x)
    {
        Assert.Equal(x, FixedPoint.RoundingDivideByPOT(x, 0));
    }

    [Theory]
    [InlineData(int.MinValue, -1)]          // -2^31 / 2^31 = -1 exactly
    [InlineData(int.MaxValue, 1)]           // 0.99999 -> 1
    [InlineData(1 << 30, 1)]                // 0.5 -> 1
    [InlineData(-(1 << 30), -1)]            // -0.5 -> -1 (away from zero)
    [InlineData((1 << 30) - 1, 0)]          // 0.49999 -> 0
    [InlineData(-(1 << 30) + 1, 0)]         // -0.49999 -> 0
    [InlineData(-(1 << 30) - 1, -1)]        // -0.50000 - tiny -> -1
    [InlineData(int.MinValue + 1, -1)]      // -0.99999 -> -1
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(-1, 0)]
    public void RoundingDivideByPOT_Exponent31(int x, int expected)
    {
        Assert.Equal(expected, FixedPoint.RoundingDivideByPOT(x, 31));
    }

    [Fact]
    public void RoundingDivideByPOT_MatchesExactRoundHalfAwayOnRandomInputs()
    {
        var random = new Random(99);
        for (int i = 0; i < 20000; i++)
        {
            int x = random.Next(int.MinValue, int.MaxValue);
            int e = random.Next(0, 32);
            // |x| / 2^e rounded half up in 64 bits, sign restored: round half away from zero.
            long magnitude = Math.Abs((long)x);
            long rounded = (magnitude + (e == 0 ? 0 : 1L << (e - 1))) >> e;
            long expected = x < 0 ? -rounded : rounded;
            Assert.Equal(expected, FixedPoint.RoundingDivideByPOT(x, e));
        }
    }

    // ---- MultiplyByQuantizedMultiplier -----------------------------------------------------------------------------
    // TFLite: RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * (1 << left), M), right),
    // left = max(shift, 0), right = max(-shift, 0).

    [Theory]
    [InlineData(1000, Q30, -1, 250)]            // SRDHM = 500; 500 / 2 = 250
    [InlineData(25, Q30, -2, 3)]                // SRDHM = 12.5 -> 13; 13 / 4 = 3.25 -> 3
    [InlineData(50, Q30, -2, 6)]                // SRDHM = 25; 25 / 4 = 6.25 -> 6
    [InlineData(-50, Q30, -2, -6)]              // SRDHM = -25; -6.25 -> -6
    [InlineData(-12, Q30, -2, -2)]              // SRDHM = -6; -1.5 -> -2 (away from zero)
    [InlineData(1, 3 << 29, -1, 1)]             // double rounding: SRDHM(1, 0.75) = 1; 1 / 2 = 0.5 -> 1 (real 0.375)
    [InlineData(-3, Q30, -1, -1)]               // SRDHM = -1 (tie up); -0.5 -> -1
    [InlineData(123456, 1518500250, 0, 87297)]  // 123456 * 0.70710678 = 87296.58 -> 87297
    // (2^31 - 1) * 2^30 / 2^31 = 2^30 - 0.5 -> 2^30 (positive tie rounds up); then 2^30 / 2^31 = 0.5 -> 1.
    [InlineData(int.MaxValue, Q30, -31, 1)]
    [InlineData(int.MinValue, Q30, -31, -1)]    // SRDHM = -2^30; -2^30 / 2^31 = -0.5 -> -1 (away from zero)
    public void MultiplyByQuantizedMultiplier_RightShifts(int x, int multiplier, int shift, int expected)
    {
        Assert.Equal(expected, FixedPoint.MultiplyByQuantizedMultiplier(x, multiplier, shift));
    }

    [Theory]
    [InlineData(3, Q30, 2, 6)]                          // 3 << 2 = 12; 12 * 0.5 = 6
    [InlineData(-3, Q30, 2, -6)]                        // -12 * 0.5 = -6
    [InlineData(5, 3 << 29, 1, 8)]                      // 10 * 0.75 = 7.5 -> 8
    [InlineData(-5, 3 << 29, 1, -7)]                    // -10 * 0.75 = -7.5 -> -7 (SRDHM tie rounds up)
    [InlineData(1 << 29, Q30, 3, 0)]                    // 2^29 << 3 = 2^32 wraps to 0
    [InlineData(0x30000000, Q30, 2, -(1 << 29))]        // 0x30000000 << 2 = 0xC0000000 = -2^30 (wrapped); * 0.5
    [InlineData(1, Q30, 31, -(1 << 30))]                // 1 << 31 = int.MinValue; * 0.5 = -2^30
    [InlineData(-1, Q30, 31, -(1 << 30))]               // -1 << 31 = int.MinValue as well
    // 3 << 30 = 0xC0000000 = -2^30 (wrapped); -2^30 * (2^31 - 1) / 2^31 = -2^30 + 0.5 -> -2^30 + 1 (negative tie rounds up).
    [InlineData(3, int.MaxValue, 30, -(1 << 30) + 1)]
    public void MultiplyByQuantizedMultiplier_LeftShiftsWrapInInt32(int x, int multiplier, int shift, int expected)
    {
        Assert.Equal(expected, FixedPoint.MultiplyByQuantizedMultiplier(x, multiplier, shift));
    }

    [Fact]
    public void MultiplyByQuantizedMultiplier_ShiftZeroIsHighMulAlone()
    {
        var random = new Random(5);
        for (int i = 0; i < 1000; i++)
        {
            int x = random.Next(int.MinValue, int.MaxValue);
            int m = random.Next(Q30, int.MaxValue);
            Int128 p = (Int128)x * m + (1L << 30);
            Int128 floor = p >= 0 ? p / ((Int128)1 << 31) : -((-p + ((Int128)1 << 31) - 1) / ((Int128)1 << 31));
            Assert.Equal((int)floor, FixedPoint.MultiplyByQuantizedMultiplier(x, m, 0));
        }
    }

    // ---- FixedPoint256 against the scalar definitions --------------------------------------------------------------

    private static int[] EdgeValues()
    {
        var values = new List<int> { int.MinValue, int.MinValue + 1, int.MaxValue, int.MaxValue - 1, 0, 1, -1, 2, -2, 3, -3 };
        for (int k = 1; k <= 30; k++)
        {
            int p = 1 << k;
            values.AddRange(new[] { p, p - 1, p + 1, -p, -p + 1, -p - 1 });
            values.Add(p + (p >> 1));       // 1.5 * 2^k: ties for exponent k
            values.Add(-(p + (p >> 1)));
        }
        return values.ToArray();
    }

    private static int[] RandomValues(Random random, int count)
    {
        var values = new int[count];
        for (int i = 0; i < count; i++)
        {
            // Mix full-range values with small ones and with values near powers of two.
            values[i] = (i % 3) switch
            {
                0 => random.Next(int.MinValue, int.MaxValue) ^ (random.Next(2) << 31),
                1 => random.Next(-70000, 70001),
                _ => (int)((1L << random.Next(0, 31)) + random.Next(-3, 4)) * (random.Next(2) == 0 ? 1 : -1),
            };
        }
        return values;
    }

    private static Vector256<int> Load(int[] values, int start)
    {
        Span<int> lanes = stackalloc int[8];
        for (int i = 0; i < 8; i++)
            lanes[i] = values[(start + i) % values.Length];
        return Vector256.Create<int>(lanes);
    }

    [Fact]
    public void FixedPoint256_SaturatingRoundingDoublingHighMul_MatchesScalarOnEveryLane()
    {
        if (!Avx2.IsSupported)
            return;
        int[] edges = EdgeValues();
        int[] randoms = RandomValues(new Random(42), 40000);
        int checkedLanes = 0;

        // Every pair of edge values, each pair in every lane position.
        for (int i = 0; i < edges.Length; i++)
        {
            for (int j = 0; j < edges.Length; j += 8)
            {
                Vector256<int> a = Vector256.Create(edges[i]);
                Vector256<int> b = Load(edges, j + i % 8);
                checkedLanes += CheckHighMul(a, b);
                checkedLanes += CheckHighMul(b, a);
            }
        }
        // Random against random and random against edges, lanes independent.
        var random = new Random(43);
        for (int i = 0; i < randoms.Length; i += 8)
        {
            checkedLanes += CheckHighMul(Load(randoms, i), Load(randoms, random.Next(randoms.Length)));
            checkedLanes += CheckHighMul(Load(randoms, i), Load(edges, random.Next(edges.Length)));
        }
        // int.MinValue * int.MinValue in some lanes only: the saturation must stay in its lane.
        var minMix = Vector256.Create(int.MinValue, int.MinValue, 1, int.MinValue, -1, int.MinValue, int.MaxValue, 0);
        var minMix2 = Vector256.Create(int.MinValue, 5, int.MinValue, int.MinValue, int.MinValue, -1, int.MinValue, int.MinValue);
        checkedLanes += CheckHighMul(minMix, minMix2);
        Assert.Equal(int.MaxValue, FixedPoint256.SaturatingRoundingDoublingHighMul(minMix, minMix2).GetElement(0));
        Assert.Equal(int.MaxValue, FixedPoint256.SaturatingRoundingDoublingHighMul(minMix, minMix2).GetElement(3));
        Assert.True(checkedLanes > 100000, $"only {checkedLanes} lanes checked");
    }

    private static int CheckHighMul(Vector256<int> a, Vector256<int> b)
    {
        Vector256<int> actual = FixedPoint256.SaturatingRoundingDoublingHighMul(a, b);
        for (int lane = 0; lane < 8; lane++)
        {
            int x = a.GetElement(lane), y = b.GetElement(lane);
            int expected = FixedPoint.SaturatingRoundingDoublingHighMul(x, y);
            if (actual.GetElement(lane) != expected)
                Assert.Fail($"SRDHM({x}, {y}) lane {lane}: vector {actual.GetElement(lane)}, scalar {expected}");
        }
        return 8;
    }

    [Fact]
    public void FixedPoint256_RoundingDivideByPOT_BothOverloadsMatchScalarForEveryExponent()
    {
        if (!Avx2.IsSupported)
            return;
        int[] values = [.. EdgeValues(), .. RandomValues(new Random(7), 4000)];
        int checkedLanes = 0;
        for (int exponent = 0; exponent <= 31; exponent++)
        {
            Vector256<int> exponents = Vector256.Create(exponent);
            for (int i = 0; i < values.Length; i += 8)
            {
                Vector256<int> x = Load(values, i);
                CheckDivide(x, exponents, DivideConstant(x, exponent), $"constant exponent {exponent}");
                CheckDivide(x, exponents, DivideVariable(x, (byte)exponent), $"variable exponent {exponent}");
                CheckDivide(x, exponents, FixedPoint256.RoundingDivideByPOT(x, exponents), $"per-lane exponent {exponent}");
                checkedLanes += 8;
            }
        }
        Assert.True(checkedLanes >= 32 * 4000, $"only {checkedLanes} lanes checked");
    }

    [Fact]
    public void FixedPoint256_RoundingDivideByPOT_PerLaneExponentsMatchScalar()
    {
        if (!Avx2.IsSupported)
            return;
        int[] values = [.. EdgeValues(), .. RandomValues(new Random(8), 8000)];
        var random = new Random(9);
        Span<int> e = stackalloc int[8];
        for (int i = 0; i < values.Length; i += 8)
        {
            for (int lane = 0; lane < 8; lane++)
                e[lane] = random.Next(0, 32);
            if (i % 64 == 0)
                e[random.Next(8)] = 31;  // always keep the extremes in the mix
            if (i % 64 == 8)
                e[random.Next(8)] = 0;
            Vector256<int> exponents = Vector256.Create<int>(e);
            Vector256<int> x = Load(values, i);
            CheckDivide(x, exponents, FixedPoint256.RoundingDivideByPOT(x, exponents), "mixed per-lane exponents");
        }
    }

    private static void CheckDivide(Vector256<int> x, Vector256<int> exponents, Vector256<int> actual, string what)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            int v = x.GetElement(lane), e = exponents.GetElement(lane);
            int expected = FixedPoint.RoundingDivideByPOT(v, e);
            if (actual.GetElement(lane) != expected)
                Assert.Fail($"RoundingDivideByPOT({v}, {e}) lane {lane}, {what}: vector {actual.GetElement(lane)}, scalar {expected}");
        }
    }

#pragma warning disable CA1857 // deliberately a run-time exponent: the non-constant form of the shift must agree too
    private static Vector256<int> DivideVariable(Vector256<int> x, byte exponent) => FixedPoint256.RoundingDivideByPOT(x, exponent);
#pragma warning restore CA1857

    /// <summary>The uniform overload with a compile-time constant exponent, as generated code calls it.</summary>
    internal static Vector256<int> DivideConstant(Vector256<int> x, int exponent) => exponent switch
    {
        0 => FixedPoint256.RoundingDivideByPOT(x, 0),
        1 => FixedPoint256.RoundingDivideByPOT(x, 1),
        2 => FixedPoint256.RoundingDivideByPOT(x, 2),
        3 => FixedPoint256.RoundingDivideByPOT(x, 3),
        4 => FixedPoint256.RoundingDivideByPOT(x, 4),
        5 => FixedPoint256.RoundingDivideByPOT(x, 5),
        6 => FixedPoint256.RoundingDivideByPOT(x, 6),
        7 => FixedPoint256.RoundingDivideByPOT(x, 7),
        8 => FixedPoint256.RoundingDivideByPOT(x, 8),
        9 => FixedPoint256.RoundingDivideByPOT(x, 9),
        10 => FixedPoint256.RoundingDivideByPOT(x, 10),
        11 => FixedPoint256.RoundingDivideByPOT(x, 11),
        12 => FixedPoint256.RoundingDivideByPOT(x, 12),
        13 => FixedPoint256.RoundingDivideByPOT(x, 13),
        14 => FixedPoint256.RoundingDivideByPOT(x, 14),
        15 => FixedPoint256.RoundingDivideByPOT(x, 15),
        16 => FixedPoint256.RoundingDivideByPOT(x, 16),
        17 => FixedPoint256.RoundingDivideByPOT(x, 17),
        18 => FixedPoint256.RoundingDivideByPOT(x, 18),
        19 => FixedPoint256.RoundingDivideByPOT(x, 19),
        20 => FixedPoint256.RoundingDivideByPOT(x, 20),
        21 => FixedPoint256.RoundingDivideByPOT(x, 21),
        22 => FixedPoint256.RoundingDivideByPOT(x, 22),
        23 => FixedPoint256.RoundingDivideByPOT(x, 23),
        24 => FixedPoint256.RoundingDivideByPOT(x, 24),
        25 => FixedPoint256.RoundingDivideByPOT(x, 25),
        26 => FixedPoint256.RoundingDivideByPOT(x, 26),
        27 => FixedPoint256.RoundingDivideByPOT(x, 27),
        28 => FixedPoint256.RoundingDivideByPOT(x, 28),
        29 => FixedPoint256.RoundingDivideByPOT(x, 29),
        30 => FixedPoint256.RoundingDivideByPOT(x, 30),
        31 => FixedPoint256.RoundingDivideByPOT(x, 31),
        _ => throw new ArgumentOutOfRangeException(nameof(exponent)),
    };
}
