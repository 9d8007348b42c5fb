namespace KernelGen.Generator.Model;

/// <summary>
/// What a layer with weights declares besides its shape ([Dense], [Conv2D], [DepthwiseConv2D]: the
/// WeightedLayerAttribute properties), as written.
/// </summary>
/// <param name="OutputType">Null when not set: the input's type.</param>
internal sealed record WeightSpec(
    ConstantSource Values,
    QuantType Type,
    float? Scale,
    EquatableArray<float>? Scales,
    int? ZeroPoint,
    EquatableArray<int>? ZeroPoints,
    ConstantSource Bias,
    float OutputScale,
    int OutputZeroPoint,
    Activation Activation,
    QuantType? OutputType)
{
    /// <summary>These weights with another output quantization (a folded [Requantize]); null for an Int32 output.</summary>
    public WeightSpec? WithOutput(float scale, int zeroPoint, QuantType? type)
        => OutputType == QuantType.Int32 ? null : this with { OutputScale = scale, OutputZeroPoint = zeroPoint, OutputType = type ?? OutputType };

    /// <summary>These weights with <paramref name="activation"/> fused into the clamp (a fused [Relu]); null for an Int32
    /// output or an activation that is itself invalid (reported by planning).</summary>
    public WeightSpec? WithActivation(Activation activation)
        => OutputType == QuantType.Int32 || Activation is not (Activation.None or Activation.Relu or Activation.Relu6)
            ? null
            : this with { Activation = Planning.Passes.ActivationFusion.Combine(Activation, activation) };
}
