using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using KernelGen.Quantization;
using KernelGen.Simd;

// The tests pass the shifts as variables; the JIT then emits the variable-count form of each shift, which computes the
// same lanes as the immediate form that constant arguments give in generated code.
#pragma warning disable CA1857

namespace KernelGen.Tests.Runtime;

/// <summary><see cref="QuantizedAdd256"/> against the scalar <see cref="AddParameters.Apply"/> on every pair of 8-bit values.</summary>
public sealed class QuantizedAdd256Tests
{
    /// <summary>Parameter sets: zero points at the type ends, scales tiny and huge, ratios at TFLite's limits, activations.</summary>
    private static IEnumerable<AddParameters> ParameterSets(RequantizationScheme scheme)
    {
        yield return new AddParameters(QuantType.UInt8, 0.5f, 128, 0.25f, 100, 1f, 10, Activation.None, scheme);
        yield return new AddParameters(QuantType.Int8, 0.05f, -3, 0.12f, 7, 0.1f, -1, Activation.None, scheme);
        yield return new AddParameters(QuantType.UInt8, 0.02f, 0, 0.02f, 255, 0.04f, 255, Activation.None, scheme);
        yield return new AddParameters(QuantType.UInt8, 0.02f, 255, 0.03f, 0, 0.01f, 0, Activation.Relu, scheme);
        yield return new AddParameters(QuantType.Int8, 0.1f, -128, 0.1f, 127, 0.05f, -128, Activation.Relu6, scheme);
        yield return new AddParameters(QuantType.Int8, 1e-30f, 127, 3e-30f, -128, 2e-30f, 127, Activation.None, scheme);
        yield return new AddParameters(QuantType.UInt8, 1e30f, 17, 1e30f, 200, 3e30f, 90, Activation.None, scheme);
        // The second input's multiplier underflows to 0 (ratio below 2^-32): TFLite drops it.
        yield return new AddParameters(QuantType.Int8, 1f, 0, 1e-12f, 0, 1f, 0, Activation.None, scheme);
        // The output scale just large enough for TFLite: max / s_out just below 2^19.
        float limit = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(1f / (1 << 19)) + 2);
        yield return new AddParameters(QuantType.UInt8, 1f, 128, 0.5f, 128, limit, 128, Activation.None, scheme);
        var random = new Random((int)scheme + 31);
        for (int i = 0; i < 12; i++)
        {
            QuantType type = i % 2 == 0 ? QuantType.UInt8 : QuantType.Int8;
            int lo = type == QuantType.UInt8 ? 0 : -128;
            float Scale() => (float)Math.Exp(random.NextDouble() * 10 - 8);
            float s1 = Scale(), s2 = Scale();
            float so = Math.Max(Scale(), Math.Max(s1, s2) / 100_000f);
            yield return new AddParameters(type, s1, random.Next(lo, lo + 256), s2, random.Next(lo, lo + 256), so, random.Next(lo, lo + 256),
                (Activation)(i % 3), scheme);
        }
    }

    private static Vector256<int> Lanes(int start, int step, QuantType type)
    {
        int lo = type == QuantType.UInt8 ? 0 : -128;
        Span<int> lanes = stackalloc int[8];
        for (int i = 0; i < 8; i++)
            lanes[i] = lo + (start + i * step) % 256;
        return Vector256.Create<int>(lanes);
    }

    private static void CheckAllPairs(AddParameters p, Func<Vector256<int>, Vector256<int>, Vector256<int>> simd)
    {
        for (int a = 0; a < 256; a++)
        {
            for (int b = 0; b < 256; b += 8)
            {
                Vector256<int> x = Lanes(a, 0, p.Type);     // one first value in every lane
                Vector256<int> y = Lanes(b, 1, p.Type);     // eight second values
                Vector256<int> z = simd(x, y);
                for (int lane = 0; lane < 8; lane++)
                {
                    int expected = p.Apply(x.GetElement(lane), y.GetElement(lane));
                    if (z.GetElement(lane) != expected)
                        Assert.Fail($"{p.Scheme} {p.Type} s1 {p.Input1Scale:R} z1 {p.Input1ZeroPoint} s2 {p.Input2Scale:R} z2 {p.Input2ZeroPoint} " +
                            $"so {p.OutputScale:R} zo {p.OutputZeroPoint}: ({x.GetElement(lane)}, {y.GetElement(lane)}) SIMD {z.GetElement(lane)}, scalar {expected}");
                }
            }
        }
    }

    [SkippableFact]
    public void FixedPoint_EveryPairMatchesTheScalar()
    {
        Skip.IfNot(Avx2.IsSupported, "AVX2 is not supported here.");
        int sets = 0;
        foreach (AddParameters p in ParameterSets(RequantizationScheme.FixedPoint))
        {
            byte shift1 = (byte)-p.Input1Shift, shift2 = (byte)-p.Input2Shift, shiftOut = (byte)-p.OutputShift;
            CheckAllPairs(p, (x, y) => QuantizedAdd256.FixedPoint(x, y,
                p.Input1ZeroPoint, p.Input1Multiplier, shift1, p.Input2ZeroPoint, p.Input2Multiplier, shift2,
                p.OutputMultiplier, shiftOut, p.OutputZeroPoint, p.ClampMin, p.ClampMax));
            sets++;
        }
        Assert.Equal(21, sets);
    }

    [SkippableFact]
    public void FixedPoint_WithConstantShifts_MatchesTheScalar()
    {
        Skip.IfNot(Avx2.IsSupported, "AVX2 is not supported here.");
        // As generated code calls it: the shifts of new AddParameters(UInt8, 0.5, 128, 0.25, 100, 1, 10) are 0, 1 and 19.
        var p = new AddParameters(QuantType.UInt8, 0.5f, 128, 0.25f, 100, 1f, 10);
        Assert.Equal((0, -1, -19), (p.Input1Shift, p.Input2Shift, p.OutputShift));
        CheckAllPairs(p, (x, y) => QuantizedAdd256.FixedPoint(x, y, 128, 1 << 30, 0, 100, 1 << 30, 1, 1 << 30, 19, 10, 0, 255));
    }

    [SkippableFact]
    public void Float_EveryPairMatchesTheScalar()
    {
        Skip.IfNot(Avx2.IsSupported && Fma.IsSupported, "AVX2 and FMA are not supported here.");
        int sets = 0;
        foreach (AddParameters p in ParameterSets(RequantizationScheme.Float))
        {
            CheckAllPairs(p, (x, y) => QuantizedAdd256.Float(x, y, p.FloatRatio1, p.FloatRatio2, p.FloatFixedPart, p.ClampMin, p.ClampMax));
            sets++;
        }
        // Ratios that overflow int32 (cvtps2dq gives int.MinValue) and exact ties.
        foreach (AddParameters p in new[]
        {
            new AddParameters(QuantType.Int8, 1f, 0, 1f, 0, 1e-8f, 0, Activation.None, RequantizationScheme.Float),
            new AddParameters(QuantType.UInt8, 0.49999997f, 0, 1f, 0, 1f, 101, Activation.None, RequantizationScheme.Float),
            new AddParameters(QuantType.UInt8, 0.5f, 0, 1f, 0, 1f, 11, Activation.None, RequantizationScheme.Float),
        })
        {
            CheckAllPairs(p, (x, y) => QuantizedAdd256.Float(x, y, p.FloatRatio1, p.FloatRatio2, p.FloatFixedPart, p.ClampMin, p.ClampMax));
            sets++;
        }
        Assert.Equal(24, sets);
    }

    [SkippableFact]
    public void LoadWidensEightBytes()
    {
        Skip.IfNot(Avx2.IsSupported, "AVX2 is not supported here.");
        byte[] bytes = { 0, 1, 127, 128, 200, 255, 3, 4, 99 };
        Assert.Equal(Vector256.Create(0, 1, 127, 128, 200, 255, 3, 4), QuantizedAdd256.LoadUInt8(ref bytes[0]));
        Assert.Equal(Vector256.Create(1, 127, -128, -56, -1, 3, 4, 99), QuantizedAdd256.LoadInt8(ref bytes[1]));
    }

    [SkippableFact]
    public void Run_MatchesTheScalarOnEveryLengthAndInPlace()
    {
        Skip.IfNot(Avx2.IsSupported && Fma.IsSupported, "AVX2 and FMA are not supported here.");
        var random = new Random(17);
        foreach (RequantizationScheme scheme in new[] { RequantizationScheme.FixedPoint, RequantizationScheme.Float })
        {
            foreach (AddParameters p in ParameterSets(scheme))
            {
                for (int length = 0; length <= 41; length++)
                {
                    var a = new byte[length];
                    var b = new byte[length];
                    random.NextBytes(a);
                    random.NextBytes(b);
                    var expected = new byte[length];
                    for (int i = 0; i < length; i++)
                    {
                        int x = p.Type == QuantType.Int8 ? (sbyte)a[i] : a[i];
                        int y = p.Type == QuantType.Int8 ? (sbyte)b[i] : b[i];
                        expected[i] = (byte)p.Apply(x, y);
                    }
                    var output = new byte[length];
                    QuantizedAdd256.Run(p, a, b, output);
                    Assert.Equal(expected, output);
                    QuantizedAdd256.Run(p, a, b, a);   // in place over the first input
                    Assert.Equal(expected, a);
                }
            }
        }
        var q = new AddParameters(QuantType.UInt8, 1f, 0, 1f, 0, 1f, 0);
        Assert.Throws<ArgumentException>(() => QuantizedAdd256.Run(q, new byte[8], new byte[7], new byte[8]));
    }

    [SkippableTheory]
    [InlineData(QuantType.Int8, 2.4838524f, 82, 0.20638852f, 55, 0.047479626f, 115, 95, -111, 73)]
    [InlineData(QuantType.UInt8, 0.0036586314f, 207, 0.0033012496f, 219, 0.026002435f, 165, 220, 51, 146)]
    [InlineData(QuantType.UInt8, 0.009908098f, 20, 5.8000503f, 240, 0.0037498355f, 161, 27, 240, 179)]
    [InlineData(QuantType.Int8, 1f, 0, 1f, 0, 1E-08f, 0, 22, 0, -128)]
    [InlineData(QuantType.UInt8, 0.49999997f, 0, 1f, 0, 1f, 101, 1, 0, 102)]
    [InlineData(QuantType.Int8, 0.15f, 0, 0.25f, 0, 0.7f, 0, 21, 0, 5)]
    public void Float_MatchesOnnxRuntimeQLinearAdd(QuantType type, float s1, int z1, float s2, int z2, float so, int zo, int q1, int q2, int onnxRuntime)
    {
        // A subset of AddReferenceLayerTests.Float_MatchesOnnxRuntimeQLinearAdd (measured with ONNX Runtime 1.31.1).
        Skip.IfNot(Avx2.IsSupported && Fma.IsSupported, "AVX2 and FMA are not supported here.");
        var p = new AddParameters(type, s1, z1, s2, z2, so, zo, Activation.None, RequantizationScheme.Float);
        Vector256<int> z = QuantizedAdd256.Float(Vector256.Create(q1), Vector256.Create(q2), p.FloatRatio1, p.FloatRatio2, p.FloatFixedPart, p.ClampMin, p.ClampMax);
        Assert.Equal(Vector256.Create(onnxRuntime), z);
    }
}
