using System;
using System.Buffers.Binary;
using KernelGen.Quantization;

namespace KernelGen.Kernels;

/// <summary>
/// The requantization step of the scalar fallback, over the constants the generator folded: one per output column
/// (padded tables are fine). The same step the SIMD kernels plug in, so every op's fallback requantizes through it.
/// </summary>
/// <remarks>
/// Three forms: fixed point (multipliers and shifts: TFLite's MultiplyByQuantizedMultiplier), float
/// (scales: ONNX Runtime's float requantization), or none (<see cref="QuantType.Int32"/> output: the
/// accumulator is the output).
/// </remarks>
public readonly ref struct PackedRequantization
{
    /// <summary>Creates the step. Give either <paramref name="multipliers"/> and <paramref name="rightShifts"/> (fixed
    /// point; <paramref name="leftShifts"/> may be empty when all are 0) or <paramref name="scales"/> (float), or neither
    /// for an Int32 output.</summary>
    /// <param name="multipliers">Q31 multiplier per column.</param>
    /// <param name="leftShifts">Left shift per column, or empty.</param>
    /// <param name="rightShifts">Rounding right shift per column.</param>
    /// <param name="scales">Float scale per column.</param>
    /// <param name="zeroPoint">Output zero point.</param>
    /// <param name="clampMin">Lower clamp bound (activation folded in).</param>
    /// <param name="clampMax">Upper clamp bound.</param>
    /// <param name="outputType">UInt8, Int8, or Int32 (no requantization).</param>
    public PackedRequantization(
        ReadOnlySpan<int> multipliers, ReadOnlySpan<int> leftShifts, ReadOnlySpan<int> rightShifts, ReadOnlySpan<float> scales,
        int zeroPoint, int clampMin, int clampMax, QuantType outputType)
    {
        Multipliers = multipliers;
        LeftShifts = leftShifts;
        RightShifts = rightShifts;
        Scales = scales;
        ZeroPoint = zeroPoint;
        ClampMin = clampMin;
        ClampMax = clampMax;
        OutputType = outputType;
    }

    /// <summary>Q31 multipliers (fixed point).</summary>
    public ReadOnlySpan<int> Multipliers { get; }

    /// <summary>Left shifts, or empty when all are 0.</summary>
    public ReadOnlySpan<int> LeftShifts { get; }

    /// <summary>Right shifts (fixed point).</summary>
    public ReadOnlySpan<int> RightShifts { get; }

    /// <summary>Float scales (float scheme), else empty.</summary>
    public ReadOnlySpan<float> Scales { get; }

    /// <summary>Output zero point.</summary>
    public int ZeroPoint { get; }

    /// <summary>Lower clamp bound.</summary>
    public int ClampMin { get; }

    /// <summary>Upper clamp bound.</summary>
    public int ClampMax { get; }

    /// <summary>Output element type.</summary>
    public QuantType OutputType { get; }

    /// <summary>Bytes per output element: 1, or 4 for Int32.</summary>
    public int ElementBytes => OutputType == QuantType.Int32 ? 4 : 1;

    /// <summary>The output value of <paramref name="acc"/> in <paramref name="column"/>, clamped (the accumulator itself for Int32).</summary>
    public int Apply(int acc, int column)
    {
        if (OutputType == QuantType.Int32)
            return acc;
        if (!Scales.IsEmpty)
            return FloatRequantization.Apply(acc, Scales[column], ZeroPoint, ClampMin, ClampMax);
        if (!LeftShifts.IsEmpty)
            acc = unchecked(acc << LeftShifts[column]);
        int q = FixedPoint.RoundingDivideByPOT(FixedPoint.SaturatingRoundingDoublingHighMul(acc, Multipliers[column]), RightShifts[column])
            + ZeroPoint;
        return Math.Clamp(q, ClampMin, ClampMax);
    }

    /// <summary>Requantizes <paramref name="acc"/> and writes it as element <paramref name="index"/> of <paramref name="output"/>.</summary>
    public void Store(Span<byte> output, int index, int acc, int column)
    {
        int value = Apply(acc, column);
        if (OutputType == QuantType.Int32)
            BinaryPrimitives.WriteInt32LittleEndian(output.Slice(4 * index), value);
        else
            output[index] = unchecked((byte)value);
    }
}
