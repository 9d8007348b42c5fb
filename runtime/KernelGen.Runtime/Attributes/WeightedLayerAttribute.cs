using System;

namespace KernelGen;

/// <summary>
/// What the layers with weights (<see cref="DenseAttribute"/>, <see cref="Conv2DAttribute"/>,
/// <see cref="DepthwiseConv2DAttribute"/>) share: the weights and their quantization, the optional bias, and the output.
/// </summary>
/// <remarks>
/// Weights come from exactly one of <see cref="Weights"/> (a static readonly <c>sbyte[]</c> or <c>byte[]</c> field of the
/// class with a constant initializer) or <see cref="WeightsFile"/> (a binary file passed as an MSBuild
/// <c>AdditionalFiles</c> item, one byte per weight); each op documents its weight layout. The bias is optional; when
/// present it comes from <see cref="Bias"/> (a static readonly <c>int[]</c> field) or <see cref="BiasFile"/>
/// (little-endian int32 values), one per output channel, with scale input scale * weight scale and zero point 0.
/// </remarks>
public abstract class WeightedLayerAttribute : LayerAttribute
{
    /// <summary>Name of a static readonly <c>sbyte[]</c> (Int8) or <c>byte[]</c> (UInt8) field holding the weights.</summary>
    public string? Weights { get; set; }

    /// <summary>Path (as given in AdditionalFiles, matched on its trailing components) of a binary weights file.</summary>
    public string? WeightsFile { get; set; }

    /// <summary>Weight element type: <see cref="QuantType.Int8"/> (default) or <see cref="QuantType.UInt8"/>.</summary>
    public QuantType WeightType { get; set; } = QuantType.Int8;

    /// <summary>Per-tensor weight scale. Use <see cref="WeightScales"/> instead for per-output-channel scales.</summary>
    public float WeightScale { get; set; }

    /// <summary>Per-output-channel weight scales, one per output.</summary>
    public float[]? WeightScales { get; set; }

    /// <summary>Per-tensor weight zero point (0, symmetric, is the common case).</summary>
    public int WeightZeroPoint { get; set; }

    /// <summary>Per-output-channel weight zero points, one per output.</summary>
    public int[]? WeightZeroPoints { get; set; }

    /// <summary>Name of a static readonly <c>int[]</c> field holding one bias per output.</summary>
    public string? Bias { get; set; }

    /// <summary>Path of a binary bias file: one little-endian int32 per output.</summary>
    public string? BiasFile { get; set; }

    /// <summary>Scale of this layer's output. Must be finite and positive.</summary>
    public float OutputScale { get; set; }

    /// <summary>Zero point of this layer's output, inside the model's activation type range.</summary>
    public int OutputZeroPoint { get; set; }

    /// <summary>Activation folded into the output clamp.</summary>
    public Activation Activation { get; set; } = Activation.None;

    /// <summary>Type of the output: <see cref="QuantType.UInt8"/> or <see cref="QuantType.Int8"/> (not set: the input's
    /// type), or <see cref="QuantType.Int32"/> for the raw accumulators with no requantization (ONNX MatMulInteger; the
    /// output scale, zero point and activation are then not set).</summary>
    public QuantType OutputType { get; set; } = QuantType.UInt8;
}
