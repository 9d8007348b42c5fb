using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing;

/// <summary>[Dense(...)] to a <see cref="DenseLayerSpec"/>. Values are taken as written; the planning rule validates them.</summary>
internal static class DenseAttributeReader
{
    public static DenseLayerSpec Read(
        AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        (string name, EquatableArray<string> inputs) = LayerArguments.Common(args, "Dense", index);
        return new DenseLayerSpec(
            index,
            name,
            args.Location,
            args.Locations,
            inputs,
            args.Constructor<int>(0),
            args.Constructor<int>(1),
            LayerArguments.Weights(args, $"Dense layer '{name}'", model, compilation, diagnostics, cancellationToken));
    }
}
