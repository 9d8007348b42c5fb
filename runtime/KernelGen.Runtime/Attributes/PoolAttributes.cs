using System;

namespace KernelGen;

/// <summary>What the windowed pools share: window, stride, padding, and the output's quantization.</summary>
/// <remarks>
/// With no OutputScale the output keeps the input's scale and zero point and no rescale is done. With one, each
/// pooled value is rescaled to it in the model's requantization scheme (Glow's rule: a monotone rescale commutes with
/// the max, so MaxPool rescales once after comparing).
/// </remarks>
public abstract class PoolLayerAttribute : LayerAttribute
{
    /// <summary>Creates a pool over a <paramref name="height"/> x <paramref name="width"/> window.</summary>
    protected PoolLayerAttribute(int height, int width)
    {
        WindowHeight = height;
        WindowWidth = width;
    }

    /// <summary>Window rows.</summary>
    public int WindowHeight { get; }

    /// <summary>Window columns.</summary>
    public int WindowWidth { get; }

    /// <summary>Stride {height, width}; default: the window size.</summary>
    public int[]? Strides { get; set; }

    /// <summary><see cref="KernelGen.Padding.Valid"/> (default) or <see cref="KernelGen.Padding.Same"/>; ignored when
    /// <see cref="Pads"/> is set. Padded positions are left out of the max and of the average's count (TFLite).</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Explicit padding {top, left, bottom, right}.</summary>
    public int[]? Pads { get; set; }

    /// <summary>Scale of the output; not set: the input's (no rescale).</summary>
    public float OutputScale { get; set; }

    /// <summary>Zero point of the output; not set: the input's.</summary>
    public int OutputZeroPoint { get; set; }

    /// <summary>Activation folded into the output clamp.</summary>
    public Activation Activation { get; set; } = Activation.None;
}

/// <summary>Max over each window, per channel (TFLite MaxPool2D, ONNX MaxPool on quantized values).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class MaxPoolAttribute : PoolLayerAttribute
{
    /// <summary>Declares a max pool over a <paramref name="height"/> x <paramref name="width"/> window.</summary>
    public MaxPoolAttribute(int height, int width) : base(height, width) { }
}

/// <summary>
/// Average over each window, per channel, as TFLite's integer AveragePool computes it: the sum of the in-bounds values
/// divided by their count, rounded half away from zero.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class AveragePoolAttribute : PoolLayerAttribute
{
    /// <summary>Declares an average pool over a <paramref name="height"/> x <paramref name="width"/> window.</summary>
    public AveragePoolAttribute(int height, int width) : base(height, width) { }
}

/// <summary>Average over the whole height and width, per channel: output 1 x 1 x channels (ONNX GlobalAveragePool).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePoolAttribute : LayerAttribute
{
    /// <summary>Scale of the output; not set: the input's (no rescale).</summary>
    public float OutputScale { get; set; }

    /// <summary>Zero point of the output; not set: the input's.</summary>
    public int OutputZeroPoint { get; set; }
}
