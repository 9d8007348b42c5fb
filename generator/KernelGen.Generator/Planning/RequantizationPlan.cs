using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// The requantization step of a layer, folded: one plan record per scheme, consumed by the one emitter step
/// (Emitting/RequantizeStep) that every op's kernels and the scalar fallback use. Per-column tables are padded with
/// zeros to whole blocks of 8 columns.
/// </summary>
/// <param name="Columns">Output columns (channels) before padding.</param>
/// <param name="ZeroPoint">Output zero point.</param>
/// <param name="ClampMin">Lower clamp bound, the activation folded in.</param>
/// <param name="ClampMax">Upper clamp bound.</param>
/// <param name="OutputType">UInt8 or Int8; Int32 for <see cref="NoRequantization"/>.</param>
internal abstract record RequantizationPlan(int Columns, int ZeroPoint, int ClampMin, int ClampMax, QuantType OutputType)
{
    /// <summary>True when every column has the same constants, so kernels use immediates instead of tables.</summary>
    public abstract bool Uniform { get; }
}

/// <summary>TFLite / gemmlowp fixed point: out = clamp(z + RoundingDivideByPOT(SRDHM(acc &lt;&lt; left, M0), right)).</summary>
internal sealed record FixedPointRequantization(
    int Columns, int ZeroPoint, int ClampMin, int ClampMax, QuantType OutputType,
    EquatableArray<int> Multipliers, EquatableArray<int> LeftShifts, EquatableArray<int> RightShifts)
    : RequantizationPlan(Columns, ZeroPoint, ClampMin, ClampMax, OutputType)
{
    public override bool Uniform
    {
        get
        {
            for (int j = 1; j < Columns; j++)
            {
                if (Multipliers[j] != Multipliers[0] || LeftShifts[j] != LeftShifts[0] || RightShifts[j] != RightShifts[0])
                    return false;
            }
            return true;
        }
    }

    public bool HasLeftShift
    {
        get
        {
            for (int j = 0; j < Columns; j++)
            {
                if (LeftShifts[j] != 0)
                    return true;
            }
            return false;
        }
    }
}

/// <summary>Float, as ONNX Runtime: out = clamp(z + round_half_to_even((float)acc * scale)), clamped in float first.</summary>
internal sealed record FloatRequantizationPlan(
    int Columns, int ZeroPoint, int ClampMin, int ClampMax, QuantType OutputType, EquatableArray<float> Scales)
    : RequantizationPlan(Columns, ZeroPoint, ClampMin, ClampMax, OutputType)
{
    public override bool Uniform
    {
        get
        {
            for (int j = 1; j < Columns; j++)
            {
                if (!Scales[j].Equals(Scales[0]))
                    return false;
            }
            return true;
        }
    }
}

/// <summary>No requantization: the int32 accumulators are the output (ONNX MatMulInteger, ConvInteger).</summary>
internal sealed record NoRequantization(int Columns)
    : RequantizationPlan(Columns, 0, int.MinValue, int.MaxValue, QuantType.Int32)
{
    public override bool Uniform => true;
}
