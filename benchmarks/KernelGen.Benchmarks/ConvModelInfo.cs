using System;
using System.Linq;
using System.Reflection;
using KernelGen;
using KernelGen.Reference;

namespace KernelGen.Benchmarks;

/// <summary>
/// Reads a one-layer convolution model's [QuantizedModel] / [Conv2D] or [DepthwiseConv2D] declaration back by
/// reflection, with the weights from its static readonly field, so the ONNX Runtime baseline computes the very layer
/// KernelGen compiled. Tensors are NHWC on the KernelGen side and NCHW on the ONNX side.
/// </summary>
internal sealed class ConvModelInfo
{
    private ConvModelInfo(Type type) => Type = type;

    public Type Type { get; }

    /// <summary>"Conv2D" or "DepthwiseConv2D".</summary>
    public string Op { get; private init; } = "";

    public int Height { get; private init; }
    public int Width { get; private init; }
    public int Channels { get; private init; }
    public int OutputChannels { get; private init; }
    public int KernelHeight { get; private init; }
    public int KernelWidth { get; private init; }
    public int[] Strides { get; private init; } = [];
    public int[] Dilations { get; private init; } = [];

    /// <summary>{top, left, bottom, right}: the declared Pads, or the ones Padding implies.</summary>
    public int[] Pads { get; private init; } = [];

    /// <summary>ONNX group: 1 for Conv2D (unless declared), the channel count for a depthwise convolution.</summary>
    public int Groups { get; private init; }

    public int OutputHeight { get; private init; }
    public int OutputWidth { get; private init; }

    /// <summary>The weights as declared (OHWI for Conv2D, [kh, kw, C * M] for DepthwiseConv2D).</summary>
    public sbyte[] Weights { get; private init; } = [];

    /// <summary>The same weights as ONNX wants them: OIHW, [M, C / group, kH, kW].</summary>
    public sbyte[] OnnxWeights { get; private init; } = [];

    public float[] WeightScales { get; private init; } = [];
    public float InputScale { get; private init; }
    public int InputZeroPoint { get; private init; }
    public float OutputScale { get; private init; }
    public int OutputZeroPoint { get; private init; }
    public Activation Activation { get; private init; }
    public RequantizationScheme Scheme { get; private init; }

    public int InputSize => Height * Width * Channels;

    public int OutputSize => OutputHeight * OutputWidth * OutputChannels;

    public static ConvModelInfo Of(Type type)
    {
        QuantizedModelAttribute model = type.GetCustomAttribute<QuantizedModelAttribute>()
            ?? throw new InvalidOperationException($"{type.Name} has no [QuantizedModel].");
        if (model.ActivationType != QuantType.UInt8 || model.Layout != TensorLayout.Nhwc || model.Height == 0)
            throw new NotSupportedException($"{type.Name}: the convolution benchmarks use a uint8 NHWC feature-map input.");

        WeightedLayerAttribute[] layers = type.GetCustomAttributes<LayerAttribute>().Cast<WeightedLayerAttribute>().ToArray();
        if (layers.Length != 1)
            throw new NotSupportedException($"{type.Name}: the convolution benchmarks have exactly one layer.");
        WeightedLayerAttribute layer = layers[0];
        if (layer.WeightType != QuantType.Int8 || layer.Weights is null || layer.Bias is not null || layer.BiasFile is not null
            || layer.WeightZeroPoint != 0 || layer.WeightZeroPoints is not null || layer.OutputType != QuantType.UInt8)
            throw new NotSupportedException($"{type.Name}: the baseline supports int8 symmetric weights from a field, no bias, uint8 output.");
        // ReLU needs no node: with output zero point 0, QLinearConv's saturation to [0, 255] is the ReLU.
        if (layer.Activation != Activation.None && (layer.Activation != Activation.Relu || layer.OutputZeroPoint != 0))
            throw new NotSupportedException($"{type.Name}: only ReLU with output zero point 0 maps to a bare QLinearConv.");

        var weights = (sbyte[])(type.GetField(layer.Weights, BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            ?.GetValue(null) ?? throw new InvalidOperationException($"{type.Name}.{layer.Weights} not found."));

        int h = model.Height, w = model.Width, c = model.Channels;
        string op;
        int outputChannels, kh, kw, groups;
        int[]? strides, dilations, pads;
        Padding padding;
        sbyte[] onnx;
        switch (layer)
        {
            case Conv2DAttribute conv:
                op = "Conv2D";
                (outputChannels, kh, kw, groups) = (conv.OutputChannels, conv.KernelHeight, conv.KernelWidth, conv.Groups);
                (strides, dilations, pads, padding) = (conv.Strides, conv.Dilations, conv.Pads, conv.Padding);
                int cg = c / groups;
                Expect(type, weights.Length == outputChannels * kh * kw * cg, "weight count");
                // OHWI [O, kh, kw, C/g] -> OIHW [O, C/g, kh, kw]
                onnx = new sbyte[weights.Length];
                for (int o = 0; o < outputChannels; o++)
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++)
                            for (int ci = 0; ci < cg; ci++)
                                onnx[((o * cg + ci) * kh + i) * kw + j] = weights[((o * kh + i) * kw + j) * cg + ci];
                break;
            case DepthwiseConv2DAttribute dw:
                op = "DepthwiseConv2D";
                (outputChannels, kh, kw, groups) = (c * dw.DepthMultiplier, dw.KernelHeight, dw.KernelWidth, c);
                (strides, dilations, pads, padding) = (dw.Strides, dw.Dilations, dw.Pads, dw.Padding);
                Expect(type, weights.Length == kh * kw * outputChannels, "weight count");
                // [kh, kw, C*M] -> [C*M, 1, kh, kw]; output channel c * M + m reads input channel c, which is ONNX's
                // grouping with group = C (M outputs per group).
                onnx = new sbyte[weights.Length];
                for (int o = 0; o < outputChannels; o++)
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++)
                            onnx[(o * kh + i) * kw + j] = weights[(i * kw + j) * outputChannels + o];
                break;
            default:
                throw new NotSupportedException($"{type.Name}: {layer.GetType().Name} is not a convolution.");
        }

        strides ??= [1, 1];
        dilations ??= [1, 1];
        if (pads is null)
        {
            ConvolutionGeometry.Pads(padding, h, kh, strides[0], dilations[0], out int top, out int bottom);
            ConvolutionGeometry.Pads(padding, w, kw, strides[1], dilations[1], out int left, out int right);
            pads = [top, left, bottom, right];
        }
        float[] scales = layer.WeightScales ?? Enumerable.Repeat(layer.WeightScale, outputChannels).ToArray();
        Expect(type, scales.Length == outputChannels, "weight scale count");

        return new ConvModelInfo(type)
        {
            Op = op,
            Height = h,
            Width = w,
            Channels = c,
            OutputChannels = outputChannels,
            KernelHeight = kh,
            KernelWidth = kw,
            Strides = strides,
            Dilations = dilations,
            Pads = pads,
            Groups = groups,
            OutputHeight = ConvolutionGeometry.OutputSize(h, kh, strides[0], dilations[0], pads[0], pads[2]),
            OutputWidth = ConvolutionGeometry.OutputSize(w, kw, strides[1], dilations[1], pads[1], pads[3]),
            Weights = weights,
            OnnxWeights = onnx,
            WeightScales = scales,
            InputScale = model.InputScale,
            InputZeroPoint = model.InputZeroPoint,
            OutputScale = layer.OutputScale,
            OutputZeroPoint = layer.OutputZeroPoint,
            Activation = layer.Activation,
            Scheme = model.Requantization,
        };
    }

    /// <summary>
    /// The runtime's reference layer for the declaration (plain loops, nothing shared with the generator): an independent
    /// check of the ONNX model, whether or not the generated code is right.
    /// </summary>
    public IReferenceLayer ReferenceLayer()
    {
        byte[] raw = System.Runtime.InteropServices.MemoryMarshal.AsBytes(Weights.AsSpan()).ToArray();
        int[] zeroPoints = new int[OutputChannels];
        return Op == "Conv2D"
            ? new Conv2DReferenceLayer(Height, Width, Channels, OutputChannels, KernelHeight, KernelWidth, Strides, Dilations, Pads, Groups,
                QuantType.UInt8, InputScale, InputZeroPoint, QuantType.Int8, raw, WeightScales, zeroPoints, null,
                OutputScale, OutputZeroPoint, Activation, scheme: Scheme)
            : new DepthwiseConv2DReferenceLayer(Height, Width, Channels, OutputChannels / Channels, KernelHeight, KernelWidth, Strides, Dilations, Pads,
                QuantType.UInt8, InputScale, InputZeroPoint, QuantType.Int8, raw, WeightScales, zeroPoints, null,
                OutputScale, OutputZeroPoint, Activation, scheme: Scheme);
    }

    /// <summary>The generated <c>ActivePath</c> of the model class.</summary>
    public KernelPath ActivePath => ModelInfo.ActivePathOf(Type);

    public string Describe() =>
        $"{Type.Name}: {Op} {Height}x{Width}x{Channels} -> {OutputHeight}x{OutputWidth}x{OutputChannels}, {KernelHeight}x{KernelWidth}, " +
        $"stride {Strides[0]}x{Strides[1]}, pads [{string.Join(", ", Pads)}], group {Groups}, {Activation}, {Scheme} requantization";

    private static void Expect(Type type, bool ok, string what)
    {
        if (!ok)
            throw new InvalidOperationException($"{type.Name}: {what} does not match the declaration.");
    }
}
