using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Quantization;

namespace KernelGen.Generator.Planning;

/// <summary>A standalone [Relu] / [Relu6] (not fused by <see cref="Passes.ActivationFusion"/>): the clamp bounds of its tensor.</summary>
internal static class ActivationPlanningRule
{
    public static ActivationLayerPlan? Plan(ActivationLayerSpec layer, LayerContext context, out Tensor output)
    {
        Tensor input = context.Input;
        output = context.Output(layer, input.Shape, input.Type, input.Scale, input.ZeroPoint);
        if (!QuantizationMath.IsEightBit(input.Type))
        {
            context.Report(DiagnosticDescriptors.UnsupportedType, layer.InputLocation(0), layer.DisplayName, $"its input ({input.Producer})",
                PlanningChecks.TypeName(input.Type), "an activation layer reads UInt8 or Int8 values");
            return null;
        }
        if (!(input.Scale > 0) || float.IsInfinity(input.Scale))
            return null; // reported at the input's own declaration
        QuantizationMath.ActivationRange(layer.Kind, input.Scale, input.ZeroPoint, input.Type, out int min, out int max);
        return new ActivationLayerPlan(layer.Index, layer.Name, context.Identifier, new[] { input.Id }.ToEquatableArray(), context.OutputId,
            input.Elements, input.Type, input.Scale, input.ZeroPoint, layer.Kind, min, max);
    }
}
