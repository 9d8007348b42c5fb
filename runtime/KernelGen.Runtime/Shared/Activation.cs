namespace KernelGen;

/// <summary>Activation fused into a layer's output clamp (TFLite's CalculateActivationRangeQuantized).</summary>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
enum Activation
{
    /// <summary>No activation: the clamp is the output type's range.</summary>
    None = 0,

    /// <summary>max(x, 0): the lower clamp bound becomes the quantized 0.</summary>
    Relu = 1,

    /// <summary>min(max(x, 0), 6): the clamp is [quantized 0, quantized 6].</summary>
    Relu6 = 2,
}
