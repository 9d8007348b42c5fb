using System;

namespace KernelGen;

/// <summary>
/// Marks a <c>partial</c> class as a quantized model and declares its input, a tensor named <c>"input"</c>. The layers
/// follow as layer attributes (<see cref="LayerAttribute"/>) on the same class; declaration order is execution order and
/// the last layer's output is the model's output. At build time the KernelGen generator adds <c>Run</c>,
/// <c>RunReference</c>, <c>InputSize</c>, <c>OutputSize</c>, <c>ScratchSize</c> and <c>ActivePath</c> to the class.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class QuantizedModelAttribute : Attribute
{
    /// <summary>Declares a model whose input is a vector of <paramref name="inputSize"/> values per row.</summary>
    public QuantizedModelAttribute(int inputSize) => InputSize = inputSize;

    /// <summary>Declares a model whose input is one feature map per row: <paramref name="height"/> x
    /// <paramref name="width"/> x <paramref name="channels"/> values, NHWC unless <see cref="Layout"/> says NCHW.</summary>
    public QuantizedModelAttribute(int height, int width, int channels)
    {
        Height = height;
        Width = width;
        Channels = channels;
        InputSize = height * width * channels;
    }

    /// <summary>Values per input row.</summary>
    public int InputSize { get; }

    /// <summary>Height of the input feature map (0 for a vector input).</summary>
    public int Height { get; }

    /// <summary>Width of the input feature map (0 for a vector input).</summary>
    public int Width { get; }

    /// <summary>Channels of the input feature map (0 for a vector input).</summary>
    public int Channels { get; }

    /// <summary>Element type of the input: <see cref="QuantType.UInt8"/> (default), <see cref="QuantType.Int8"/>, or
    /// <see cref="QuantType.Float32"/> when the first layer is a Quantize layer. Each layer's output type follows from its
    /// input (or its own <c>OutputType</c>).</summary>
    public QuantType ActivationType { get; set; } = QuantType.UInt8;

    /// <summary>Order of the input's and the output's elements when they are feature maps: <see cref="TensorLayout.Nhwc"/>
    /// (default) or <see cref="TensorLayout.Nchw"/> (ONNX's), converted at the edges by the generated Run.</summary>
    public TensorLayout Layout { get; set; } = TensorLayout.Nhwc;

    /// <summary>How every layer's int32 accumulators become 8-bit outputs: TFLite fixed point (default) or float, as
    /// ONNX Runtime computes it.</summary>
    public RequantizationScheme Requantization { get; set; } = RequantizationScheme.FixedPoint;

    /// <summary>Scale of the input: real = InputScale * (q - InputZeroPoint). Must be finite and positive.</summary>
    public float InputScale { get; set; }

    /// <summary>Zero point of the input, inside the range of <see cref="ActivationType"/>.</summary>
    public int InputZeroPoint { get; set; }
}
