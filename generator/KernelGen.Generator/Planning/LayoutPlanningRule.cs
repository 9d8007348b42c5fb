using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>Plans the layout conversion the planner inserts at an edge of an NCHW model; its output keeps the input's
/// shape (H x W x C) and quantization, in the other order.</summary>
internal static class LayoutPlanningRule
{
    public static LayoutLayerPlan Plan(LayoutLayerSpec layer, LayerContext context, out Tensor output)
    {
        Tensor input = context.Input;
        output = context.Output(layer, input.Shape, input.Type, input.Scale, input.ZeroPoint);
        return new LayoutLayerPlan(layer.Index, layer.Name, context.Identifier, new[] { input.Id }.ToEquatableArray(), context.OutputId,
            input.Height, input.Width, input.Channels, input.ElementBytes, layer.ToNhwc);
    }
}
