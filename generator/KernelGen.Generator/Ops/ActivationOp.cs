using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Emitting;
using KernelGen.Generator.Model;
using KernelGen.Generator.Parsing;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Ops;

/// <summary>[Relu] and [Relu6]: one op class, one instance per attribute; fused into the producer's clamp where possible.</summary>
internal sealed class ActivationOp : Op<ActivationLayerSpec, ActivationLayerPlan>
{
    private readonly string _attributeName;
    private readonly string _op;
    private readonly Activation _kind;

    public ActivationOp(string op, Activation kind)
    {
        _op = op;
        _attributeName = $"KernelGen.{op}Attribute";
        _kind = kind;
    }

    public override string AttributeName => _attributeName;

    public override string AttributeUsage => $"[{_op}]";

    public override LayerSpec Read(
        AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        (string name, EquatableArray<string> inputs) = LayerArguments.Common(args, _op, index);
        return new ActivationLayerSpec(index, name, args.Location, args.Locations, inputs, _kind);
    }

    protected override ActivationLayerPlan? Plan(ActivationLayerSpec spec, LayerContext context, out Tensor output)
        => ActivationPlanningRule.Plan(spec, context, out output);

    protected override void EmitLayer(SourceWriter w, ActivationLayerPlan plan) => ActivationEmitter.EmitLayer(w, plan);

    protected override void EmitDeclaredData(SourceWriter w, ActivationLayerPlan plan)
    {
    }

    protected override string ReferenceLayer(ActivationLayerPlan plan) => ActivationEmitter.ReferenceLayer(plan);
}
