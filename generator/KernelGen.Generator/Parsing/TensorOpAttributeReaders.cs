using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing;

/// <summary>[Add], [Concat], [Reshape], [Flatten], [Quantize], [Dequantize] to their specs, values as written.</summary>
internal static class TensorOpAttributeReaders
{
    public static AddLayerSpec ReadAdd(AttributeData attribute, int index, CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        (string name, _) = LayerArguments.Common(args, "Add", index);
        // A null name stays null: the planner reports it as an unknown input at its argument.
        var inputs = new[] { args.Constructor<string>(0), args.Constructor<string>(1) }.ToEquatableArray();
        return new AddLayerSpec(index, name, args.Location, args.Locations, inputs,
            args.Named("OutputScale", 0f), args.Named("OutputZeroPoint", 0), args.NamedEnum("Activation", Activation.None));
    }

    public static ConcatLayerSpec ReadConcat(AttributeData attribute, int index, CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        (string name, _) = LayerArguments.Common(args, "Concat", index);
        return new ConcatLayerSpec(index, name, args.Location, args.Locations, args.ConstructorArray<string>(0),
            args.NamedOrNull<float>("OutputScale"), args.NamedOrNull<int>("OutputZeroPoint"));
    }

    public static ReshapeLayerSpec ReadReshape(AttributeData attribute, int index, bool flatten, CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        (string name, EquatableArray<string> inputs) = LayerArguments.Common(args, flatten ? "Flatten" : "Reshape", index);
        return new ReshapeLayerSpec(index, name, args.Location, args.Locations, inputs,
            flatten ? EquatableArray<int>.Empty : args.ConstructorArray<int>(0), flatten);
    }

    public static QuantizeLayerSpec ReadQuantize(AttributeData attribute, int index, CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        (string name, EquatableArray<string> inputs) = LayerArguments.Common(args, "Quantize", index);
        return new QuantizeLayerSpec(index, name, args.Location, args.Locations, inputs,
            args.Named("Scale", 0f), args.Named("ZeroPoint", 0), args.NamedEnum("OutputType", QuantType.UInt8));
    }

    public static DequantizeLayerSpec ReadDequantize(AttributeData attribute, int index, CancellationToken cancellationToken)
    {
        var args = new AttributeArguments(attribute, cancellationToken);
        (string name, EquatableArray<string> inputs) = LayerArguments.Common(args, "Dequantize", index);
        return new DequantizeLayerSpec(index, name, args.Location, args.Locations, inputs);
    }
}
