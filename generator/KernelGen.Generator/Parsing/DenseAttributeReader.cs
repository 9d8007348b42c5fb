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
        string name = args.Named<string?>("Name", null) ?? "Dense" + index;
        string display = $"Dense layer '{name}'";
        QuantType weightType = args.NamedEnum("WeightType", QuantType.Int8);

        var weights = new ConstantSource(
            args.Named<string?>("Weights", null),
            args.Named<string?>("WeightsFile", null),
            null);
        if (weights.FieldName is not null)
        {
            weights = ConstantFieldReader.Read(
                model, weights.FieldName, ConstantFieldReader.WeightElementType(weightType), "Weights",
                display, args.Locations, args.Location, compilation, diagnostics, cancellationToken) with { FilePath = weights.FilePath };
        }

        var bias = new ConstantSource(args.Named<string?>("Bias", null), args.Named<string?>("BiasFile", null), null);
        if (bias.FieldName is not null)
        {
            bias = ConstantFieldReader.Read(
                model, bias.FieldName, SpecialType.System_Int32, "Bias",
                display, args.Locations, args.Location, compilation, diagnostics, cancellationToken) with { FilePath = bias.FilePath };
        }

        return new DenseLayerSpec(
            index,
            name,
            args.Location,
            args.Locations,
            args.Constructor<int>(0),
            args.Constructor<int>(1),
            weights,
            weightType,
            args.NamedOrNull<float>("WeightScale"),
            args.NamedArray<float>("WeightScales"),
            args.NamedOrNull<int>("WeightZeroPoint"),
            args.NamedArray<int>("WeightZeroPoints"),
            bias,
            args.Named("OutputScale", 0f),
            args.Named("OutputZeroPoint", 0),
            args.NamedEnum("Activation", Activation.None));
    }
}
