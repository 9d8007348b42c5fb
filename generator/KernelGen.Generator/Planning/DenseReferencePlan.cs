using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// The layer as declared, for the generated RunReference and the kernel's header comment. The declared weights are not
/// repeated: RunReference unpacks them from the packed operand (<see cref="KernelGen.Kernels.DensePacking"/>), so Run
/// and RunReference read the same baked-in data and the generated source holds one copy of it.
/// </summary>
internal sealed record DenseReferencePlan(
    float InputScale,
    int InputZeroPoint,
    QuantType WeightType,
    EquatableArray<float> WeightScales,
    bool PerChannelScales,
    EquatableArray<int> WeightZeroPoints,
    float OutputScale,
    Activation Activation,
    EquatableArray<int> Bias,
    bool HasBias,
    RequantizationScheme Scheme);
