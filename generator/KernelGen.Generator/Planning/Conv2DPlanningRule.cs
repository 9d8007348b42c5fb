using System.Collections.Generic;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Kernels;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Validates a [Conv2D] declaration and folds it as an implicit GEMM: each output pixel and group is one row of
/// K = kh * kw * C / groups bytes (its receptive field, padding read as the input zero point) times the group's packed
/// weights, with the zero-point corrections folded into the bias exactly as for Dense.
/// </summary>
internal static class Conv2DPlanningRule
{
    private const int MaxSize = PlanningChecks.MaxSize;

    public static Conv2DLayerPlan? Plan(Conv2DLayerSpec layer, LayerContext context, out Tensor output)
    {
        List<DiagnosticInfo> diagnostics = context.Diagnostics;
        string name = layer.DisplayName;
        Tensor input = context.Input;
        WeightSpec spec = layer.Weights;
        int before = diagnostics.Count;

        int oc = layer.OutputChannels, kh = layer.KernelHeight, kw = layer.KernelWidth;
        bool sizesValid = true;
        sizesValid &= PlanningChecks.Size(name, "OutputChannels", oc, MaxSize, layer.LocationOf("#0"), diagnostics);
        sizesValid &= PlanningChecks.Size(name, "KernelHeight", kh, MaxSize, layer.LocationOf("#1"), diagnostics);
        sizesValid &= PlanningChecks.Size(name, "KernelWidth", kw, MaxSize, layer.LocationOf("#2"), diagnostics);
        int groups = layer.Groups;
        if (groups < 1 || groups > MaxSize)
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("Groups"), name, $"Groups ({groups}) must be at least 1");
            sizesValid = false;
        }

        int[]? strides = Pair(layer, "Strides", layer.Strides, context);
        int[]? dilations = Pair(layer, "Dilations", layer.Dilations, context);
        int[]? pads = null;
        if (layer.Pads is { } declaredPads)
        {
            if (declaredPads.Length != 4)
            {
                context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("Pads"), name,
                    $"Pads has {declaredPads.Length} values; it needs 4: {{top, left, bottom, right}}");
            }
            else if (declaredPads[0] < 0 || declaredPads[1] < 0 || declaredPads[2] < 0 || declaredPads[3] < 0)
            {
                context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("Pads"), name,
                    $"Pads {{{declaredPads[0]}, {declaredPads[1]}, {declaredPads[2]}, {declaredPads[3]}}} must not be negative");
            }
            else
            {
                pads = declaredPads.AsSpan().ToArray();
            }
        }
        else if (layer.Padding is not ((int)KernelGen.Padding.Valid or (int)KernelGen.Padding.Same))
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("Padding"), name,
                $"unknown Padding ({layer.Padding}): use Padding.Valid, Padding.Same or explicit Pads");
        }

        bool inputValid = input.Valid;
        if (input.Valid && !input.IsFeatureMap)
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, layer.InputLocation(0), name,
                $"a convolution reads a feature map (height x width x channels), but {input.Producer} produces a vector of {input.Elements} values");
            inputValid = false;
        }
        if (inputValid && groups >= 1 && (input.Channels % groups != 0 || (oc >= 1 && oc % groups != 0)))
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("Groups"), name,
                $"Groups ({groups}) must divide the input channels ({input.Channels}) and the output channels ({oc})");
            inputValid = false;
        }

        int oh = 0, ow = 0;
        bool geometryValid = sizesValid && inputValid && strides is not null && dilations is not null && diagnostics.Count == before;
        if (geometryValid)
        {
            if (pads is null)
            {
                pads = new int[4];
                var padding = (KernelGen.Padding)layer.Padding;
                if (strides![0] >= 1 && dilations![0] >= 1 && strides[1] >= 1 && dilations[1] >= 1)
                {
                    ConvolutionGeometry.Pads(padding, input.Height, kh, strides[0], dilations[0], out pads[0], out pads[2]);
                    ConvolutionGeometry.Pads(padding, input.Width, kw, strides[1], dilations[1], out pads[1], out pads[3]);
                }
            }
            geometryValid &= Axis(layer, "height", input.Height, kh, strides![0], dilations![0], pads[0], pads[2], out oh, context);
            geometryValid &= Axis(layer, "width", input.Width, kw, strides[1], dilations[1], pads[1], pads[3], out ow, context);
        }

        long rowInputs = geometryValid ? (long)kh * kw * (input.Channels / groups) : 0;
        if (geometryValid && (long)oc * rowInputs > Tensor.MaxElements)
        {
            context.Report(DiagnosticDescriptors.InvalidSize, layer.Location, name, "OutputChannels x KernelHeight x KernelWidth x input channels / Groups",
                (long)oc * rowInputs, Tensor.MaxElements);
            geometryValid = false;
        }
        if (geometryValid && (long)oh * ow * oc > Tensor.MaxElements)
        {
            context.Report(DiagnosticDescriptors.InvalidSize, layer.Location, name, "output height x width x channels", (long)oh * ow * oc, Tensor.MaxElements);
            geometryValid = false;
        }

        QuantType outputType = spec.OutputType is { } declared && (declared is QuantType.Int32 || Quantization.QuantizationMath.IsEightBit(declared))
            ? declared
            : input.Type is QuantType.Int8 ? QuantType.Int8 : QuantType.UInt8;
        output = context.Output(layer, new[] { oh, ow, sizesValid ? oc : 0 }.ToEquatableArray(), outputType,
            outputType == QuantType.Int32 ? 1f : spec.OutputScale, outputType == QuantType.Int32 ? 0 : spec.OutputZeroPoint);

        int cg = geometryValid ? input.Channels / groups : 0;
        string needs = geometryValid ? $"{oc} filters of {kh}x{kw}x{cg}" : "";
        WeightedLayer? resolved = WeightedPlanning.Resolve(layer, spec, oc, oc * rowInputs, needs, geometryValid, context);
        if (resolved is null || !geometryValid)
            return null;
        return Fold(layer, input, context, resolved, strides!, dilations!, pads!, oh, ow);
    }

    private static int[]? Pair(Conv2DLayerSpec layer, string argument, EquatableArray<int>? values, LayerContext context)
    {
        if (values is not { } pair)
            return new[] { 1, 1 };
        string what = argument == "Strides" ? "stride" : "dilation";
        if (pair.Length != 2)
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf(argument), layer.DisplayName,
                $"{argument} has {pair.Length} values; it needs 2: {{height, width}}");
            return null;
        }
        if (pair[0] < 1 || pair[1] < 1 || pair[0] > MaxSize || pair[1] > MaxSize)
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf(argument), layer.DisplayName,
                $"{argument} {{{pair[0]}, {pair[1]}}}: each {what} must be in [1, {MaxSize}]");
            return null;
        }
        return new[] { pair[0], pair[1] };
    }

    private static bool Axis(Conv2DLayerSpec layer, string axis, int input, int kernel, int stride, int dilation, int padBefore, int padAfter,
        out int output, LayerContext context)
    {
        if (ConvolutionGeometry.TryValidate(input, kernel, stride, dilation, padBefore, padAfter, out output, out string? reason))
            return true;
        string where = layer.Has("Pads") ? "Pads" : layer.Has("Dilations") ? "Dilations" : axis == "height" ? "#1" : "#2";
        context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf(where), layer.DisplayName, $"along the {axis}: {reason}");
        return false;
    }

    private static Conv2DLayerPlan Fold(
        Conv2DLayerSpec layer, Tensor input, LayerContext context, WeightedLayer resolved,
        int[] strides, int[] dilations, int[] pads, int oh, int ow)
    {
        int oc = layer.OutputChannels;
        int groups = layer.Groups;
        int kh = layer.KernelHeight, kw = layer.KernelWidth;
        int cg = input.Channels / groups;
        int ocg = oc / groups;
        int k = kh * kw * cg;
        int tableColumns = DensePacking.PaddedOutputs(ocg);
        int groupBytes = DensePacking.PackedLength(k, ocg);
        int[] weights = resolved.Weights;
        int[]? bias = resolved.Bias;

        // Operands as for Dense: u = x (uint8) or x ^ 0x80 (int8); v = w (int8) or w - 128 (uint8). A padded tap holds the
        // input zero point, so u - z_in' = 0 there and the folded bias stays exact at the borders.
        int inputZero = input.ZeroPoint + (input.Signed ? 128 : 0);
        int weightShift = resolved.WeightType == QuantType.UInt8 ? 128 : 0;

        var packed = new sbyte[groups * groupBytes];
        var folded = new int[groups * tableColumns];
        var weightZero = new int[groups * tableColumns];
        bool anyWeightZero = false, uniformWeightZero = true;
        string? proof = null;
        bool safe = true;
        for (int g = 0; g < groups; g++)
        {
            var group = new sbyte[groupBytes];
            for (int j = 0; j < ocg; j++)
            {
                int o = g * ocg + j;
                int zw = resolved.ZeroPointOf(o) - weightShift;
                long columnSum = 0;
                for (int i = 0; i < k; i++)
                {
                    int v = weights[o * k + i] - weightShift;
                    group[DensePacking.Offset(j, i, k, ocg)] = (sbyte)v;
                    columnSum += v;
                }
                long c = (bias?[o] ?? 0) - (long)inputZero * columnSum + (long)k * inputZero * zw;
                folded[g * tableColumns + j] = unchecked((int)c);
                weightZero[g * tableColumns + j] = zw;
                anyWeightZero |= zw != 0;
                uniformWeightZero &= zw == resolved.ZeroPointOf(0) - weightShift;
            }
            System.Array.Copy(group, 0, packed, g * groupBytes, groupBytes);
            SaturationCheck check = SaturationCheck.Run(group, k, ocg);
            if (!check.Safe && safe)
            {
                safe = false;
                proof = groups == 1 ? check.Explanation : $"group {g}: {check.Explanation}";
            }
            else if (g == 0 && check.Safe)
            {
                proof = groups == 1 ? check.Explanation : $"every group checked; group 0: {check.Explanation}";
            }
        }

        RequantizationPlan requantization = resolved.Requantization;
        if (groups > 1 && ocg % DensePacking.BlockColumns != 0)
            requantization = GroupTables(layer, input, context, resolved, groups, ocg, tableColumns) ?? requantization;

        var reference = new DenseReferencePlan(
            input.Scale,
            input.ZeroPoint,
            resolved.WeightType,
            resolved.Scales.ToEquatableArray(),
            resolved.PerChannelScales,
            resolved.ZeroPoints.ToEquatableArray(),
            layer.Weights.OutputScale,
            layer.Weights.Activation,
            bias is null ? EquatableArray<int>.Empty : bias.ToEquatableArray(),
            bias is not null,
            context.Scheme);

        return new Conv2DLayerPlan(
            layer.Index,
            layer.Name,
            context.Identifier,
            new[] { input.Id }.ToEquatableArray(),
            context.OutputId,
            input.Height,
            input.Width,
            input.Channels,
            oh,
            ow,
            oc,
            kh,
            kw,
            strides[0],
            strides[1],
            dilations[0],
            dilations[1],
            pads.ToEquatableArray(),
            groups,
            input.Signed,
            input.ZeroPoint,
            packed.ToEquatableArray(),
            folded.ToEquatableArray(),
            anyWeightZero ? weightZero.ToEquatableArray() : EquatableArray<int>.Empty,
            uniformWeightZero,
            requantization,
            WeightOperands.Choose(safe, packed.Length),
            proof ?? "",
            reference);
    }

    /// <summary>The requantization tables laid out per group, each group's columns padded to whole blocks (the padding
    /// repeats the group's first column, so uniform tables stay uniform).</summary>
    private static RequantizationPlan? GroupTables(
        Conv2DLayerSpec layer, Tensor input, LayerContext context, WeightedLayer resolved, int groups, int ocg, int tableColumns)
    {
        int columns = groups * tableColumns;
        if (resolved.Requantization is NoRequantization)
            return new NoRequantization(columns);
        float[] scales = resolved.Scales;
        if (scales.Length > 1)
        {
            scales = new float[columns];
            for (int g = 0; g < groups; g++)
            {
                for (int j = 0; j < tableColumns; j++)
                    scales[g * tableColumns + j] = resolved.Scales[g * ocg + (j < ocg ? j : 0)];
            }
        }
        WeightSpec spec = layer.Weights;
        return WeightedPlanning.Requantization(layer, context.Scheme, input.Scale, scales, resolved.PerChannelScales, spec.OutputScale,
            spec.OutputZeroPoint, spec.Activation, resolved.OutputType, columns, context);
    }
}
