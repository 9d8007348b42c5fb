namespace KernelGen;

/// <summary>
/// How an int32 accumulator becomes an 8-bit output: chosen per model ([QuantizedModel(Requantization = ...)]),
/// used by every op's kernels, by the scalar fallback and by the reference.
/// </summary>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
enum RequantizationScheme
{
    /// <summary>
    /// TFLite / gemmlowp fixed point (the default): the real multiplier is decomposed at compile time into a Q31 multiplier
    /// and a shift; out = z + RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc &lt;&lt; left, M0), right).
    /// </summary>
    FixedPoint = 0,

    /// <summary>
    /// Float, as ONNX Runtime (MLAS), PyTorch/FBGEMM and XNNPACK's fp32 kernels compute it: out = z +
    /// round_half_to_even((float)acc * scale), saturated, where scale = input_scale * weight_scale / output_scale in float.
    /// Gives ONNX Runtime's QLinearMatMul and QLinearConv outputs byte for byte.
    /// </summary>
    Float = 1,
}
