using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Emitting;
using KernelGen.Generator.Model;
using KernelGen.Generator.Parsing;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Ops;

/// <summary>[Conv2D]: a 2-D convolution (TFLite Conv2D, ONNX QLinearConv; OutputType Int32: ConvInteger), as an
/// implicit GEMM over the Dense kernel body.</summary>
internal sealed class Conv2DOp : Op<Conv2DLayerSpec, Conv2DLayerPlan>
{
    public override string AttributeName => "KernelGen.Conv2DAttribute";

    public override string AttributeUsage => "[Conv2D(...)]";

    public override LayerSpec Read(
        AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => Conv2DAttributeReader.Read(attribute, index, model, compilation, diagnostics, cancellationToken);

    protected override Conv2DLayerPlan? Plan(Conv2DLayerSpec spec, LayerContext context, out Tensor output)
        => Conv2DPlanningRule.Plan(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, Conv2DLayerPlan plan)
    {
        Conv2DEmitter.EmitData(w, plan);
        foreach (IsaPath path in IsaPath.All)
        {
            if (path.Simd)
                Conv2DEmitter.EmitKernel(w, plan, path);
            else
                Conv2DEmitter.EmitScalar(w, plan);
        }
    }

    public override IReadOnlyCollection<IsaPath> KernelPaths => IsaPath.All;

    public override string KernelName(LayerPlan plan, IsaPath path)
        => path.Simd ? GemmEmitter.KernelName(plan.Identifier, "Conv", Conv2DEmitter.Row((Conv2DLayerPlan)plan), path) : base.KernelName(plan, path);

    protected override void EmitDeclaredData(SourceWriter w, Conv2DLayerPlan plan) => Conv2DEmitter.EmitDeclaredData(w, plan);

    protected override string ReferenceLayer(Conv2DLayerPlan plan) => Conv2DEmitter.ReferenceLayer(plan);
}
