using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Reflection;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>The kind of multiply-add a model's kernels run, which picks the register-only limit its rows are held to.</summary>
internal enum MacKind
{
    /// <summary>u8 x s8 dot products (Dense, Conv2D): vpmaddubsw + vpmaddwd, the exact int16 widening, or vpdpbusd.</summary>
    DotProduct,

    /// <summary>Depthwise: one product per tap and channel, in int32 lanes (vpmulld + vpaddd).</summary>
    Int32Lanes,
}

/// <summary>
/// What the columns need to know about a benchmark class's model, read from its declaration (attributes and weight
/// fields) in the host process: multiply-adds per row, the weight range, the kind of multiply-add.
/// </summary>
internal sealed record ModelFacts(Type Model, long MacsPerRow, int MaxAbsWeight, MacKind Kind, bool PeerRows)
{
    private static readonly ConcurrentDictionary<Type, ModelFacts?> Cache = new();

    /// <summary>Whether the generator's vpmaddubsw proof must accept every layer: |w| &lt;= 63, so 255 * (|a| + |b|) &lt;= 32130.</summary>
    public bool ProofAccepted => MaxAbsWeight <= 63;

    /// <summary>The Weights column: the range and what the AVX2 / AVX-512BW kernels do with it.</summary>
    public string WeightsLabel => Kind == MacKind.Int32Lanes ? $"±{MaxAbsWeight} (int32)"
        : ProofAccepted ? $"±{MaxAbsWeight} (proof)" : $"±{MaxAbsWeight} (exact)";

    /// <summary>The facts of the model a benchmark class names with [KernelGenModel], or null (the limit benchmarks).</summary>
    public static ModelFacts? Of(Type benchmarkType) => Cache.GetOrAdd(benchmarkType, static t =>
    {
        var attribute = t.GetCustomAttribute<KernelGenModelAttribute>();
        return attribute is null ? null : Read(attribute.Model, attribute.PeerRows);
    });

    /// <summary>
    /// Walks the declared layers in declaration order (the order the attributes are emitted in, which the generated
    /// InputSize / OutputSize check) and sums the multiply-adds one row (one image) costs: Dense K * N; Conv2D
    /// OH * OW * O * kH * kW * C / group; DepthwiseConv2D OH * OW * C * M * kH * kW. Pools, Flatten and requantization are
    /// not multiply-adds.
    /// </summary>
    private static ModelFacts Read(Type model, bool peerRows)
    {
        QuantizedModelAttribute declaration = model.GetCustomAttribute<QuantizedModelAttribute>()
            ?? throw new InvalidOperationException($"{model.Name} has no [QuantizedModel].");
        int h = declaration.Height, w = declaration.Width, c = declaration.Channels;
        int flat = declaration.Height == 0 ? declaration.InputSize : h * w * c;
        long macs = 0;
        int maxAbs = 0;
        MacKind kind = MacKind.DotProduct;
        foreach (LayerAttribute layer in model.GetCustomAttributes<LayerAttribute>())
        {
            switch (layer)
            {
                case DenseAttribute dense:
                    macs += (long)dense.Inputs * dense.Outputs;
                    (h, w, c, flat) = (0, 0, 0, dense.Outputs);
                    break;
                case Conv2DAttribute conv:
                {
                    (int oh, int ow) = Output(h, w, conv.KernelHeight, conv.KernelWidth, conv.Strides, conv.Dilations, conv.Pads, conv.Padding);
                    macs += (long)oh * ow * conv.OutputChannels * conv.KernelHeight * conv.KernelWidth * (c / conv.Groups);
                    (h, w, c) = (oh, ow, conv.OutputChannels);
                    flat = h * w * c;
                    break;
                }
                case DepthwiseConv2DAttribute dw:
                {
                    (int oh, int ow) = Output(h, w, dw.KernelHeight, dw.KernelWidth, dw.Strides, dw.Dilations, dw.Pads, dw.Padding);
                    macs += (long)oh * ow * c * dw.DepthMultiplier * dw.KernelHeight * dw.KernelWidth;
                    (h, w, c) = (oh, ow, c * dw.DepthMultiplier);
                    flat = h * w * c;
                    kind = MacKind.Int32Lanes;
                    break;
                }
                case PoolLayerAttribute pool:
                {
                    (int oh, int ow) = Output(h, w, pool.WindowHeight, pool.WindowWidth, pool.Strides ?? [pool.WindowHeight, pool.WindowWidth],
                        null, pool.Pads, pool.Padding);
                    (h, w) = (oh, ow);
                    flat = h * w * c;
                    break;
                }
                case FlattenAttribute:
                    (h, w, c) = (0, 0, 0);
                    break;
                default:
                    throw new NotSupportedException($"{model.Name}: ModelFacts does not count {layer.GetType().Name} layers.");
            }

            if (layer is WeightedLayerAttribute weighted && weighted.Weights is not null)
            {
                var weights = (sbyte[])model.GetField(weighted.Weights, BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)!.GetValue(null)!;
                maxAbs = Math.Max(maxAbs, weights.Max(v => Math.Abs((int)v)));
            }
        }

        int outputSize = (int)model.GetField("OutputSize", BindingFlags.Static | BindingFlags.Public)!.GetValue(null)!;
        if (outputSize != flat)
            throw new InvalidOperationException($"{model.Name}: the layer walk ends at {flat} values, the generated OutputSize is {outputSize}.");
        return new ModelFacts(model, macs, maxAbs, kind, peerRows);
    }

    private static (int Height, int Width) Output(int h, int w, int kh, int kw, int[]? strides, int[]? dilations, int[]? pads, Padding padding)
    {
        strides ??= [1, 1];
        dilations ??= [1, 1];
        int top, bottom, left, right;
        if (pads is null)
        {
            ConvolutionGeometry.Pads(padding, h, kh, strides[0], dilations[0], out top, out bottom);
            ConvolutionGeometry.Pads(padding, w, kw, strides[1], dilations[1], out left, out right);
        }
        else
        {
            (top, left, bottom, right) = (pads[0], pads[1], pads[2], pads[3]);
        }
        return (ConvolutionGeometry.OutputSize(h, kh, strides[0], dilations[0], top, bottom),
            ConvolutionGeometry.OutputSize(w, kw, strides[1], dilations[1], left, right));
    }
}
