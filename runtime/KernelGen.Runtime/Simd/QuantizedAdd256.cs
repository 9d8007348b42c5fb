using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using KernelGen.Quantization;

namespace KernelGen.Simd;

/// <summary>
/// The quantized Add of <see cref="AddParameters"/> over int32 lanes with AVX2, bit-identical with
/// <see cref="AddParameters.ApplyFixedPoint"/> (TFLite) and <see cref="AddParameters.ApplyFloat"/> (ONNX Runtime's AVX2
/// kernel), and a whole-tensor loop over bytes. The lane functions take the operands as integers of the 8-bit type
/// (widened by <see cref="LoadUInt8"/> or <see cref="LoadInt8"/>) and return the clamped outputs for
/// <see cref="Store256"/>. Callers check <see cref="Avx2.IsSupported"/>, and <see cref="Fma.IsSupported"/> for the float
/// scheme.
/// </summary>
public static class QuantizedAdd256
{
    /// <summary>Eight uint8 values at <paramref name="source"/> as int32 lanes (vpmovzxbd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> LoadUInt8(ref byte source)
        => Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref source)).AsByte());

    /// <summary>Eight int8 values at <paramref name="source"/> as int32 lanes (vpmovsxbd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> LoadInt8(ref byte source)
        => Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref source)).AsSByte());

    /// <summary>
    /// TFLite's AddFunc on eight lanes: (q - z) * 2^20 for each operand, through its Q31 multiplier and rounding right
    /// shift (<see cref="FixedPoint256"/>), the sum through the output multiplier and shift, plus the output zero point,
    /// clamped. The right shifts are the negated, non-positive <see cref="AddParameters"/> shifts (0..31); pass
    /// constants so that the shifts compile to immediates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> FixedPoint(
        Vector256<int> input1, Vector256<int> input2,
        int input1ZeroPoint, int input1Multiplier, [ConstantExpected(Min = 0, Max = 31)] byte input1RightShift,
        int input2ZeroPoint, int input2Multiplier, [ConstantExpected(Min = 0, Max = 31)] byte input2RightShift,
        int outputMultiplier, [ConstantExpected(Min = 0, Max = 31)] byte outputRightShift,
        int outputZeroPoint, int clampMin, int clampMax)
    {
        // (q - z) is within [-255, 255], so the shift by 20 cannot overflow.
        Vector256<int> shifted1 = Avx2.ShiftLeftLogical(Avx2.Subtract(input1, Vector256.Create(input1ZeroPoint)), AddParameters.LeftShift);
        Vector256<int> shifted2 = Avx2.ShiftLeftLogical(Avx2.Subtract(input2, Vector256.Create(input2ZeroPoint)), AddParameters.LeftShift);
        Vector256<int> scaled1 = FixedPoint256.RoundingDivideByPOT(
            FixedPoint256.SaturatingRoundingDoublingHighMul(shifted1, Vector256.Create(input1Multiplier)), input1RightShift);
        Vector256<int> scaled2 = FixedPoint256.RoundingDivideByPOT(
            FixedPoint256.SaturatingRoundingDoublingHighMul(shifted2, Vector256.Create(input2Multiplier)), input2RightShift);
        Vector256<int> sum = Avx2.Add(scaled1, scaled2);
        Vector256<int> output = Avx2.Add(
            FixedPoint256.RoundingDivideByPOT(FixedPoint256.SaturatingRoundingDoublingHighMul(sum, Vector256.Create(outputMultiplier)), outputRightShift),
            Vector256.Create(outputZeroPoint));
        return Avx2.Min(Avx2.Max(output, Vector256.Create(clampMin)), Vector256.Create(clampMax));
    }

    /// <summary>
    /// ONNX Runtime's QLinearAdd on eight lanes, the instruction sequence of MLAS's AVX2 kernel
    /// (<c>MlasQLinearAddKernelAvx2Helper</c>, qladd_avx2.cpp): the raw values converted to float,
    /// v = fma(q1, ratio1, fma(q2, ratio2, fixedPart)), converted with round half to even (out-of-range and NaN lanes
    /// become int.MinValue, as there), clamped. The constants are <see cref="AddParameters.FloatRatio1"/>,
    /// <see cref="AddParameters.FloatRatio2"/> and <see cref="AddParameters.FloatFixedPart"/>. Needs
    /// <see cref="Fma.IsSupported"/> besides AVX2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Float(
        Vector256<int> input1, Vector256<int> input2, float ratio1, float ratio2, float fixedPart, int clampMin, int clampMax)
    {
        Vector256<float> partial = Fma.MultiplyAdd(Avx.ConvertToVector256Single(input2), Vector256.Create(ratio2), Vector256.Create(fixedPart));
        Vector256<float> value = Fma.MultiplyAdd(Avx.ConvertToVector256Single(input1), Vector256.Create(ratio1), partial);
        Vector256<int> rounded = Avx.ConvertToVector256Int32(value);
        return Avx2.Min(Avx2.Max(rounded, Vector256.Create(clampMin)), Vector256.Create(clampMax));
    }

    /// <summary>
    /// The Add of two whole tensors of <paramref name="parameters"/>' type into <paramref name="output"/> (all three the
    /// same length; the output may be one of the inputs): eight values per step, the fixed-point scheme as
    /// <see cref="FixedPoint"/> computes it but with the shifts as per-lane variables (they are not constants here), the
    /// float scheme through <see cref="Float"/>; the last 1..7 through <see cref="AddParameters.Apply"/>. Bit-identical
    /// with the scalar.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <exception cref="PlatformNotSupportedException">AVX2 (or, for the float scheme, FMA) is not supported.</exception>
    public static void Run(AddParameters parameters, ReadOnlySpan<byte> input1, ReadOnlySpan<byte> input2, Span<byte> output)
    {
        if (parameters is null) throw new ArgumentNullException(nameof(parameters));
        if (input1.Length != output.Length || input2.Length != output.Length)
            throw new ArgumentException($"Inputs of {input1.Length} and {input2.Length} values do not match an output of {output.Length}.", nameof(output));
        if (!Avx2.IsSupported || (parameters.Scheme == RequantizationScheme.Float && !Fma.IsSupported))
            throw new PlatformNotSupportedException("QuantizedAdd256 needs AVX2 (and FMA for the float scheme).");

        bool signed = parameters.Type == QuantType.Int8;
        bool fixedPoint = parameters.Scheme == RequantizationScheme.FixedPoint;
        // The shifts are not constants here: the loop uses the per-lane variable shifts of FixedPoint256 (same results).
        Vector256<int> zeroPoint1 = Vector256.Create(parameters.Input1ZeroPoint);
        Vector256<int> zeroPoint2 = Vector256.Create(parameters.Input2ZeroPoint);
        Vector256<int> multiplier1 = Vector256.Create(parameters.Input1Multiplier);
        Vector256<int> multiplier2 = Vector256.Create(parameters.Input2Multiplier);
        Vector256<int> multiplierOut = Vector256.Create(parameters.OutputMultiplier);
        Vector256<int> shift1 = Vector256.Create(-parameters.Input1Shift);
        Vector256<int> shift2 = Vector256.Create(-parameters.Input2Shift);
        Vector256<int> shiftOut = Vector256.Create(-parameters.OutputShift);
        Vector256<int> zeroPointOut = Vector256.Create(parameters.OutputZeroPoint);
        Vector256<int> min = Vector256.Create(parameters.ClampMin);
        Vector256<int> max = Vector256.Create(parameters.ClampMax);
        ref byte a = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(input1);
        ref byte b = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(input2);
        ref byte c = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(output);
        int i = 0;
        for (; i + 8 <= output.Length; i += 8)
        {
            Vector256<int> x = signed ? LoadInt8(ref Unsafe.Add(ref a, i)) : LoadUInt8(ref Unsafe.Add(ref a, i));
            Vector256<int> y = signed ? LoadInt8(ref Unsafe.Add(ref b, i)) : LoadUInt8(ref Unsafe.Add(ref b, i));
            Vector256<int> z;
            if (fixedPoint)
            {
                Vector256<int> scaled1 = FixedPoint256.RoundingDivideByPOT(FixedPoint256.SaturatingRoundingDoublingHighMul(
                    Avx2.ShiftLeftLogical(Avx2.Subtract(x, zeroPoint1), AddParameters.LeftShift), multiplier1), shift1);
                Vector256<int> scaled2 = FixedPoint256.RoundingDivideByPOT(FixedPoint256.SaturatingRoundingDoublingHighMul(
                    Avx2.ShiftLeftLogical(Avx2.Subtract(y, zeroPoint2), AddParameters.LeftShift), multiplier2), shift2);
                z = Avx2.Add(FixedPoint256.RoundingDivideByPOT(
                    FixedPoint256.SaturatingRoundingDoublingHighMul(Avx2.Add(scaled1, scaled2), multiplierOut), shiftOut), zeroPointOut);
                z = Avx2.Min(Avx2.Max(z, min), max);
            }
            else
            {
                z = Float(x, y, parameters.FloatRatio1, parameters.FloatRatio2, parameters.FloatFixedPart, parameters.ClampMin, parameters.ClampMax);
            }
            if (signed)
                Store256.StoreInt8(z, ref Unsafe.Add(ref c, i));
            else
                Store256.StoreUInt8(z, ref Unsafe.Add(ref c, i));
        }
        for (; i < output.Length; i++)
        {
            int x = signed ? (sbyte)Unsafe.Add(ref a, i) : Unsafe.Add(ref a, i);
            int y = signed ? (sbyte)Unsafe.Add(ref b, i) : Unsafe.Add(ref b, i);
            Unsafe.Add(ref c, i) = (byte)parameters.Apply(x, y);
        }
    }
}
