namespace KernelGen.Generator.Planning;

/// <summary>
/// A weighted layer's declared constants, resolved and validated (not cached: a step inside a planning rule).
/// </summary>
/// <param name="Weights">Raw weight values in the op's declared layout.</param>
/// <param name="Scales">One scale, or one per output channel.</param>
/// <param name="PerChannelScales">More than one scale declared (a one-element WeightScales array is per tensor, as in TFLite).</param>
/// <param name="ZeroPoints">One zero point, or one per output channel.</param>
/// <param name="Bias">One per output channel, or null.</param>
internal sealed record WeightedLayer(
    QuantType WeightType, int[] Weights, float[] Scales, bool PerChannelScales, int[] ZeroPoints, int[]? Bias,
    QuantType OutputType, RequantizationPlan Requantization)
{
    public float ScaleOf(int channel) => Scales[Scales.Length == 1 ? 0 : channel];

    public int ZeroPointOf(int channel) => ZeroPoints[ZeroPoints.Length == 1 ? 0 : channel];
}
