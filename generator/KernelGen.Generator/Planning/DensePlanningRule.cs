using System.Collections.Generic;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Kernels;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Validates a [Dense] declaration and folds it: packed weights, bias with the zero-point corrections, the requantization
/// step, and the proof that decides the AVX2 dot product.
/// </summary>
internal static class DensePlanningRule
{
    private const int MaxSize = PlanningChecks.MaxSize;

    public static DenseLayerPlan? Plan(DenseLayerSpec layer, LayerContext context, out Tensor output)
    {
        List<DiagnosticInfo> diagnostics = context.Diagnostics;
        string name = layer.DisplayName;
        int k = layer.Inputs;
        int n = layer.Outputs;
        Tensor input = context.Input;
        WeightSpec spec = layer.Weights;

        bool sizesValid = true;
        sizesValid &= PlanningChecks.Size(name, "Inputs", k, MaxSize, layer.LocationOf("#0") ?? layer.LocationOf("inputs"), diagnostics);
        sizesValid &= PlanningChecks.Size(name, "Outputs", n, MaxSize, layer.LocationOf("#1") ?? layer.LocationOf("outputs"), diagnostics);
        if (sizesValid && (long)k * n > 64L * 1024 * 1024)
        {
            context.Report(DiagnosticDescriptors.InvalidSize, layer.Location, name, "Inputs x Outputs", (long)k * n, 64 * 1024 * 1024);
            sizesValid = false;
        }
        // An invalid size is reported once, not again as a chaining error. A feature map is read flattened (NHWC order).
        if (sizesValid && input.Valid && k != input.Elements)
            context.Report(DiagnosticDescriptors.LayerSizesDoNotChain, layer.LocationOf("#0") ?? layer.Location, name, k, input.Producer, input.Elements);

        QuantType outputType = spec.OutputType is { } declared && (declared is QuantType.Int32 || Quantization.QuantizationMath.IsEightBit(declared))
            ? declared
            : input.Type is QuantType.Int8 ? QuantType.Int8 : QuantType.UInt8;
        output = context.Output(layer, new[] { n }.ToEquatableArray(), outputType,
            outputType == QuantType.Int32 ? 1f : spec.OutputScale, outputType == QuantType.Int32 ? 0 : spec.OutputZeroPoint);

        WeightedLayer? resolved = WeightedPlanning.Resolve(layer, spec, n, (long)k * n, $"{k} inputs x {n} outputs", sizesValid, context);
        return resolved is null ? null : Fold(layer, input, context, resolved);
    }

    private static DenseLayerPlan Fold(DenseLayerSpec layer, Tensor input, LayerContext context, WeightedLayer resolved)
    {
        int k = layer.Inputs;
        int n = layer.Outputs;
        int padded = DensePacking.PaddedOutputs(n);
        int[] weights = resolved.Weights;
        int[]? bias = resolved.Bias;

        // The kernel's operands: u = x for uint8 input, x ^ 0x80 = x + 128 for int8 input; v = w for int8 weights,
        // w - 128 for uint8 weights. So x - z_in = u - z_in' and w - z_w = v - z_w'.
        int inputZero = input.ZeroPoint + (input.Signed ? 128 : 0);
        int weightShift = resolved.WeightType == QuantType.UInt8 ? 128 : 0;

        var packed = new sbyte[DensePacking.PackedLength(k, n)];
        var folded = new int[padded];
        var weightZero = new int[padded];
        bool anyWeightZero = false;
        for (int j = 0; j < n; j++)
        {
            int zw = resolved.ZeroPointOf(j) - weightShift;
            long columnSum = 0;
            for (int i = 0; i < k; i++)
            {
                int v = weights[j * k + i] - weightShift;
                packed[DensePacking.Offset(j, i, k, n)] = (sbyte)v;
                columnSum += v;
            }
            // acc = Σ(u - z_in')(v - z_w') + b = Σuv - z_w'Σu + [b - z_in'Σv + K z_in' z_w'], the bracket folded here.
            // int32 wrap-around matches the reference's int32 accumulation: both are exact modulo 2^32.
            long c = (bias?[j] ?? 0) - (long)inputZero * columnSum + (long)k * inputZero * zw;
            folded[j] = unchecked((int)c);
            weightZero[j] = zw;
            anyWeightZero |= zw != 0;
        }

        SaturationCheck saturation = SaturationCheck.Run(packed, k, n);

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

        return new DenseLayerPlan(
            layer.Index,
            layer.Name,
            context.Identifier,
            new[] { input.Id }.ToEquatableArray(),
            context.OutputId,
            k,
            n,
            input.Signed,
            packed.ToEquatableArray(),
            folded.ToEquatableArray(),
            anyWeightZero ? weightZero.ToEquatableArray() : EquatableArray<int>.Empty,
            resolved.Requantization,
            WeightOperands.Choose(saturation.Safe, packed.Length),
            saturation.Explanation,
            reference);
    }
}
