using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing;

/// <summary>The arguments every layer attribute has (LayerAttribute: Name, Input) and those of the weighted layers.</summary>
internal static class LayerArguments
{
    /// <summary>The layer's name (default: op and index) and its Input, as a one-element list (empty when not set).</summary>
    public static (string Name, EquatableArray<string> Inputs) Common(AttributeArguments args, string op, int index)
    {
        string name = args.Named<string?>("Name", null) ?? op + index;
        string? input = args.Named<string?>("Input", null);
        return (name, input is null ? EquatableArray<string>.Empty : new[] { input }.ToEquatableArray());
    }

    /// <summary>The WeightedLayerAttribute properties: weights and bias (fields read now), their quantization, the output.</summary>
    public static WeightSpec Weights(
        AttributeArguments args, string display, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        QuantType weightType = args.NamedEnum("WeightType", QuantType.Int8);
        var weights = new ConstantSource(args.Named<string?>("Weights", null), args.Named<string?>("WeightsFile", null), null);
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

        return new WeightSpec(
            weights,
            weightType,
            args.NamedOrNull<float>("WeightScale"),
            args.NamedArray<float>("WeightScales"),
            args.NamedOrNull<int>("WeightZeroPoint"),
            args.NamedArray<int>("WeightZeroPoints"),
            bias,
            args.Named("OutputScale", 0f),
            args.Named("OutputZeroPoint", 0),
            args.NamedEnum("Activation", Activation.None),
            args.Has("OutputType") ? args.NamedEnum("OutputType", QuantType.UInt8) : null);
    }
}
