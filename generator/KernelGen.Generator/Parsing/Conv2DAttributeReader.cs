using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing;

/// <summary>[Conv2D(...)] to a <see cref="Conv2DLayerSpec"/>. Values are taken as written; the planning rule validates them.</summary>
internal static class Conv2DAttributeReader
{
    public static Conv2DLayerSpec Read(
        AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        (string name, EquatableArray<string> inputs) = LayerArguments.Common(args, "Conv2D", index);
        return new Conv2DLayerSpec(
            index,
            name,
            args.Location,
            args.Locations,
            inputs,
            args.Constructor<int>(0),
            args.Constructor<int>(1),
            args.Constructor<int>(2),
            args.NamedArray<int>("Strides"),
            args.NamedArray<int>("Dilations"),
            (int)args.NamedEnum("Padding", KernelGen.Padding.Valid),
            args.NamedArray<int>("Pads"),
            args.Named("Groups", 1),
            LayerArguments.Weights(args, $"Conv2D layer '{name}'", model, compilation, diagnostics, cancellationToken));
    }
}
