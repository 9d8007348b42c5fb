using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Emitting;
using KernelGen.Generator.Model;
using KernelGen.Generator.Parsing;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Ops;

/// <summary>[Add]: TFLite's quantized Add (ONNX Runtime QLinearAdd in the float scheme).</summary>
internal sealed class AddOp : Op<AddLayerSpec, AddLayerPlan>
{
    public override string AttributeName => "KernelGen.AddAttribute";

    public override string AttributeUsage => "[Add(...)]";

    public override LayerSpec Read(AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => TensorOpAttributeReaders.ReadAdd(attribute, index, cancellationToken);

    protected override AddLayerPlan? Plan(AddLayerSpec spec, LayerContext context, out Tensor output) => AddPlanningRule.Plan(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, AddLayerPlan plan)
    {
        AddEmitter.EmitData(w, plan);
        foreach (IsaPath path in IsaPath.Baseline)
        {
            if (path.Simd)
                AddEmitter.EmitKernel(w, plan, path);
            else
                AddEmitter.EmitScalar(w, plan);
        }
    }

    protected override void EmitDeclaredData(SourceWriter w, AddLayerPlan plan)
    {
    }

    protected override string ReferenceLayer(AddLayerPlan plan) => AddEmitter.ReferenceLayer(plan);
}

/// <summary>[Concat]: channel concatenation, each input rescaled to the output by a compile-time table or copied.</summary>
internal sealed class ConcatOp : Op<ConcatLayerSpec, ConcatLayerPlan>
{
    public override string AttributeName => "KernelGen.ConcatAttribute";

    public override string AttributeUsage => "[Concat(...)]";

    public override LayerSpec Read(AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => TensorOpAttributeReaders.ReadConcat(attribute, index, cancellationToken);

    protected override ConcatLayerPlan? Plan(ConcatLayerSpec spec, LayerContext context, out Tensor output) => ConcatPlanningRule.Plan(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, ConcatLayerPlan plan)
    {
        ConcatEmitter.EmitData(w, plan);
        foreach (IsaPath path in IsaPath.Baseline)
        {
            if (path.Simd)
                ConcatEmitter.EmitKernel(w, plan, path);
            else
                ConcatEmitter.EmitScalar(w, plan);
        }
    }

    protected override void EmitDeclaredData(SourceWriter w, ConcatLayerPlan plan)
    {
    }

    protected override string ReferenceLayer(ConcatLayerPlan plan) => ConcatEmitter.ReferenceLayer(plan);
}

/// <summary>[Reshape] and [Flatten] (<paramref name="flatten"/>): a new shape over the same bytes.</summary>
internal sealed class ReshapeOp : Op<ReshapeLayerSpec, ReshapeLayerPlan>
{
    private readonly bool _flatten;

    public ReshapeOp(bool flatten) => _flatten = flatten;

    public override string AttributeName => _flatten ? "KernelGen.FlattenAttribute" : "KernelGen.ReshapeAttribute";

    public override string AttributeUsage => _flatten ? "[Flatten]" : "[Reshape(...)]";

    public override LayerSpec Read(AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => TensorOpAttributeReaders.ReadReshape(attribute, index, _flatten, cancellationToken);

    protected override ReshapeLayerPlan? Plan(ReshapeLayerSpec spec, LayerContext context, out Tensor output) => ReshapePlanningRule.Plan(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, ReshapeLayerPlan plan)
    {
        foreach (IsaPath path in IsaPath.Baseline)
            ReshapeEmitter.EmitKernel(w, plan, path);
    }

    protected override void EmitDeclaredData(SourceWriter w, ReshapeLayerPlan plan)
    {
    }

    protected override string ReferenceLayer(ReshapeLayerPlan plan) => ReshapeEmitter.ReferenceLayer(plan);
}

/// <summary>[Quantize]: ONNX QuantizeLinear of a float tensor.</summary>
internal sealed class QuantizeOp : Op<QuantizeLayerSpec, QuantizeLayerPlan>
{
    public override string AttributeName => "KernelGen.QuantizeAttribute";

    public override string AttributeUsage => "[Quantize(...)]";

    public override LayerSpec Read(AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => TensorOpAttributeReaders.ReadQuantize(attribute, index, cancellationToken);

    protected override QuantizeLayerPlan? Plan(QuantizeLayerSpec spec, LayerContext context, out Tensor output)
        => QuantizePlanningRule.PlanQuantize(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, QuantizeLayerPlan plan) => Emit(w, plan);

    /// <summary>Quantize and Dequantize plans share one record and emitter.</summary>
    internal static void Emit(SourceWriter w, QuantizeLayerPlan plan)
    {
        QuantizeEmitter.EmitData(w, plan);
        foreach (IsaPath path in IsaPath.Baseline)
        {
            if (path.Simd)
                QuantizeEmitter.EmitKernel(w, plan, path);
            else
                QuantizeEmitter.EmitScalar(w, plan);
        }
    }

    protected override void EmitDeclaredData(SourceWriter w, QuantizeLayerPlan plan)
    {
    }

    protected override string ReferenceLayer(QuantizeLayerPlan plan) => QuantizeEmitter.ReferenceLayer(plan);
}

/// <summary>[Dequantize]: ONNX DequantizeLinear to float (its plans are emitted by <see cref="QuantizeOp"/>).</summary>
internal sealed class DequantizeOp : Op<DequantizeLayerSpec, QuantizeLayerPlan>
{
    public override string AttributeName => "KernelGen.DequantizeAttribute";

    public override string AttributeUsage => "[Dequantize]";

    public override LayerSpec Read(AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => TensorOpAttributeReaders.ReadDequantize(attribute, index, cancellationToken);

    protected override QuantizeLayerPlan? Plan(DequantizeLayerSpec spec, LayerContext context, out Tensor output)
        => QuantizePlanningRule.PlanDequantize(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, QuantizeLayerPlan plan) => QuantizeOp.Emit(w, plan);

    protected override void EmitDeclaredData(SourceWriter w, QuantizeLayerPlan plan)
    {
    }

    protected override string ReferenceLayer(QuantizeLayerPlan plan) => QuantizeEmitter.ReferenceLayer(plan);
}

/// <summary>The layout conversion the planner inserts at the edges of an NCHW model; no attribute declares it.</summary>
internal sealed class LayoutOp : Op<LayoutLayerSpec, LayoutLayerPlan>
{
    public override string AttributeName => "";

    public override string AttributeUsage => "";

    public override bool Internal => true;

    public override LayerSpec Read(AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => throw new System.InvalidOperationException("no attribute declares a layout conversion");

    protected override LayoutLayerPlan? Plan(LayoutLayerSpec spec, LayerContext context, out Tensor output) => LayoutPlanningRule.Plan(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, LayoutLayerPlan plan)
    {
        foreach (IsaPath path in IsaPath.Baseline)
            LayoutEmitter.EmitKernel(w, plan, path);
    }

    protected override void EmitDeclaredData(SourceWriter w, LayoutLayerPlan plan)
    {
    }

    protected override string ReferenceLayer(LayoutLayerPlan plan) => LayoutEmitter.ReferenceLayer(plan);
}
