using System;

namespace KernelGen;

/// <summary>
/// A fully connected layer: out[j] = clamp(z_out + requantize(bias[j] + Σ_k (x[k] - z_in) * (w[j, k] - z_w[j]))).
/// Applied to a class that carries <see cref="QuantizedModelAttribute"/>. It reads its input tensor (by default the
/// previous layer's output; scale, zero point and type included) as a flat vector of <c>inputs</c> values, so a feature map
/// is flattened in its NHWC order.
/// </summary>
/// <remarks>
/// Weights are row-major [outputs, inputs] (TFLite's FullyConnected filter layout): weight (j, k) is element
/// <c>j * inputs + k</c>; <see cref="WeightedLayerAttribute"/> says where weights and bias come from. With
/// <c>OutputType = QuantType.Int32</c> the layer is ONNX MatMulInteger (with a constant B): the raw int32 accumulators.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : WeightedLayerAttribute
{
    /// <summary>Declares a Dense layer from <paramref name="inputs"/> to <paramref name="outputs"/> values per row.</summary>
    public DenseAttribute(int inputs, int outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>Values this layer reads per row: the model's input size, or the previous layer's outputs.</summary>
    public int Inputs { get; }

    /// <summary>Values this layer writes per row.</summary>
    public int Outputs { get; }
}
