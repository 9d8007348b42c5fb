using System.Collections.Generic;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Quantization;

namespace KernelGen.Generator.Planning;

/// <summary>Validates an [Add] and folds its constants with <see cref="AddParameters"/> (the runtime's own definition).</summary>
internal static class AddPlanningRule
{
    public static AddLayerPlan? Plan(AddLayerSpec layer, LayerContext context, out Tensor output)
    {
        List<DiagnosticInfo> diagnostics = context.Diagnostics;
        int before = diagnostics.Count;
        string name = layer.DisplayName;
        Tensor first = context.Inputs[0];
        Tensor second = context.Inputs.Count > 1 ? context.Inputs[1] : first;

        bool typesValid = true;
        for (int i = 0; i < context.Inputs.Count && i < 2; i++)
        {
            Tensor t = context.Inputs[i];
            // One tensor added to itself is reported once.
            if (i == 1 && t.Id == first.Id)
                break;
            if (!QuantizationMath.IsEightBit(t.Type))
            {
                context.Report(DiagnosticDescriptors.UnsupportedType, layer.InputLocation(i), name, $"its input '{layer.InputNames[i]}' ({t.Producer})",
                    PlanningChecks.TypeName(t.Type), "Add reads UInt8 or Int8 values (Quantize a float tensor first)");
                typesValid = false;
            }
        }
        QuantType type = QuantizationMath.IsEightBit(first.Type) ? first.Type : QuantType.UInt8;
        output = context.Output(layer, first.Shape, type, layer.OutputScale, layer.OutputZeroPoint);

        if (typesValid && first.Type != second.Type)
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, layer.InputLocation(1), name,
                $"the operands have different types ({first.Describe} from {first.Producer}, {second.Describe} from {second.Producer})");
        }
        else if (!first.Shape.Equals(second.Shape))
        {
            context.Report(DiagnosticDescriptors.InvalidGeometry, layer.InputLocation(1), name,
                $"the operands have different shapes ({first.Describe} from {first.Producer}, {second.Describe} from {second.Producer}); Add does not broadcast");
        }

        if (layer.Activation is not (Activation.None or Activation.Relu or Activation.Relu6))
            context.Report(DiagnosticDescriptors.UnknownActivation, layer.LocationOf("Activation"), name, (int)layer.Activation);
        bool scaleValid = PlanningChecks.Scale(name, "OutputScale", layer.OutputScale, layer.LocationOf("OutputScale"), diagnostics);
        bool zeroValid = PlanningChecks.ZeroPoint(name, "OutputZeroPoint", layer.OutputZeroPoint, type, layer.LocationOf("OutputZeroPoint"), diagnostics);
        if (diagnostics.Count != before || !scaleValid || !zeroValid)
            return null;

        if (!AddParameters.TryCreate(type, first.Scale, first.ZeroPoint, second.Scale, second.ZeroPoint, layer.OutputScale, layer.OutputZeroPoint,
            layer.Activation, context.Scheme, out AddParameters? parameters, out string? error) || parameters is null)
        {
            context.Report(DiagnosticDescriptors.ConflictingArguments, layer.LocationOf("OutputScale"), name,
                "the scales give no valid Add: " + error);
            return null;
        }

        return new AddLayerPlan(
            layer.Index, layer.Name, context.Identifier, new[] { first.Id, second.Id }.ToEquatableArray(), context.OutputId,
            first.Elements, type == QuantType.Int8, context.Scheme, parameters.ClampMin, parameters.ClampMax,
            new[]
            {
                parameters.Input1ZeroPoint, parameters.Input1Multiplier, parameters.Input1Shift,
                parameters.Input2ZeroPoint, parameters.Input2Multiplier, parameters.Input2Shift,
                parameters.OutputMultiplier, parameters.OutputShift, parameters.OutputZeroPoint,
            }.ToEquatableArray(),
            new[] { parameters.FloatRatio1, parameters.FloatRatio2, parameters.FloatFixedPart }.ToEquatableArray(),
            first.Scale, first.ZeroPoint, second.Scale, second.ZeroPoint, layer.OutputScale, layer.OutputZeroPoint, layer.Activation, layer.InputNames);
    }
}
