using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Emitting;
using KernelGen.Generator.Model;
using KernelGen.Generator.Parsing;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Ops;

/// <summary>[Requantize]: a tensor moved to another scale (TFLite Requantize), folded into its producer where it can be.</summary>
internal sealed class RequantizeOp : Op<RequantizeLayerSpec, RequantizeLayerPlan>
{
    public override string AttributeName => "KernelGen.RequantizeAttribute";

    public override string AttributeUsage => "[Requantize(...)]";

    public override LayerSpec Read(
        AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => RequantizeAttributeReader.Read(attribute, index, cancellationToken);

    protected override RequantizeLayerPlan? Plan(RequantizeLayerSpec spec, LayerContext context, out Tensor output)
        => RequantizePlanningRule.Plan(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, RequantizeLayerPlan plan) => RequantizeEmitter.EmitLayer(w, plan);

    protected override void EmitDeclaredData(SourceWriter w, RequantizeLayerPlan plan)
    {
    }

    protected override string ReferenceLayer(RequantizeLayerPlan plan) => RequantizeEmitter.ReferenceLayer(plan);
}
