using System;

namespace KernelGen;

/// <summary>
/// Elementwise sum of two tensors of one shape and type, with different scales (TFLite's quantized Add: both operands
/// brought to a common fixed-point form, summed and requantized; under the float scheme ONNX Runtime's QLinearAdd).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute : LayerAttribute
{
    /// <summary>Declares the sum of tensors <paramref name="first"/> and <paramref name="second"/> ("input" or layer names).</summary>
    public AddAttribute(string first, string second) => Inputs = new[] { first, second };

    /// <summary>The two tensors added.</summary>
    public string[] Inputs { get; }

    /// <summary>Scale of the output. Must be finite and positive.</summary>
    public float OutputScale { get; set; }

    /// <summary>Zero point of the output.</summary>
    public int OutputZeroPoint { get; set; }

    /// <summary>Activation folded into the output clamp.</summary>
    public Activation Activation { get; set; } = Activation.None;
}

/// <summary>
/// Concatenation of feature maps along channels (or of vectors). Each input is requantized to the output's scale and
/// zero point, and copied as it is where they already match.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute : LayerAttribute
{
    /// <summary>Declares the concatenation of <paramref name="inputs"/> ("input" or layer names), in order.</summary>
    public ConcatAttribute(params string[] inputs) => Inputs = inputs;

    /// <summary>The tensors concatenated, in order.</summary>
    public string[] Inputs { get; }

    /// <summary>Scale of the output; not set: the first input's.</summary>
    public float OutputScale { get; set; }

    /// <summary>Zero point of the output; not set: the first input's.</summary>
    public int OutputZeroPoint { get; set; }
}

/// <summary>A new shape for the same values in the same order: a vector (one dimension) or H x W x C. Moves no data.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ReshapeAttribute : LayerAttribute
{
    /// <summary>Declares the new shape: one value (a vector) or three (height, width, channels).</summary>
    public ReshapeAttribute(params int[] shape) => Shape = shape;

    /// <summary>The new shape.</summary>
    public int[] Shape { get; }
}

/// <summary>The input as a vector of all its values in NHWC order (Reshape to one dimension). Moves no data.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>ONNX QuantizeLinear of a float tensor: saturate(round_half_to_even(x / Scale) + ZeroPoint).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class QuantizeAttribute : LayerAttribute
{
    /// <summary>Scale of the output. Must be finite and positive.</summary>
    public float Scale { get; set; }

    /// <summary>Zero point of the output.</summary>
    public int ZeroPoint { get; set; }

    /// <summary>Type of the output: <see cref="QuantType.UInt8"/> (default) or <see cref="QuantType.Int8"/>.</summary>
    public QuantType OutputType { get; set; } = QuantType.UInt8;
}

/// <summary>ONNX DequantizeLinear of an 8-bit (or int32) tensor to float: (q - zero point) * scale.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DequantizeAttribute : LayerAttribute
{
}

/// <summary>
/// Moves a tensor to another scale and zero point (TFLite Requantize; a Dequantize-Quantize pair): each value through
/// <see cref="KernelGen.Quantization.Rescale"/> in the model's scheme. Directly after a layer with weights whose output
/// nothing else reads, it is folded into that layer (the layer requantizes its accumulators straight to this scale, one
/// rounding instead of two, as Glow does) and compiles to the same kernels as the layer declared with this output.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class RequantizeAttribute : LayerAttribute
{
    /// <summary>Scale of the output. Must be finite and positive.</summary>
    public float OutputScale { get; set; }

    /// <summary>Zero point of the output.</summary>
    public int OutputZeroPoint { get; set; }

    /// <summary>Type of the output: not set, the input's; <see cref="QuantType.UInt8"/> or <see cref="QuantType.Int8"/>.</summary>
    public QuantType OutputType { get; set; } = QuantType.UInt8;
}

/// <summary>
/// ReLU on a quantized tensor (TFLite RELU without a rescale): each value clamped below at the quantized 0 of its own
/// scale and zero point. Directly after a layer with an output clamp whose output nothing else reads, it is fused into
/// that clamp and costs nothing; the result is the same either way.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ReluAttribute : LayerAttribute
{
}

/// <summary>ReLU6 on a quantized tensor: each value clamped to [quantized 0, quantized 6]; fused like <see cref="ReluAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class Relu6Attribute : LayerAttribute
{
}
