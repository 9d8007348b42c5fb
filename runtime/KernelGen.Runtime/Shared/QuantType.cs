namespace KernelGen;

/// <summary>Element type of a quantized tensor.</summary>
/// <remarks>Activations and weights are <see cref="UInt8"/> or <see cref="Int8"/>; <see cref="Int32"/> is the bias type and is
/// rejected (KG0003) where an 8-bit type is required.</remarks>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
enum QuantType
{
    /// <summary>Unsigned 8-bit, range [0, 255].</summary>
    UInt8 = 0,

    /// <summary>Signed 8-bit, range [-128, 127].</summary>
    Int8 = 1,

    /// <summary>Signed 32-bit: the bias type, scale = input scale * weight scale, zero point 0.</summary>
    Int32 = 2,
}
