namespace KernelGen;

/// <summary>How a convolution or pooling window treats the border (with explicit <c>Pads</c> this is ignored).</summary>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
enum Padding
{
    /// <summary>No padding: output = floor((input - dilated kernel) / stride) + 1.</summary>
    Valid = 0,

    /// <summary>output = ceil(input / stride), the padding split with the extra row or column at the bottom / right
    /// (TFLite SAME, ONNX SAME_UPPER).</summary>
    Same = 1,
}
