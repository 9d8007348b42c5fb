using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Quantization;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Validates a [Requantize] and folds it into a table: every raw 8-bit input value through <see cref="Rescale.Apply"/>
/// in the model's scheme. (A Requantize right after a layer with weights never gets here: <see cref="Passes.RequantizeFolding"/>
/// folds it into that layer first.)
/// </summary>
internal static class RequantizePlanningRule
{
    public static RequantizeLayerPlan? Plan(RequantizeLayerSpec layer, LayerContext context, out Tensor output)
    {
        int before = context.Diagnostics.Count;
        Tensor input = context.Input;
        string name = layer.DisplayName;
        bool inputValid = QuantizationMath.IsEightBit(input.Type);
        if (!inputValid)
        {
            context.Report(DiagnosticDescriptors.UnsupportedType, layer.InputLocation(0), name, $"its input ({input.Producer})",
                PlanningChecks.TypeName(input.Type), "Requantize reads UInt8 or Int8 values");
        }
        QuantType outputType = layer.OutputType ?? (inputValid ? input.Type : QuantType.UInt8);
        if (!QuantizationMath.IsEightBit(outputType))
        {
            context.Report(DiagnosticDescriptors.UnsupportedType, layer.LocationOf("OutputType"), name, "OutputType",
                PlanningChecks.TypeName(outputType), "Requantize writes UInt8 or Int8 values");
            outputType = QuantType.UInt8;
        }
        output = context.Output(layer, input.Shape, outputType, layer.OutputScale, layer.OutputZeroPoint);
        PlanningChecks.Scale(name, "OutputScale", layer.OutputScale, layer.LocationOf("OutputScale"), context.Diagnostics);
        PlanningChecks.ZeroPoint(name, "OutputZeroPoint", layer.OutputZeroPoint, outputType, layer.LocationOf("OutputZeroPoint"), context.Diagnostics);
        if (context.Diagnostics.Count != before || !(input.Scale > 0) || float.IsInfinity(input.Scale))
            return null;

        int min = QuantizationMath.TypeMin(outputType), max = QuantizationMath.TypeMax(outputType);
        var table = new byte[256];
        for (int raw = 0; raw < 256; raw++)
        {
            int q = input.Type == QuantType.Int8 ? (sbyte)raw : raw;
            table[raw] = unchecked((byte)Rescale.Apply(q, context.Scheme, input.Scale, input.ZeroPoint, layer.OutputScale, layer.OutputZeroPoint, min, max));
        }
        return new RequantizeLayerPlan(
            layer.Index, layer.Name, context.Identifier, new[] { input.Id }.ToEquatableArray(), context.OutputId, input.Elements,
            table.ToEquatableArray(), input.Type, input.Scale, input.ZeroPoint, outputType, layer.OutputScale, layer.OutputZeroPoint, context.Scheme);
    }
}
