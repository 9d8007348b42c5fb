using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Kernels;
using KernelGen.Quantization;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Validates a [Dense] declaration and folds it: packed weights, bias with the zero-point corrections, fixed-point
/// multipliers, clamp bounds, and the proof that decides the AVX2 dot product.
/// </summary>
internal static class DensePlanningRule
{
    private const int MaxSize = PlanningChecks.MaxSize;

    public static DenseLayerPlan? Plan(
        DenseLayerSpec layer, LayerInput input, string identifier, ModelInputs inputs,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        int before = diagnostics.Count;
        string name = layer.DisplayName;
        int k = layer.Inputs;
        int n = layer.Outputs;
        var activationType = input.Signed ? QuantType.Int8 : QuantType.UInt8;

        bool sizesValid = true;
        sizesValid &= PlanningChecks.Size(name, "Inputs", k, MaxSize, layer.LocationOf("#0") ?? layer.LocationOf("inputs"), diagnostics);
        sizesValid &= PlanningChecks.Size(name, "Outputs", n, MaxSize, layer.LocationOf("#1") ?? layer.LocationOf("outputs"), diagnostics);
        if (sizesValid && (long)k * n > 64L * 1024 * 1024)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSize, layer.Location, name, "Inputs x Outputs",
                (long)k * n, 64 * 1024 * 1024));
            sizesValid = false;
        }
        // An invalid size is reported once, not again as a chaining error.
        if (sizesValid && k != input.Size && input.Size >= 1 && input.Size <= MaxSize)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerSizesDoNotChain, layer.LocationOf("#0") ?? layer.Location,
                name, k, input.Producer, input.Size));
        }

        if (layer.Activation is not (Activation.None or Activation.Relu or Activation.Relu6))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownActivation, layer.LocationOf("Activation"), name, (int)layer.Activation));

        bool weightTypeValid = layer.WeightType is QuantType.UInt8 or QuantType.Int8;
        if (!weightTypeValid)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, layer.LocationOf("WeightType"), name, "WeightType",
                PlanningChecks.TypeName(layer.WeightType), "weights must be Int8 or UInt8"));
        }
        QuantType weightType = weightTypeValid ? layer.WeightType : QuantType.Int8;

        // Exactly one of the per-tensor and per-channel forms; zero points default to 0 (symmetric).
        float[]? weightScales = PlanningChecks.PerTensorOrChannel(
            layer, "weight scale", "WeightScale", layer.WeightScale, "WeightScales", layer.WeightScales, whenMissing: null,
            n, sizesValid, (argument, scale, location) => PlanningChecks.Scale(name, argument, scale, location, diagnostics), diagnostics);
        bool outputScaleValid = PlanningChecks.Scale(name, "OutputScale", layer.OutputScale, layer.LocationOf("OutputScale"), diagnostics);
        int[]? weightZeroPoints = PlanningChecks.PerTensorOrChannel(
            layer, "weight zero point", "WeightZeroPoint", layer.WeightZeroPoint, "WeightZeroPoints", layer.WeightZeroPoints, whenMissing: 0,
            n, sizesValid, (argument, zero, location) => !weightTypeValid || PlanningChecks.ZeroPoint(name, argument, zero, weightType, location, diagnostics),
            diagnostics);
        PlanningChecks.ZeroPoint(name, "OutputZeroPoint", layer.OutputZeroPoint, activationType, layer.LocationOf("OutputZeroPoint"), diagnostics);

        // Constant tensors.
        int[]? weights = sizesValid && weightTypeValid ? ResolveWeights(layer, weightType, inputs, diagnostics) : null;
        int[]? bias = sizesValid ? ResolveBias(layer, inputs, diagnostics) : null;

        // Requantization multipliers: TFLite computes them differently for the declared per-tensor and per-channel forms.
        // As TFLite decides it (scale->size > 1): a one-element WeightScales array is a per-tensor scale.
        bool perChannelScales = layer.WeightScales is { Length: > 1 };
        int[]? multipliers = null, shifts = null;
        if (weightScales is not null && outputScaleValid && input.Scale > 0 && sizesValid)
        {
            multipliers = new int[n];
            shifts = new int[n];
            for (int j = 0; j < n; j++)
            {
                double real = QuantizationMath.RequantizationMultiplier(
                    input.Scale, weightScales[perChannelScales ? j : 0], layer.OutputScale, perChannelScales);
                if (real >= 2147483648.0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MultiplierOutOfRange, layer.LocationOf("OutputScale"), name,
                        j, real.ToString("R", CultureInfo.InvariantCulture)));
                    multipliers = null;
                    break;
                }
                QuantizationMath.QuantizeMultiplier(real, out multipliers[j], out shifts[j]);
            }
        }

        if (diagnostics.Count != before || weights is null || weightZeroPoints is null || multipliers is null || shifts is null
            || weightScales is null || (bias is null && !layer.Bias.IsEmpty))
        {
            return null;
        }

        QuantizationMath.ActivationRange(layer.Activation, layer.OutputScale, layer.OutputZeroPoint, activationType, out int clampMin, out int clampMax);
        return Fold(layer, input, identifier, weightType, weights, weightScales, weightZeroPoints, bias, multipliers, shifts, clampMin, clampMax);
    }

    private static DenseLayerPlan Fold(
        DenseLayerSpec layer, LayerInput input, string identifier, QuantType weightType, int[] weights, float[] weightScales,
        int[] weightZeroPoints, int[]? bias, int[] multipliers, int[] shifts, int clampMin, int clampMax)
    {
        int k = layer.Inputs;
        int n = layer.Outputs;
        int padded = DensePacking.PaddedOutputs(n);

        // The kernel's operands: u = x for uint8 input, x ^ 0x80 = x + 128 for int8 input; v = w for int8 weights,
        // w - 128 for uint8 weights. So x - z_in = u - z_in' and w - z_w = v - z_w'.
        int inputZero = input.ZeroPoint + (input.Signed ? 128 : 0);
        int weightShift = weightType == QuantType.UInt8 ? 128 : 0;

        var packed = new sbyte[DensePacking.PackedLength(k, n)];
        var folded = new int[padded];
        var weightZero = new int[padded];
        bool anyWeightZero = false;
        for (int j = 0; j < n; j++)
        {
            int zw = weightZeroPoints[weightZeroPoints.Length == 1 ? 0 : j] - weightShift;
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

        var multiplierColumns = new int[padded];
        var left = new int[padded];
        var right = new int[padded];
        for (int j = 0; j < n; j++)
        {
            multiplierColumns[j] = multipliers[j];
            left[j] = shifts[j] > 0 ? shifts[j] : 0;
            right[j] = shifts[j] > 0 ? 0 : -shifts[j];
        }

        SaturationCheck saturation = SaturationCheck.Run(packed, k, n);

        var reference = new DenseReferencePlan(
            input.Scale,
            input.ZeroPoint,
            weightType,
            weightScales.ToEquatableArray(),
            layer.WeightScales is { Length: > 1 },
            weightZeroPoints.ToEquatableArray(),
            layer.OutputScale,
            layer.Activation,
            bias is null ? EquatableArray<int>.Empty : bias.ToEquatableArray(),
            bias is not null);

        return new DenseLayerPlan(
            layer.Index,
            layer.Name,
            identifier,
            k,
            n,
            input.Signed,
            packed.ToEquatableArray(),
            folded.ToEquatableArray(),
            multiplierColumns.ToEquatableArray(),
            left.ToEquatableArray(),
            right.ToEquatableArray(),
            anyWeightZero ? weightZero.ToEquatableArray() : EquatableArray<int>.Empty,
            layer.OutputZeroPoint,
            clampMin,
            clampMax,
            saturation.Safe ? Avx2DotProduct.MultiplyAddBytes : Avx2DotProduct.WidenToInt16,
            saturation.Explanation,
            reference);
    }

    private static int[]? ResolveWeights(
        DenseLayerSpec layer, QuantType weightType, ModelInputs inputs, List<DiagnosticInfo> diagnostics)
    {
        int expected = layer.Inputs * layer.Outputs;
        string name = layer.DisplayName;
        ConstantSource source = layer.Weights;
        if (source.FieldName is not null && source.FilePath is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConflictingArguments, layer.LocationOf("WeightsFile"), name,
                "set Weights (a field) or WeightsFile (an AdditionalFiles item), not both"));
            return null;
        }
        if (source.IsEmpty)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConflictingArguments, layer.Location, name,
                "no weights: set Weights (a static readonly field) or WeightsFile (an AdditionalFiles item)"));
            return null;
        }
        if (source.FieldName is not null)
        {
            int[]? values = weightType == QuantType.Int8
                ? ConstantResolver.FieldValues(layer, source, "Weights", sbyte.MinValue, sbyte.MaxValue, "sbyte", inputs, diagnostics)
                : ConstantResolver.FieldValues(layer, source, "Weights", byte.MinValue, byte.MaxValue, "byte", inputs, diagnostics);
            if (values is null)
                return null;
            if (values.Length != expected)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightCountMismatch, layer.LocationOf("Weights"), name,
                    source.Describe, values.Length, layer.Inputs, layer.Outputs, expected));
                return null;
            }
            return values;
        }

        byte[]? bytes = ConstantResolver.ReadFile(source.FilePath!, "WeightsFile", layer, inputs, diagnostics);
        if (bytes is null)
            return null;
        if (bytes.Length != expected)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFileWrongLength, layer.LocationOf("WeightsFile"), name,
                source.FilePath!, bytes.Length, $"{layer.Inputs} inputs x {layer.Outputs} outputs of one byte", expected));
            return null;
        }
        var result = new int[expected];
        for (int i = 0; i < expected; i++)
            result[i] = weightType == QuantType.Int8 ? (sbyte)bytes[i] : bytes[i];
        return result;
    }

    private static int[]? ResolveBias(
        DenseLayerSpec layer, ModelInputs inputs, List<DiagnosticInfo> diagnostics)
    {
        string name = layer.DisplayName;
        ConstantSource source = layer.Bias;
        if (source.IsEmpty)
            return null;
        if (source.FieldName is not null && source.FilePath is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConflictingArguments, layer.LocationOf("BiasFile"), name,
                "set Bias (a field) or BiasFile (an AdditionalFiles item), not both"));
            return null;
        }
        if (source.FieldName is not null)
        {
            int[]? values = ConstantResolver.FieldValues(layer, source, "Bias", int.MinValue, int.MaxValue, "int", inputs, diagnostics);
            if (values is null)
                return null;
            if (values.Length != layer.Outputs)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BiasCountMismatch, layer.LocationOf("Bias"), name,
                    source.Describe, values.Length, layer.Outputs));
                return null;
            }
            return values;
        }

        byte[]? bytes = ConstantResolver.ReadFile(source.FilePath!, "BiasFile", layer, inputs, diagnostics);
        if (bytes is null)
            return null;
        if (bytes.Length != 4 * layer.Outputs)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFileWrongLength, layer.LocationOf("BiasFile"), name,
                source.FilePath!, bytes.Length, $"{layer.Outputs} little-endian int32 bias values", 4 * layer.Outputs));
            return null;
        }
        var result = new int[layer.Outputs];
        for (int j = 0; j < result.Length; j++)
            result[j] = bytes[4 * j] | bytes[4 * j + 1] << 8 | bytes[4 * j + 2] << 16 | bytes[4 * j + 3] << 24;
        return result;
    }
}
