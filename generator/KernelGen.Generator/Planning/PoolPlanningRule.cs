using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Quantization;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Validates a pool declaration and folds it: the geometry (window, strides, padding, output size), and the output's
/// quantization as a 256-entry table of <see cref="Rescale.Apply"/> (clamped to the activation range) when it differs
/// from the input's.
/// </summary>
internal static class PoolPlanningRule
{
    /// <summary>Largest window (or map, for the global pool) an average may sum: its int32 sum of bytes cannot overflow.</summary>
    public const int MaxAverageTaps = int.MaxValue / 256;

    public static PoolLayerPlan? Plan(PoolLayerSpec layer, LayerContext context, out Tensor output)
    {
        int before = context.Diagnostics.Count;
        string name = layer.DisplayName;
        Tensor input = context.Input;
        bool global = layer.Kind == PoolKind.GlobalAverage;

        bool typeValid = QuantizationMath.IsEightBit(input.Type);
        if (!typeValid)
        {
            context.Report(DiagnosticDescriptors.UnsupportedType, layer.InputLocation(0), name, $"its input ({input.Producer})",
                PlanningChecks.TypeName(input.Type), "pools read and write UInt8 or Int8 values");
        }
        QuantType type = typeValid ? input.Type : QuantType.UInt8;

        bool shapeValid = input.Valid;
        if (shapeValid && !input.IsFeatureMap)
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, layer.InputLocation(0) ?? layer.Location, name,
                $"a feature map (height x width x channels) is required, but {input.Producer} gives a vector of {input.Elements}");
            shapeValid = false;
        }

        int kh = global ? input.Height : layer.WindowHeight;
        int kw = global ? input.Width : layer.WindowWidth;
        int sh = 1, sw = 1, top = 0, left = 0, bottom = 0, right = 0, oh = 1, ow = 1;
        bool windowValid = true;
        if (!global)
        {
            windowValid &= PlanningChecks.Size(name, "height", kh, PlanningChecks.MaxSize, layer.LocationOf("#0"), context.Diagnostics);
            windowValid &= PlanningChecks.Size(name, "width", kw, PlanningChecks.MaxSize, layer.LocationOf("#1"), context.Diagnostics);
            sh = kh;
            sw = kw;
            if (layer.Strides is { } strides)
            {
                if (strides.Length != 2)
                {
                    context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("Strides"), name, $"Strides has {strides.Length} entries; give {{height, width}}");
                    windowValid = false;
                }
                else if (strides[0] < 1 || strides[1] < 1)
                {
                    context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("Strides"), name, $"the strides ({strides[0]}, {strides[1]}) must be positive");
                    windowValid = false;
                }
                else
                {
                    sh = strides[0];
                    sw = strides[1];
                }
            }
            bool explicitPads = layer.Pads is not null;
            if (layer.Pads is { } pads)
            {
                if (pads.Length != 4)
                {
                    context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("Pads"), name, $"Pads has {pads.Length} entries; give {{top, left, bottom, right}}");
                    windowValid = false;
                }
                else if (pads[0] < 0 || pads[1] < 0 || pads[2] < 0 || pads[3] < 0)
                {
                    context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("Pads"), name, "the pads must not be negative");
                    windowValid = false;
                }
                else
                {
                    top = pads[0];
                    left = pads[1];
                    bottom = pads[2];
                    right = pads[3];
                }
            }
            if (!explicitPads && layer.Padding != (int)Padding.Valid && layer.Padding != (int)Padding.Same)
            {
                context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("Padding"), name, $"unknown Padding value {layer.Padding}");
                windowValid = false;
            }
            if (windowValid && shapeValid)
            {
                if (!explicitPads && layer.Padding == (int)Padding.Same)
                {
                    ConvolutionGeometry.SamePadding(input.Height, kh, sh, 1, out top, out bottom);
                    ConvolutionGeometry.SamePadding(input.Width, kw, sw, 1, out left, out right);
                }
                string where = explicitPads ? "Pads" : layer.Has("Strides") ? "Strides" : "#0";
                if (!ConvolutionGeometry.TryValidatePool(input.Height, kh, sh, top, bottom, out oh, out string? reason))
                {
                    context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf(where), name, "height: " + reason);
                    windowValid = false;
                }
                else if (!ConvolutionGeometry.TryValidatePool(input.Width, kw, sw, left, right, out ow, out reason))
                {
                    context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf(where), name, "width: " + reason);
                    windowValid = false;
                }
            }
        }
        if (windowValid && shapeValid && layer.Kind != PoolKind.Max && (long)kh * kw > MaxAverageTaps)
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, global ? layer.InputLocation(0) ?? layer.Location : layer.LocationOf("#0"), name,
                $"the average's window of {(long)kh * kw} values is larger than {MaxAverageTaps} (its int32 sum could overflow)");
            windowValid = false;
        }

        // The output's quantization: the input's unless set.
        float outputScale = layer.OutputScale ?? input.Scale;
        int outputZero = layer.OutputZeroPoint ?? input.ZeroPoint;
        bool quantValid = true;
        if (layer.OutputScale is { } declaredScale)
            quantValid &= PlanningChecks.Scale(name, "OutputScale", declaredScale, layer.LocationOf("OutputScale"), context.Diagnostics);
        if (layer.OutputZeroPoint is { } declaredZero && typeValid)
            quantValid &= PlanningChecks.ZeroPoint(name, "OutputZeroPoint", declaredZero, type, layer.LocationOf("OutputZeroPoint"), context.Diagnostics);
        if (layer.Activation is not (Activation.None or Activation.Relu or Activation.Relu6))
        {
            context.Report(DiagnosticDescriptors.UnknownActivation, layer.LocationOf("Activation"), name, (int)layer.Activation);
            quantValid = false;
        }

        var shape = new[] { oh, ow, shapeValid ? input.Channels : 1 }.ToEquatableArray();
        output = context.Output(layer, shape, type, outputScale, outputZero);
        if (context.Diagnostics.Count != before || !typeValid || !shapeValid || !windowValid || !quantValid
            || !(input.Scale > 0) || float.IsInfinity(input.Scale))
        {
            return null;
        }

        QuantizationMath.ActivationRange(layer.Activation, outputScale, outputZero, type, out int clampMin, out int clampMax);
        byte[] table = System.Array.Empty<byte>();
        if (!Rescale.IsIdentity(input.Scale, input.ZeroPoint, outputScale, outputZero))
        {
            table = new byte[256];
            for (int b = 0; b < 256; b++)
            {
                int q = type == QuantType.Int8 ? (sbyte)b : b;
                table[b] = (byte)Rescale.Apply(q, context.Scheme, input.Scale, input.ZeroPoint, outputScale, outputZero, clampMin, clampMax);
            }
        }

        // floor(N / d) for 0 <= N = |sum| + d / 2 <= Nmax: correctly rounded float division cannot reach the next
        // integer when Nmax + d < 2^24 (see PoolEmitter); otherwise double, exact for every int32.
        long taps = (long)kh * kw;
        long nMax = (type == QuantType.Int8 ? 128 : 255) * taps + taps / 2;
        bool floatDivision = nMax + taps < (1L << 24);

        return new PoolLayerPlan(
            layer.Index, layer.Name, context.Identifier, new[] { input.Id }.ToEquatableArray(), context.OutputId, layer.Kind,
            input.Height, input.Width, input.Channels, kh, kw, sh, sw, top, left, bottom, right, oh, ow,
            type == QuantType.Int8, table.ToEquatableArray(), clampMin, clampMax,
            input.Scale, input.ZeroPoint, outputScale, outputZero, layer.Activation, context.Scheme, floatDivision);
    }
}
