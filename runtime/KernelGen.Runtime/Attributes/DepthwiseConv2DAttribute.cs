using System;

namespace KernelGen;

/// <summary>
/// A depthwise 2-D convolution (TFLite DepthwiseConv2D; ONNX QLinearConv with group = channels): each input channel c is
/// convolved with its own <see cref="DepthMultiplier"/> filters, giving output channels c * DepthMultiplier + m.
/// Padding reads as the input zero point.
/// </summary>
/// <remarks>
/// Weights are TFLite's depthwise layout without the leading 1: [kernelHeight, kernelWidth, channels * DepthMultiplier],
/// so weight (i, j, o) is element <c>(i * kernelWidth + j) * outputChannels + o</c>. Scales and zero points are per tensor
/// or per output channel.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DepthwiseConv2DAttribute : WeightedLayerAttribute
{
    /// <summary>Declares a depthwise convolution with a <paramref name="kernelHeight"/> x <paramref name="kernelWidth"/>
    /// kernel; the channels come from the input tensor.</summary>
    public DepthwiseConv2DAttribute(int kernelHeight, int kernelWidth)
    {
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>Kernel rows.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel columns.</summary>
    public int KernelWidth { get; }

    /// <summary>Filters per input channel; default 1.</summary>
    public int DepthMultiplier { get; set; } = 1;

    /// <summary>Stride {height, width}; default {1, 1}.</summary>
    public int[]? Strides { get; set; }

    /// <summary>Dilation {height, width}; default {1, 1}.</summary>
    public int[]? Dilations { get; set; }

    /// <summary><see cref="KernelGen.Padding.Valid"/> (default) or <see cref="KernelGen.Padding.Same"/>; ignored when
    /// <see cref="Pads"/> is set.</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Explicit padding {top, left, bottom, right}.</summary>
    public int[]? Pads { get; set; }
}
