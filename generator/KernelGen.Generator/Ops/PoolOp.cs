using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Emitting;
using KernelGen.Generator.Model;
using KernelGen.Generator.Parsing;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Ops;

/// <summary>[MaxPool], [AveragePool], [GlobalAveragePool]: one op per attribute, sharing spec, rule and emitter.</summary>
internal sealed class PoolOp : Op
{
    private readonly PoolKind _kind;

    public PoolOp(PoolKind kind) => _kind = kind;

    public override string AttributeName => _kind switch
    {
        PoolKind.Max => "KernelGen.MaxPoolAttribute",
        PoolKind.Average => "KernelGen.AveragePoolAttribute",
        _ => "KernelGen.GlobalAveragePoolAttribute",
    };

    public override string AttributeUsage => _kind switch
    {
        PoolKind.Max => "[MaxPool(...)]",
        PoolKind.Average => "[AveragePool(...)]",
        _ => "[GlobalAveragePool]",
    };

    public override LayerSpec Read(
        AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        => PoolAttributeReader.Read(attribute, index, _kind, cancellationToken);

    public override bool Handles(LayerSpec spec) => spec is PoolLayerSpec pool && pool.Kind == _kind;

    public override bool Handles(LayerPlan plan) => plan is PoolLayerPlan pool && pool.Kind == _kind;

    public override LayerPlan? Plan(LayerSpec spec, LayerContext context, out Tensor output)
        => PoolPlanningRule.Plan((PoolLayerSpec)spec, context, out output);

    public override void EmitLayer(SourceWriter w, LayerPlan plan)
    {
        var pool = (PoolLayerPlan)plan;
        PoolEmitter.EmitData(w, pool);
        foreach (IsaPath path in IsaPath.Baseline)
        {
            if (path.Simd)
                PoolEmitter.EmitSimd(w, pool, path);
            else
                PoolEmitter.EmitScalar(w, pool);
        }
    }

    public override void EmitDeclaredData(SourceWriter w, LayerPlan plan)
    {
    }

    public override string ReferenceLayer(LayerPlan plan) => PoolEmitter.ReferenceLayer((PoolLayerPlan)plan);
}
