namespace KernelGen;

/// <summary>Order of a feature map's elements at the edges of a model (inside, every feature map is NHWC).</summary>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
enum TensorLayout
{
    /// <summary>Height, width, channels (TFLite's order), the layout inside the model: no conversion.</summary>
    Nhwc = 0,

    /// <summary>Channels, height, width (ONNX's order): the generated Run converts the input from it and the output to it.</summary>
    Nchw = 1,
}
