using System.Collections.Generic;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>Validates a [Reshape] / [Flatten]: one or three positive sizes whose product is the input's element count.</summary>
internal static class ReshapePlanningRule
{
    public static ReshapeLayerPlan? Plan(ReshapeLayerSpec layer, LayerContext context, out Tensor output)
    {
        List<DiagnosticInfo> diagnostics = context.Diagnostics;
        int before = diagnostics.Count;
        string name = layer.DisplayName;
        Tensor input = context.Input;
        EquatableArray<int> shape = layer.IsFlatten ? new[] { input.Elements }.ToEquatableArray() : layer.Shape;

        bool valid = true;
        if (!layer.IsFlatten)
        {
            if (shape.Length is not (1 or 3))
            {
                context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("#0"), name,
                    $"the shape has {shape.Length} dimensions; give one (a vector) or three (height, width, channels)");
                valid = false;
            }
            for (int i = 0; i < shape.Length && valid; i++)
                valid &= PlanningChecks.Size(name, $"shape[{i}]", shape[i], PlanningChecks.MaxSize, layer.LocationOf("#" + i), diagnostics);
        }
        if (!valid)
            shape = new[] { input.Elements }.ToEquatableArray();
        output = context.Output(layer, shape, input.Type, input.Scale, input.ZeroPoint);
        if (valid && input.Valid && output.LongElements != input.LongElements)
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, layer.LocationOf("#0"), name,
                $"the new shape {output.Describe} has {output.LongElements} values but its input ({input.Producer}) has {input.Describe}, {input.LongElements} values");
        }
        if (diagnostics.Count != before)
            return null;
        return new ReshapeLayerPlan(layer.Index, layer.Name, context.Identifier, new[] { input.Id }.ToEquatableArray(), context.OutputId,
            input.Elements, input.Type, input.Bytes, input.Describe, output.Describe);
    }
}
