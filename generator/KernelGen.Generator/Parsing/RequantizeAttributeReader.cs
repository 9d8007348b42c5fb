using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing;

/// <summary>[Requantize(...)] to a <see cref="RequantizeLayerSpec"/>, values as written.</summary>
internal static class RequantizeAttributeReader
{
    public static RequantizeLayerSpec Read(AttributeData attribute, int index, System.Threading.CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        (string name, EquatableArray<string> inputs) = LayerArguments.Common(args, "Requantize", index);
        return new RequantizeLayerSpec(
            index, name, args.Location, args.Locations, inputs,
            args.Named("OutputScale", 0f),
            args.Named("OutputZeroPoint", 0),
            args.Has("OutputType") ? args.NamedEnum("OutputType", QuantType.UInt8) : null);
    }
}
