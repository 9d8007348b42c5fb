using System.Collections.Generic;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Quantization;

namespace KernelGen.Generator.Planning;

/// <summary>Validates a [Concat] and folds each input's rescale into a 256-entry table (<see cref="Rescale.Apply"/>), or a
/// copy where <see cref="Rescale.IsIdentity"/>.</summary>
internal static class ConcatPlanningRule
{
    public static ConcatLayerPlan? Plan(ConcatLayerSpec layer, LayerContext context, out Tensor output)
    {
        List<DiagnosticInfo> diagnostics = context.Diagnostics;
        int before = diagnostics.Count;
        string name = layer.DisplayName;
        IReadOnlyList<Tensor> inputs = context.Inputs;
        Tensor first = inputs[0];
        QuantType type = QuantizationMath.IsEightBit(first.Type) ? first.Type : QuantType.UInt8;
        float outputScale = layer.OutputScale ?? first.Scale;
        int outputZeroPoint = layer.OutputZeroPoint ?? first.ZeroPoint;

        if (layer.InputNames.Length == 0)
        {
            context.Report(DiagnosticDescriptors.ConflictingArguments, layer.Location, name, "no inputs: name the tensors to concatenate, e.g. [Concat(\"a\", \"b\")]");
        }
        long channels = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            Tensor t = inputs[i];
            channels += t.Channels;
            string which = layer.InputNames.Length > i ? $"its input '{layer.InputNames[i]}' ({t.Producer})" : $"its input ({t.Producer})";
            if (!QuantizationMath.IsEightBit(t.Type))
            {
                context.Report(DiagnosticDescriptors.UnsupportedType, layer.InputLocation(i), name, which,
                    PlanningChecks.TypeName(t.Type), "Concat reads UInt8 or Int8 values");
            }
            else if (t.Type != type)
            {
                context.Report(DiagnosticDescriptors.InvalidGeometry, layer.InputLocation(i), name,
                    $"{which} is {Tensor.TypeName(t.Type)} but the first input is {Tensor.TypeName(type)}; all inputs have one type");
            }
            else if (t.IsFeatureMap != first.IsFeatureMap || t.Height != first.Height || t.Width != first.Width)
            {
                context.Report(DiagnosticDescriptors.InvalidGeometry, layer.InputLocation(i), name,
                    $"{which} is {t.Describe} but the first input is {first.Describe}; inputs are concatenated along channels and must have one height and width");
            }
        }

        EquatableArray<int> shape = first.IsFeatureMap
            ? new[] { first.Height, first.Width, (int)System.Math.Min(channels, int.MaxValue) }.ToEquatableArray()
            : new[] { (int)System.Math.Min(channels, int.MaxValue) }.ToEquatableArray();
        output = context.Output(layer, shape, type, outputScale, outputZeroPoint);
        if (channels > PlanningChecks.MaxSize)
            context.Report(DiagnosticDescriptors.InvalidSize, layer.Location, name, "output channels", channels, PlanningChecks.MaxSize);

        bool scaleValid = PlanningChecks.Scale(name, "OutputScale", outputScale, layer.LocationOf("OutputScale"), diagnostics);
        PlanningChecks.ZeroPoint(name, "OutputZeroPoint", outputZeroPoint, type, layer.LocationOf("OutputZeroPoint"), diagnostics);
        if (diagnostics.Count != before || !scaleValid)
            return null;

        int min = QuantizationMath.TypeMin(type), max = QuantizationMath.TypeMax(type);
        var tables = new List<EquatableArray<byte>>();
        var counts = new int[inputs.Count];
        var scales = new float[inputs.Count];
        var zeros = new int[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            Tensor t = inputs[i];
            counts[i] = t.Channels;
            scales[i] = t.Scale;
            zeros[i] = t.ZeroPoint;
            if (Rescale.IsIdentity(t.Scale, t.ZeroPoint, outputScale, outputZeroPoint))
            {
                tables.Add(EquatableArray<byte>.Empty);
                continue;
            }
            var table = new byte[256];
            for (int b = 0; b < 256; b++)
            {
                int q = type == QuantType.Int8 ? (sbyte)b : b;
                table[b] = (byte)Rescale.Apply(q, context.Scheme, t.Scale, t.ZeroPoint, outputScale, outputZeroPoint, min, max);
            }
            tables.Add(table.ToEquatableArray());
        }

        var ids = new int[inputs.Count];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = inputs[i].Id;
        return new ConcatLayerPlan(
            layer.Index, layer.Name, context.Identifier, ids.ToEquatableArray(), context.OutputId,
            first.Height, first.Width, counts.ToEquatableArray(), type == QuantType.Int8, tables.ToEquatableArray(),
            scales.ToEquatableArray(), zeros.ToEquatableArray(), outputScale, outputZeroPoint, context.Scheme, layer.InputNames);
    }
}
