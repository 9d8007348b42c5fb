using System;

namespace KernelGen;

/// <summary>
/// A fully connected layer: out[j] = clamp(z_out + requantize(bias[j] + Σ_k (x[k] - z_in) * (w[j, k] - z_w[j]))).
/// Applied to a class that carries <see cref="QuantizedModelAttribute"/>; layers run in declaration order and each
/// layer's input is the previous layer's output (scale, zero point and type included).
/// </summary>
/// <remarks>
/// Weights are row-major [outputs, inputs] (TFLite's FullyConnected filter layout): weight (j, k) is element
/// <c>j * inputs + k</c>. They come from exactly one of <see cref="Weights"/> (a static readonly <c>sbyte[]</c> or
/// <c>byte[]</c> field of the class with a constant initializer) or <see cref="WeightsFile"/> (a binary file passed as an
/// MSBuild <c>AdditionalFiles</c> item, one byte per weight). The bias is optional; when present it comes from
/// <see cref="Bias"/> (a static readonly <c>int[]</c> field) or <see cref="BiasFile"/> (little-endian int32 values).
/// Its scale is input scale * weight scale and its zero point is 0.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
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

    /// <summary>Name used in diagnostics and generated member names; defaults to <c>Dense{index}</c>. A C# identifier.</summary>
    public string? Name { get; set; }

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
}
