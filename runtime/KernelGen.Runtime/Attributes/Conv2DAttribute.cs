using System;

namespace KernelGen;

/// <summary>
/// A 2-D convolution over an NHWC feature map (TFLite Conv2D, ONNX QLinearConv; with <c>OutputType = Int32</c>, ONNX
/// ConvInteger): out[y, x, o] = clamp(z_out + requantize(bias[o] + Σ (in[y*s + i*d - pad, x*s + j*d - pad, c] - z_in) *
/// (w[o, i, j, c] - z_w[o]))), the sum over the kernel window and the input channels of o's group. Padding reads as
/// the input zero point (the real value 0).
/// </summary>
/// <remarks>
/// Weights are OHWI, TFLite's filter layout: [outputChannels, kernelHeight, kernelWidth, inputChannels / Groups], so
/// weight (o, i, j, c) is element <c>((o * kernelHeight + i) * kernelWidth + j) * (inputChannels / Groups) + c</c>.
/// (ONNX's OIHW weights need a transpose first.) Output channel o belongs to group o / (outputChannels / Groups).
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : WeightedLayerAttribute
{
    /// <summary>Declares a convolution with <paramref name="outputChannels"/> filters of
    /// <paramref name="kernelHeight"/> x <paramref name="kernelWidth"/>; the input channels come from the input tensor.</summary>
    public Conv2DAttribute(int outputChannels, int kernelHeight, int kernelWidth)
    {
        OutputChannels = outputChannels;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>Filters, the output's channels.</summary>
    public int OutputChannels { get; }

    /// <summary>Kernel rows.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel columns.</summary>
    public int KernelWidth { get; }

    /// <summary>Stride {height, width}; default {1, 1}.</summary>
    public int[]? Strides { get; set; }

    /// <summary>Dilation {height, width}; default {1, 1}.</summary>
    public int[]? Dilations { get; set; }

    /// <summary><see cref="KernelGen.Padding.Valid"/> (default) or <see cref="KernelGen.Padding.Same"/>; ignored when
    /// <see cref="Pads"/> is set.</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Explicit padding {top, left, bottom, right} (ONNX's pads reordered from {top, left, bottom, right} =
    /// {x1_begin, x2_begin, x1_end, x2_end}: the same order).</summary>
    public int[]? Pads { get; set; }

    /// <summary>Groups: input and output channels are split into this many groups, each convolved separately. Must
    /// divide both. Groups = input channels is a depthwise convolution; <see cref="DepthwiseConv2DAttribute"/> has a
    /// kernel of its own for it.</summary>
    public int Groups { get; set; } = 1;
}
