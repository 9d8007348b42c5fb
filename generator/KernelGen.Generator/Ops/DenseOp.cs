using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Emitting;
using KernelGen.Generator.Model;
using KernelGen.Generator.Parsing;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Ops;

/// <summary>[Dense]: a fully connected layer (TFLite FullyConnected, ONNX QLinearMatMul with a constant B).</summary>
internal sealed class DenseOp : Op<DenseLayerSpec, DenseLayerPlan>
{
    public override string AttributeName => "KernelGen.DenseAttribute";

    public override string AttributeUsage => "[Dense(...)]";

    public override LayerSpec Read(
        AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => DenseAttributeReader.Read(attribute, index, model, compilation, diagnostics, cancellationToken);

    protected override DenseLayerPlan? Plan(DenseLayerSpec spec, LayerContext context, out Tensor output)
        => DensePlanningRule.Plan(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, DenseLayerPlan plan)
    {
        DenseEmitter.EmitData(w, plan);
        foreach (IsaPath path in IsaPath.All)
        {
            if (path.Simd)
                DenseEmitter.EmitKernel(w, plan, path);
            else
                DenseEmitter.EmitScalar(w, plan);
        }
    }

    public override IReadOnlyCollection<IsaPath> KernelPaths => IsaPath.All;

    public override string KernelName(LayerPlan plan, IsaPath path)
        => path.Simd ? GemmEmitter.KernelName(plan.Identifier, "Dense", DenseEmitter.Row((DenseLayerPlan)plan), path) : base.KernelName(plan, path);

    public override bool Batched => true;

    public override int SplitTiles(LayerPlan plan) => ((DenseLayerPlan)plan).SplitTiles;

    protected override void EmitDeclaredData(SourceWriter w, DenseLayerPlan plan) => DenseEmitter.EmitDeclaredData(w, plan);

    protected override string ReferenceLayer(DenseLayerPlan plan) => DenseEmitter.ReferenceLayer(plan);
}
