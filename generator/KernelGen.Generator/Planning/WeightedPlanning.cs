using System.Collections.Generic;
using System.Globalization;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Quantization;

namespace KernelGen.Generator.Planning;

/// <summary>
/// What every layer with weights checks and folds the same way ([Dense], [Conv2D], [DepthwiseConv2D]): the input type,
/// weight type, scales and zero points per tensor or per channel, weights and bias from a field or a file, the output type,
/// and the requantization plan in the model's scheme.
/// </summary>
internal static class WeightedPlanning
{
    /// <summary>
    /// Resolves <paramref name="weights"/> for a layer with <paramref name="channels"/> output channels and
    /// <paramref name="weightCount"/> weights; null after reporting diagnostics.
    /// </summary>
    /// <param name="shapeValid">False when the layer's shape is already reported invalid: counts are not compared.</param>
    /// <param name="needs">How messages describe the weight count, e.g. "64 inputs x 32 outputs".</param>
    public static WeightedLayer? Resolve(
        LayerSpec layer, WeightSpec weights, int channels, long weightCount, string needs, bool shapeValid, LayerContext context)
    {
        List<DiagnosticInfo> diagnostics = context.Diagnostics;
        int before = diagnostics.Count;
        string name = layer.DisplayName;
        Tensor input = context.Input;

        bool inputTypeValid = QuantizationMath.IsEightBit(input.Type);
        if (!inputTypeValid)
        {
            context.Report(DiagnosticDescriptors.UnsupportedType, layer.InputLocation(0), name, $"its input ({input.Producer})",
                PlanningChecks.TypeName(input.Type), "this layer reads UInt8 or Int8 values (Quantize a float tensor first)");
        }

        QuantType outputType = weights.OutputType ?? (inputTypeValid ? input.Type : QuantType.UInt8);
        bool integerOnly = outputType == QuantType.Int32;
        if (!(QuantizationMath.IsEightBit(outputType) || integerOnly))
        {
            context.Report(DiagnosticDescriptors.UnsupportedType, layer.LocationOf("OutputType"), name, "OutputType",
                PlanningChecks.TypeName(outputType), "outputs are UInt8, Int8, or Int32 for the raw accumulators");
            outputType = QuantType.UInt8;
            integerOnly = false;
        }

        if (weights.Activation is not (Activation.None or Activation.Relu or Activation.Relu6))
            context.Report(DiagnosticDescriptors.UnknownActivation, layer.LocationOf("Activation"), name, (int)weights.Activation);
        if (integerOnly && (layer.Has("Activation") || layer.Has("OutputScale") || layer.Has("OutputZeroPoint")))
        {
            context.Report(DiagnosticDescriptors.ConflictingArguments, layer.LocationOf("OutputType"), name,
                "an Int32 output is the raw accumulator: OutputScale, OutputZeroPoint and Activation do not apply");
        }

        bool weightTypeValid = weights.Type is QuantType.UInt8 or QuantType.Int8;
        if (!weightTypeValid)
        {
            context.Report(DiagnosticDescriptors.UnsupportedType, layer.LocationOf("WeightType"), name, "WeightType",
                PlanningChecks.TypeName(weights.Type), "weights must be Int8 or UInt8");
        }
        QuantType weightType = weightTypeValid ? weights.Type : QuantType.Int8;

        // Exactly one of the per-tensor and per-channel forms; zero points default to 0 (symmetric). An Int32 output needs
        // no scales at all, but they may be given.
        float[]? scales = PlanningChecks.PerTensorOrChannel(
            layer, "weight scale", "WeightScale", weights.Scale, "WeightScales", weights.Scales, whenMissing: integerOnly ? 1f : null,
            channels, shapeValid, (argument, scale, location) => PlanningChecks.Scale(name, argument, scale, location, diagnostics), diagnostics);
        bool outputScaleValid = integerOnly
            || PlanningChecks.Scale(name, "OutputScale", weights.OutputScale, layer.LocationOf("OutputScale"), diagnostics);
        int[]? zeroPoints = PlanningChecks.PerTensorOrChannel(
            layer, "weight zero point", "WeightZeroPoint", weights.ZeroPoint, "WeightZeroPoints", weights.ZeroPoints, whenMissing: 0,
            channels, shapeValid, (argument, zero, location) => !weightTypeValid || PlanningChecks.ZeroPoint(name, argument, zero, weightType, location, diagnostics),
            diagnostics);
        if (!integerOnly)
            PlanningChecks.ZeroPoint(name, "OutputZeroPoint", weights.OutputZeroPoint, outputType, layer.LocationOf("OutputZeroPoint"), diagnostics);

        int[]? values = shapeValid && weightTypeValid ? ResolveWeights(layer, weights.Values, weightType, weightCount, needs, context) : null;
        int[]? bias = shapeValid ? ResolveBias(layer, weights.Bias, channels, context) : null;

        // As TFLite decides it (scale->size > 1): a one-element WeightScales array is a per-tensor scale.
        bool perChannelScales = weights.Scales is { Length: > 1 };
        RequantizationPlan? requantization = null;
        if (scales is not null && outputScaleValid && shapeValid && inputTypeValid && input.Scale > 0 && !float.IsInfinity(input.Scale))
        {
            requantization = integerOnly
                ? new NoRequantization(channels)
                : Requantization(layer, context.Scheme, input.Scale, scales, perChannelScales, weights.OutputScale, weights.OutputZeroPoint,
                    weights.Activation, outputType, channels, context);
        }

        if (diagnostics.Count != before || values is null || zeroPoints is null || scales is null || requantization is null
            || (bias is null && !weights.Bias.IsEmpty))
        {
            return null;
        }
        return new WeightedLayer(weightType, values, scales, perChannelScales, zeroPoints, bias, outputType, requantization);
    }

    /// <summary>
    /// The requantization plan of accumulators with scale input scale * weight scale_j into an output of
    /// <paramref name="outputScale"/>, in <paramref name="scheme"/>; tables padded to whole blocks of 8. Null after KG0015.
    /// </summary>
    public static RequantizationPlan? Requantization(
        LayerSpec layer, RequantizationScheme scheme, float inputScale, float[] weightScales, bool perChannelScales,
        float outputScale, int outputZeroPoint, Activation activation, QuantType outputType, int channels, LayerContext context)
    {
        int padded = (channels + 7) / 8 * 8;
        QuantizationMath.ActivationRange(
            activation is Activation.None or Activation.Relu or Activation.Relu6 ? activation : Activation.None,
            outputScale, outputZeroPoint, outputType, out int clampMin, out int clampMax);
        if (scheme == RequantizationScheme.Float)
        {
            var scales = new float[padded];
            for (int j = 0; j < channels; j++)
            {
                scales[j] = QuantizationMath.FloatRequantizationScale(inputScale, weightScales[weightScales.Length == 1 ? 0 : j], outputScale);
                // The fixed-point scheme's bound holds here too: past it every nonzero accumulator saturates, and an
                // infinite scale (a float overflow) has no literal and would turn acc = 0 into NaN.
                if (!(scales[j] < 2147483648f))
                {
                    context.Report(DiagnosticDescriptors.MultiplierOutOfRange, layer.LocationOf("OutputScale"), layer.DisplayName,
                        j, scales[j].ToString("R", CultureInfo.InvariantCulture));
                    return null;
                }
            }
            return new FloatRequantizationPlan(channels, outputZeroPoint, clampMin, clampMax, outputType, scales.ToEquatableArray());
        }

        var multipliers = new int[padded];
        var left = new int[padded];
        var right = new int[padded];
        for (int j = 0; j < channels; j++)
        {
            // TFLite computes the multiplier differently for the declared per-tensor and per-channel forms.
            double real = QuantizationMath.RequantizationMultiplier(
                inputScale, weightScales[perChannelScales ? j : 0], outputScale, perChannelScales);
            if (real >= 2147483648.0)
            {
                context.Report(DiagnosticDescriptors.MultiplierOutOfRange, layer.LocationOf("OutputScale"), layer.DisplayName,
                    j, real.ToString("R", CultureInfo.InvariantCulture));
                return null;
            }
            QuantizationMath.QuantizeMultiplier(real, out multipliers[j], out int shift);
            left[j] = shift > 0 ? shift : 0;
            right[j] = shift > 0 ? 0 : -shift;
        }
        return new FixedPointRequantization(channels, outputZeroPoint, clampMin, clampMax, outputType,
            multipliers.ToEquatableArray(), left.ToEquatableArray(), right.ToEquatableArray());
    }

    private static int[]? ResolveWeights(
        LayerSpec layer, ConstantSource source, QuantType weightType, long expected, string needs, LayerContext context)
    {
        string name = layer.DisplayName;
        if (source.FieldName is not null && source.FilePath is not null)
        {
            context.Report(DiagnosticDescriptors.ConflictingArguments, layer.LocationOf("WeightsFile"), name,
                "set Weights (a field) or WeightsFile (an AdditionalFiles item), not both");
            return null;
        }
        if (source.IsEmpty)
        {
            context.Report(DiagnosticDescriptors.ConflictingArguments, layer.Location, name,
                "no weights: set Weights (a static readonly field) or WeightsFile (an AdditionalFiles item)");
            return null;
        }
        if (source.FieldName is not null)
        {
            int[]? values = weightType == QuantType.Int8
                ? ConstantResolver.FieldValues(layer, source, "Weights", sbyte.MinValue, sbyte.MaxValue, "sbyte", context.ModelInputs, context.Diagnostics)
                : ConstantResolver.FieldValues(layer, source, "Weights", byte.MinValue, byte.MaxValue, "byte", context.ModelInputs, context.Diagnostics);
            if (values is null)
                return null;
            if (values.Length != expected)
            {
                context.Report(DiagnosticDescriptors.WeightCountMismatch, layer.LocationOf("Weights"), name,
                    source.Describe, values.Length, needs, expected);
                return null;
            }
            return values;
        }

        byte[]? bytes = ConstantResolver.ReadFile(source.FilePath!, "WeightsFile", layer, context.ModelInputs, context.Diagnostics);
        if (bytes is null)
            return null;
        if (bytes.Length != expected)
        {
            context.Report(DiagnosticDescriptors.SourceFileWrongLength, layer.LocationOf("WeightsFile"), name,
                source.FilePath!, bytes.Length, needs + " of one byte", expected);
            return null;
        }
        var result = new int[expected];
        for (int i = 0; i < result.Length; i++)
            result[i] = weightType == QuantType.Int8 ? (sbyte)bytes[i] : bytes[i];
        return result;
    }

    private static int[]? ResolveBias(LayerSpec layer, ConstantSource source, int channels, LayerContext context)
    {
        string name = layer.DisplayName;
        if (source.IsEmpty)
            return null;
        if (source.FieldName is not null && source.FilePath is not null)
        {
            context.Report(DiagnosticDescriptors.ConflictingArguments, layer.LocationOf("BiasFile"), name,
                "set Bias (a field) or BiasFile (an AdditionalFiles item), not both");
            return null;
        }
        if (source.FieldName is not null)
        {
            int[]? values = ConstantResolver.FieldValues(layer, source, "Bias", int.MinValue, int.MaxValue, "int", context.ModelInputs, context.Diagnostics);
            if (values is null)
                return null;
            if (values.Length != channels)
            {
                context.Report(DiagnosticDescriptors.BiasCountMismatch, layer.LocationOf("Bias"), name, source.Describe, values.Length, channels);
                return null;
            }
            return values;
        }

        byte[]? bytes = ConstantResolver.ReadFile(source.FilePath!, "BiasFile", layer, context.ModelInputs, context.Diagnostics);
        if (bytes is null)
            return null;
        if (bytes.Length != 4 * channels)
        {
            context.Report(DiagnosticDescriptors.SourceFileWrongLength, layer.LocationOf("BiasFile"), name,
                source.FilePath!, bytes.Length, $"{channels} little-endian int32 bias values", 4 * channels);
            return null;
        }
        var result = new int[channels];
        for (int j = 0; j < result.Length; j++)
            result[j] = bytes[4 * j] | bytes[4 * j + 1] << 8 | bytes[4 * j + 2] << 16 | bytes[4 * j + 3] << 24;
        return result;
    }
}
