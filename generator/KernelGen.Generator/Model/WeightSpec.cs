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
    QuantType? OutputType);
