namespace KernelGen;

/// <summary>Element type of a tensor.</summary>
/// <remarks>Activations and weights are <see cref="UInt8"/> or <see cref="Int8"/>; <see cref="Int32"/> is the bias type and the
/// output of the integer-only ops (MatMulInteger, ConvInteger); <see cref="Float32"/> is the type of a model input that a
/// Quantize layer reads and of a Dequantize layer's output. Each is rejected (KG0003) where another type is required.</remarks>
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

    /// <summary>IEEE 754 single precision, not quantized: the float edge of a model (Quantize's input, Dequantize's output).</summary>
    Float32 = 3,
}
