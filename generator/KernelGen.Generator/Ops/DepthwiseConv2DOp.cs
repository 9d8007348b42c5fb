using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Emitting;
using KernelGen.Generator.Model;
using KernelGen.Generator.Parsing;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Ops;

/// <summary>[DepthwiseConv2D]: a depthwise 2-D convolution (TFLite DepthwiseConv2D, ONNX QLinearConv / ConvInteger with
/// group = channels).</summary>
internal sealed class DepthwiseConv2DOp : Op<DepthwiseConv2DLayerSpec, DepthwiseConv2DLayerPlan>
{
    public override string AttributeName => "KernelGen.DepthwiseConv2DAttribute";

    public override string AttributeUsage => "[DepthwiseConv2D(...)]";

    public override LayerSpec Read(
        AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => DepthwiseConv2DAttributeReader.Read(attribute, index, model, compilation, diagnostics, cancellationToken);

    protected override DepthwiseConv2DLayerPlan? Plan(DepthwiseConv2DLayerSpec spec, LayerContext context, out Tensor output)
        => DepthwiseConv2DPlanningRule.Plan(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, DepthwiseConv2DLayerPlan plan)
    {
        DepthwiseConv2DEmitter.EmitData(w, plan);
        foreach (IsaPath path in IsaPath.Baseline)
        {
            if (path.Simd)
                DepthwiseConv2DEmitter.EmitKernel(w, plan, path);
            else
                DepthwiseConv2DEmitter.EmitScalar(w, plan);
        }
    }

    protected override void EmitDeclaredData(SourceWriter w, DepthwiseConv2DLayerPlan plan) => DepthwiseConv2DEmitter.EmitDeclaredData(w, plan);

    protected override string ReferenceLayer(DepthwiseConv2DLayerPlan plan) => DepthwiseConv2DEmitter.ReferenceLayer(plan);
}
