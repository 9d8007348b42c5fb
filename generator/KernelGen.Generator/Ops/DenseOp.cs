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
    private static readonly DotProductStep Vnni = new DotProductStep.Vnni();
    private static readonly DotProductStep Avx2Bytes = new DotProductStep.MultiplyAddBytes();
    private static readonly DotProductStep Avx2Widened = new DotProductStep.WidenToInt16();

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
            if (path.DotProduct is not { } kind)
                DenseEmitter.EmitScalar(w, plan);
            else
                DenseEmitter.EmitKernel(w, plan, kind == IsaDotProduct.Vnni ? Vnni : plan.Avx2Dot == Avx2DotProduct.MultiplyAddBytes ? Avx2Bytes : Avx2Widened);
        }
    }

    protected override void EmitDeclaredData(SourceWriter w, DenseLayerPlan plan) => DenseEmitter.EmitDeclaredData(w, plan);

    protected override string ReferenceLayer(DenseLayerPlan plan) => DenseEmitter.ReferenceLayer(plan);
}
