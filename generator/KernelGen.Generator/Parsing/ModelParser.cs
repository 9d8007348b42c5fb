using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing;

/// <summary>Syntax and symbols to a <see cref="ModelSpec"/>: the only stage that touches Roslyn's semantic model.</summary>
internal static class ModelParser
{
    public const string ModelAttributeName = "KernelGen.QuantizedModelAttribute";

    private const string DenseAttributeName = "KernelGen.DenseAttribute";

    public static ModelSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.Length == 0)
            return null;

        var diagnostics = new List<DiagnosticInfo>();
        LocationInfo? classLocation = LocationInfo.From(((TypeDeclarationSyntax)context.TargetNode).Identifier.GetLocation());

        if (!IsPartialAll(type, cancellationToken))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelNotPartial, classLocation, type.Name));

        Compilation compilation = context.SemanticModel.Compilation;
        if (compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.X86.AvxVnni") is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedTarget, classLocation, type.Name));

        InputSpec input = ParseInput(context.Attributes[0], cancellationToken);

        var layers = new List<LayerSpec>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (attribute.AttributeClass?.ToDisplayString() != DenseAttributeName || attribute.AttributeConstructor is null)
                continue;
            layers.Add(DenseAttributeReader.Read(attribute, layers.Count, type, compilation, diagnostics, cancellationToken));
        }

        var containing = new List<string>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            containing.Insert(0, TypeKeyword(outer) + " " + outer.Name + TypeParameters(outer));

        bool allowUnsafe = compilation.Options is CSharpCompilationOptions options && options.AllowUnsafe;
        string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;

        return new ModelSpec(
            ns,
            type.Name,
            containing.ToEquatableArray(),
            allowUnsafe,
            classLocation,
            input,
            layers.ToEquatableArray(),
            diagnostics.ToEquatableArray(),
            TypeKeyword(type),
            TypeParameters(type));
    }

    private static InputSpec ParseInput(AttributeData attribute, CancellationToken cancellationToken)
    {
        var reader = new AttributeArguments(attribute, cancellationToken);
        return new InputSpec(
            reader.Constructor<int>(0),
            reader.Named("ActivationType", 0),
            reader.Named("InputScale", 0f),
            reader.Named("InputZeroPoint", 0),
            reader.Location,
            reader.Locations);
    }

    private static bool IsPartialAll(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            foreach (SyntaxReference reference in t.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                    && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static string TypeKeyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string TypeParameters(INamedTypeSymbol type)
        => type.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", type.TypeParameters) + ">";
}
