using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing;

/// <summary>[MaxPool(...)], [AveragePool(...)], [GlobalAveragePool(...)] to a <see cref="PoolLayerSpec"/>, as written.</summary>
internal static class PoolAttributeReader
{
    public static PoolLayerSpec Read(AttributeData attribute, int index, PoolKind kind, System.Threading.CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        string op = kind switch { PoolKind.Max => "MaxPool", PoolKind.Average => "AveragePool", _ => "GlobalAveragePool" };
        (string name, EquatableArray<string> inputs) = LayerArguments.Common(args, op, index);
        bool windowed = kind != PoolKind.GlobalAverage;
        return new PoolLayerSpec(
            index,
            name,
            args.Location,
            args.Locations,
            inputs,
            kind,
            windowed ? args.Constructor<int>(0) : 0,
            windowed ? args.Constructor<int>(1) : 0,
            windowed ? args.NamedArray<int>("Strides") : null,
            windowed ? args.NamedArray<int>("Pads") : null,
            windowed && args.Has("Padding") ? (int)args.NamedEnum("Padding", KernelGen.Padding.Valid) : (int)KernelGen.Padding.Valid,
            args.NamedOrNull<float>("OutputScale"),
            args.NamedOrNull<int>("OutputZeroPoint"),
            windowed ? args.NamedEnum("Activation", Activation.None) : Activation.None);
    }
}
