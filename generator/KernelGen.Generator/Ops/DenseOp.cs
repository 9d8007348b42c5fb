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

    protected override DenseLayerPlan? Plan(
        DenseLayerSpec spec, LayerInput input, string identifier, ModelInputs inputs, List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken, out LayerInput output)
    {
        output = new LayerInput(spec.Outputs, input.Signed, spec.OutputScale, spec.OutputZeroPoint, spec.DisplayName);
        return DensePlanningRule.Plan(spec, input, identifier, inputs, diagnostics, cancellationToken);
    }

    protected override void EmitLayer(SourceWriter w, DenseLayerPlan plan)
    {
        DenseEmitter.EmitData(w, plan);
        DenseEmitter.EmitKernel(w, plan, Vnni);
        DenseEmitter.EmitKernel(w, plan, plan.Avx2Dot == Avx2DotProduct.MultiplyAddBytes ? Avx2Bytes : Avx2Widened);
        DenseEmitter.EmitScalar(w, plan);
    }

    protected override void EmitDeclaredData(SourceWriter w, DenseLayerPlan plan) => DenseEmitter.EmitDeclaredData(w, plan);

    protected override string ReferenceLayer(DenseLayerPlan plan) => DenseEmitter.ReferenceLayer(plan);
}
