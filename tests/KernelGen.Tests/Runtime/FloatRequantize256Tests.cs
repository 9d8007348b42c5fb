using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using KernelGen.Quantization;
using KernelGen.Simd;

namespace KernelGen.Tests.Runtime;

/// <summary><see cref="FloatRequantize256"/> lane by lane against the scalar <see cref="FloatRequantization.Apply"/>.</summary>
public sealed class FloatRequantize256Tests
{
    private static int[] EdgeAccumulators()
    {
        var values = new List<int> { 0, 1, -1, 2, -2, 3, -3, 5, -5, 7, -7, int.MaxValue, int.MinValue, int.MaxValue - 1, int.MinValue + 1 };
        for (int k = 1; k <= 30; k++)
        {
            values.Add(1 << k);
            values.Add(-(1 << k));
            values.Add((1 << k) + 1);
            values.Add(-(1 << k) - 1);
        }
        // 2^24 + 1 and friends are not floats: the int -> float conversion rounds them (half to even).
        values.AddRange(new[] { 16777217, -16777217, 16777219, 33554435, -33554435 });
        return values.ToArray();
    }

    private static float[] Scales()
    {
        var scales = new List<float>
        {
            0.5f, 0.25f, 0.125f, 1f, 2f, 1.5f, 0.1f, 0.3f, 1e-3f, 3.0517578e-05f, // exact ties for odd accumulators
            1e-30f, float.Epsilon, 1e30f, float.MaxValue, 0f, -0.5f, -1e-3f,       // tiny, huge, zero, negative
        };
        var random = new Random(5);
        for (int i = 0; i < 40; i++)
            scales.Add((float)Math.Exp(random.NextDouble() * 30 - 25) * (random.Next(4) == 0 ? -1 : 1));
        return scales.ToArray();
    }

    private static readonly (int ZeroPoint, int Min, int Max)[] Outputs =
    {
        (0, 0, 255), (255, 0, 255), (128, 0, 255), (-128, -128, 127), (127, -128, 127), (0, -128, 127),
        (10, 10, 255),   // ReLU on uint8: the clamp starts at the zero point
        (-5, -5, 55),    // ReLU6-like on int8
    };

    private static void Check(Vector256<int> accumulators, Vector256<float> scales, int zeroPoint, int min, int max)
    {
        Vector256<int> actual = FloatRequantize256.Apply(accumulators, scales, zeroPoint, min, max);
        for (int lane = 0; lane < 8; lane++)
        {
            int expected = FloatRequantization.Apply(accumulators.GetElement(lane), scales.GetElement(lane), zeroPoint, min, max);
            if (actual.GetElement(lane) != expected)
                Assert.Fail($"lane {lane}: acc {accumulators.GetElement(lane)}, scale {scales.GetElement(lane):R}, zero point {zeroPoint}, " +
                    $"[{min}, {max}]: SIMD {actual.GetElement(lane)}, scalar {expected}");
        }
    }

    [SkippableFact]
    public void EdgeAccumulatorsAndScales_EveryLaneMatchesTheScalar()
    {
        Skip.IfNot(Avx2.IsSupported, "AVX2 is not supported here.");
        int[] accumulators = EdgeAccumulators();
        float[] scales = Scales();
        int checkedLanes = 0;
        Span<int> lanes = stackalloc int[8];
        foreach ((int zeroPoint, int min, int max) in Outputs)
        {
            foreach (float scale in scales)
            {
                // Each accumulator in every lane position, the scale broadcast, then the per-tensor overload.
                for (int start = 0; start < accumulators.Length; start++)
                {
                    for (int i = 0; i < 8; i++)
                        lanes[i] = accumulators[(start + i) % accumulators.Length];
                    Vector256<int> acc = Vector256.Create<int>(lanes);
                    Check(acc, Vector256.Create(scale), zeroPoint, min, max);
                    Assert.Equal(FloatRequantize256.Apply(acc, Vector256.Create(scale), zeroPoint, min, max),
                        FloatRequantize256.Apply(acc, scale, zeroPoint, min, max));
                    checkedLanes += 8;
                }
            }
        }
        Assert.True(checkedLanes > 100_000);
    }

    [SkippableFact]
    public void PerLaneScales_RandomAccumulators_EveryLaneMatchesTheScalar()
    {
        Skip.IfNot(Avx2.IsSupported, "AVX2 is not supported here.");
        var random = new Random(99);
        float[] scales = Scales();
        Span<int> acc = stackalloc int[8];
        Span<float> scale = stackalloc float[8];
        for (int i = 0; i < 200_000; i++)
        {
            for (int lane = 0; lane < 8; lane++)
            {
                acc[lane] = (i % 4) switch
                {
                    0 => random.Next(int.MinValue, int.MaxValue),
                    1 => random.Next(-100_000, 100_000),
                    2 => random.Next(-1000, 1000) * 2 + 1,      // odd: ties against power-of-two scales
                    _ => random.Next(-(1 << 26), 1 << 26),
                };
                scale[lane] = i % 3 == 0 ? scales[random.Next(scales.Length)] : (float)Math.Exp(random.NextDouble() * 16 - 14);
            }
            (int zeroPoint, int min, int max) = Outputs[i % Outputs.Length];
            Check(Vector256.Create<int>(acc), Vector256.Create<float>(scale), zeroPoint, min, max);
        }
    }

    [SkippableFact]
    public void ExactTies_RoundHalfToEven()
    {
        Skip.IfNot(Avx2.IsSupported, "AVX2 is not supported here.");
        // acc * 0.5 = -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5 -> -4, -2, -2, 0, 0, 2, 2, 4; zero point 100.
        Vector256<int> result = FloatRequantize256.Apply(Vector256.Create(-7, -5, -3, -1, 1, 3, 5, 7), 0.5f, 100, 0, 255);
        Assert.Equal(Vector256.Create(96, 98, 98, 100, 100, 102, 102, 104), result);
        // int.MaxValue and int.MinValue with a huge scale saturate; with a tiny one they round to the zero point.
        Assert.Equal(Vector256.Create(127), FloatRequantize256.Apply(Vector256.Create(int.MaxValue), 1e30f, -3, -128, 127));
        Assert.Equal(Vector256.Create(-128), FloatRequantize256.Apply(Vector256.Create(int.MinValue), 1e30f, -3, -128, 127));
        Assert.Equal(Vector256.Create(-3), FloatRequantize256.Apply(Vector256.Create(int.MinValue), 1e-30f, -3, -128, 127));
    }
}
