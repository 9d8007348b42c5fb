using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing;

/// <summary>[DepthwiseConv2D(...)] to a <see cref="DepthwiseConv2DLayerSpec"/>. Values are taken as written; the planning
/// rule validates them.</summary>
internal static class DepthwiseConv2DAttributeReader
{
    public static DepthwiseConv2DLayerSpec Read(
        AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        (string name, EquatableArray<string> inputs) = LayerArguments.Common(args, "DepthwiseConv2D", index);
        return new DepthwiseConv2DLayerSpec(
            index,
            name,
            args.Location,
            args.Locations,
            inputs,
            args.Constructor<int>(0),
            args.Constructor<int>(1),
            args.Named("DepthMultiplier", 1),
            args.NamedArray<int>("Strides"),
            args.NamedArray<int>("Dilations"),
            (int)args.NamedEnum("Padding", KernelGen.Padding.Valid),
            args.NamedArray<int>("Pads"),
            LayerArguments.Weights(args, $"DepthwiseConv2D layer '{name}'", model, compilation, diagnostics, cancellationToken));
    }
}
