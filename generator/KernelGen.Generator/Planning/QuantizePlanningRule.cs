using System.Collections.Generic;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Quantization;

namespace KernelGen.Generator.Planning;

/// <summary>Validates [Quantize] (a Float32 input to UInt8 / Int8) and [Dequantize] (UInt8 / Int8 / Int32 to Float32).</summary>
internal static class QuantizePlanningRule
{
    public static QuantizeLayerPlan? PlanQuantize(QuantizeLayerSpec layer, LayerContext context, out Tensor output)
    {
        List<DiagnosticInfo> diagnostics = context.Diagnostics;
        int before = diagnostics.Count;
        string name = layer.DisplayName;
        Tensor input = context.Input;
        if (input.Type != QuantType.Float32)
        {
            context.Report(DiagnosticDescriptors.UnsupportedType, layer.InputLocation(0), name, $"its input ({input.Producer})",
                PlanningChecks.TypeName(input.Type), "Quantize reads Float32 values (declare the model with ActivationType = QuantType.Float32, or Dequantize first)");
        }
        bool typeValid = QuantizationMath.IsEightBit(layer.OutputType);
        if (!typeValid)
        {
            context.Report(DiagnosticDescriptors.UnsupportedType, layer.LocationOf("OutputType"), name, "OutputType",
                PlanningChecks.TypeName(layer.OutputType), "Quantize writes UInt8 or Int8");
        }
        QuantType type = typeValid ? layer.OutputType : QuantType.UInt8;
        output = context.Output(layer, input.Shape, type, layer.Scale, layer.ZeroPoint);
        PlanningChecks.Scale(name, "Scale", layer.Scale, layer.LocationOf("Scale"), diagnostics);
        if (typeValid)
            PlanningChecks.ZeroPoint(name, "ZeroPoint", layer.ZeroPoint, type, layer.LocationOf("ZeroPoint"), diagnostics);
        if (diagnostics.Count != before)
            return null;
        return new QuantizeLayerPlan(layer.Index, layer.Name, context.Identifier, new[] { input.Id }.ToEquatableArray(), context.OutputId,
            true, input.Elements, type, layer.Scale, layer.ZeroPoint);
    }

    public static QuantizeLayerPlan? PlanDequantize(DequantizeLayerSpec layer, LayerContext context, out Tensor output)
    {
        string name = layer.DisplayName;
        Tensor input = context.Input;
        output = context.Output(layer, input.Shape, QuantType.Float32, 1f, 0);
        if (!(QuantizationMath.IsEightBit(input.Type) || input.Type == QuantType.Int32))
        {
            context.Report(DiagnosticDescriptors.UnsupportedType, layer.InputLocation(0), name, $"its input ({input.Producer})",
                PlanningChecks.TypeName(input.Type), "Dequantize reads UInt8, Int8 or Int32 values");
            return null;
        }
        // An Int32 tensor (raw accumulators) carries scale input scale * weight scale and zero point 0.
        return new QuantizeLayerPlan(layer.Index, layer.Name, context.Identifier, new[] { input.Id }.ToEquatableArray(), context.OutputId,
            false, input.Elements, input.Type, input.Scale, input.ZeroPoint);
    }
}
