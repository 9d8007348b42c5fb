using System.Collections.Generic;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Validates a [DepthwiseConv2D] declaration and folds it: the geometry (strides, dilations, padding resolved to explicit
/// pads), the weights less their zero points in tap-major order, the bias, and the requantization step.
/// </summary>
internal static class DepthwiseConv2DPlanningRule
{
    private const int MaxSize = PlanningChecks.MaxSize;

    public static DepthwiseConv2DLayerPlan? Plan(DepthwiseConv2DLayerSpec layer, LayerContext context, out Tensor output)
    {
        List<DiagnosticInfo> diagnostics = context.Diagnostics;
        string name = layer.DisplayName;
        Tensor input = context.Input;
        WeightSpec spec = layer.Weights;
        int before = diagnostics.Count;

        bool valid = true;
        valid &= PlanningChecks.Size(name, "KernelHeight", layer.KernelHeight, MaxSize, layer.LocationOf("#0"), diagnostics);
        valid &= PlanningChecks.Size(name, "KernelWidth", layer.KernelWidth, MaxSize, layer.LocationOf("#1"), diagnostics);
        valid &= PlanningChecks.Size(name, "DepthMultiplier", layer.DepthMultiplier, MaxSize, layer.LocationOf("DepthMultiplier"), diagnostics);
        int[]? strides = Pair(layer, "Strides", layer.Strides, "stride", context);
        int[]? dilations = Pair(layer, "Dilations", layer.Dilations, "dilation", context);
        int[]? explicitPads = null;
        if (layer.Pads is { } pads)
        {
            if (pads.Length != 4)
                Geometry(layer, "Pads", $"Pads has {pads.Length} entries; it takes 4, {{top, left, bottom, right}}", context);
            else if (pads[0] < 0 || pads[1] < 0 || pads[2] < 0 || pads[3] < 0)
                Geometry(layer, "Pads", $"Pads {{{pads[0]}, {pads[1]}, {pads[2]}, {pads[3]}}} must not be negative", context);
            else
                explicitPads = pads.AsSpan().ToArray();
        }
        else if (layer.Padding is not ((int)KernelGen.Padding.Valid or (int)KernelGen.Padding.Same))
        {
            Geometry(layer, "Padding", $"Padding value {layer.Padding} is neither Valid nor Same", context);
        }

        bool featureMap = input.IsFeatureMap;
        if (!featureMap)
        {
            Geometry(layer, "Input", $"it needs a feature map (height x width x channels), but its input ({input.Producer}) is a vector of {input.Elements}; declare the model input as QuantizedModel(height, width, channels)", context);
        }

        int channels = input.Channels;
        long outputChannels = (long)channels * layer.DepthMultiplier;
        int outputHeight = 0, outputWidth = 0;
        int[] resolvedPads = { 0, 0, 0, 0 };
        bool geometry = valid && featureMap && input.Valid && strides is not null && dilations is not null && diagnostics.Count == before;
        if (geometry && outputChannels > MaxSize)
        {
            context.Report(DiagnosticDescriptors.InvalidSize, layer.LocationOf("DepthMultiplier"), name, "channels x DepthMultiplier", outputChannels, MaxSize);
            geometry = false;
        }
        if (geometry)
        {
            geometry = Axis(layer, "#0", "Height", input.Height, layer.KernelHeight, strides![0], dilations![0], explicitPads, 0, 2, resolvedPads, out outputHeight, context)
                & Axis(layer, "#1", "Width", input.Width, layer.KernelWidth, strides[1], dilations[1], explicitPads, 1, 3, resolvedPads, out outputWidth, context);
        }
        if (geometry && (long)outputHeight * outputWidth * outputChannels > Tensor.MaxElements)
        {
            context.Report(DiagnosticDescriptors.InvalidSize, layer.Location, name, "output elements", (long)outputHeight * outputWidth * outputChannels, Tensor.MaxElements);
            geometry = false;
        }

        QuantType outputType = spec.OutputType is { } declared && (declared is QuantType.Int32 || Quantization.QuantizationMath.IsEightBit(declared))
            ? declared
            : input.Type is QuantType.Int8 ? QuantType.Int8 : QuantType.UInt8;
        // An invalid layer still produces a tensor: an invalid shape, so later layers do not report it again.
        EquatableArray<int> shape = geometry
            ? new[] { outputHeight, outputWidth, (int)outputChannels }.ToEquatableArray()
            : new[] { 0, 0, 0 }.ToEquatableArray();
        output = context.Output(layer, shape, outputType,
            outputType == QuantType.Int32 ? 1f : spec.OutputScale, outputType == QuantType.Int32 ? 0 : spec.OutputZeroPoint);

        int oc = geometry ? (int)outputChannels : 1;
        long weightCount = (long)layer.KernelHeight * layer.KernelWidth * oc;
        WeightedLayer? resolved = WeightedPlanning.Resolve(layer, spec, oc, weightCount,
            $"a {layer.KernelHeight}x{layer.KernelWidth} kernel x {oc} output channels", geometry, context);
        if (resolved is null || !geometry)
            return null;

        int padded = (oc + 7) / 8 * 8;
        int taps = layer.KernelHeight * layer.KernelWidth;
        var folded = new short[taps * padded];
        for (int t = 0; t < taps; t++)
        {
            for (int o = 0; o < oc; o++)
                folded[t * padded + o] = (short)(resolved.Weights[t * oc + o] - resolved.ZeroPointOf(o));
        }
        var bias = new int[padded];
        if (resolved.Bias is { } declaredBias)
            System.Array.Copy(declaredBias, bias, oc);

        var reference = new DenseReferencePlan(
            input.Scale,
            input.ZeroPoint,
            resolved.WeightType,
            resolved.Scales.ToEquatableArray(),
            resolved.PerChannelScales,
            resolved.ZeroPoints.ToEquatableArray(),
            spec.OutputScale,
            spec.Activation,
            resolved.Bias is null ? EquatableArray<int>.Empty : resolved.Bias.ToEquatableArray(),
            resolved.Bias is not null,
            context.Scheme);

        return new DepthwiseConv2DLayerPlan(
            layer.Index,
            layer.Name,
            context.Identifier,
            new[] { input.Id }.ToEquatableArray(),
            context.OutputId,
            input.Height,
            input.Width,
            channels,
            layer.DepthMultiplier,
            layer.KernelHeight,
            layer.KernelWidth,
            strides![0],
            strides[1],
            dilations![0],
            dilations[1],
            resolvedPads.ToEquatableArray(),
            outputHeight,
            outputWidth,
            input.Signed,
            folded.ToEquatableArray(),
            bias.ToEquatableArray(),
            resolved.Requantization,
            reference);
    }

    /// <summary>A {height, width} pair, default {1, 1}; null after KG0025.</summary>
    private static int[]? Pair(DepthwiseConv2DLayerSpec layer, string argument, EquatableArray<int>? values, string what, LayerContext context)
    {
        if (values is not { } pair)
            return new[] { 1, 1 };
        if (pair.Length != 2)
        {
            Geometry(layer, argument, $"{argument} has {pair.Length} entries; it takes 2, {{height, width}}", context);
            return null;
        }
        if (pair[0] < 1 || pair[1] < 1)
        {
            Geometry(layer, argument, $"the {what} {{{pair[0]}, {pair[1]}}} must be positive", context);
            return null;
        }
        return new[] { pair[0], pair[1] };
    }

    private static bool Axis(
        DepthwiseConv2DLayerSpec layer, string kernelArgument, string axis, int input, int kernel, int stride, int dilation,
        int[]? explicitPads, int before, int after, int[] pads, out int output, LayerContext context)
    {
        output = 0;
        if (explicitPads is not null)
        {
            pads[before] = explicitPads[before];
            pads[after] = explicitPads[after];
        }
        else if (layer.Padding == (int)KernelGen.Padding.Same)
        {
            long span = (long)(kernel - 1) * dilation + 1;
            long total = ((long)input + stride - 1) / stride - 1;
            total = total * stride + span - input;
            if (span > int.MaxValue || total > int.MaxValue)
            {
                Geometry(layer, kernelArgument, $"{axis}: the dilated kernel or its SAME padding overflows an int", context);
                return false;
            }
            ConvolutionGeometry.SamePadding(input, kernel, stride, dilation, out pads[before], out pads[after]);
        }
        if (ConvolutionGeometry.TryValidate(input, kernel, stride, dilation, pads[before], pads[after], out output, out string? reason))
            return true;
        // The undilated kernel fits but the dilated one does not: the dilation is at fault.
        bool dilationAtFault = dilation > 1 && (long)input + pads[before] + pads[after] >= kernel && layer.Has("Dilations");
        Geometry(layer, dilationAtFault ? "Dilations" : kernelArgument, $"{axis}: {reason}", context);
        return false;
    }

    private static void Geometry(DepthwiseConv2DLayerSpec layer, string argument, string message, LayerContext context)
        => context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf(argument), layer.DisplayName, message);
}
