using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Generator.Ops;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing;

/// <summary>Syntax and symbols to a <see cref="ModelSpec"/>: the only stage that touches Roslyn's semantic model.</summary>
internal static class ModelParser
{
    public const string ModelAttributeName = "KernelGen.QuantizedModelAttribute";

    public static ModelSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.Length == 0)
            return null;

        // One spec per type. With [QuantizedModel] on several partial declarations, the declaration that holds the first
        // of them (by file path, then position) speaks for the type and reports the others; the other declarations yield
        // nothing, so the type never gets two generated files.
        List<AttributeData> modelAttributes = type.GetAttributes()
            .Where(a => a.AttributeClass?.ToDisplayString() == ModelAttributeName && a.ApplicationSyntaxReference is not null)
            .OrderBy(a => a.ApplicationSyntaxReference!.SyntaxTree.FilePath, StringComparer.Ordinal)
            .ThenBy(a => a.ApplicationSyntaxReference!.Span.Start)
            .ToList();
        if (modelAttributes.Count == 0
            || modelAttributes[0].ApplicationSyntaxReference!.GetSyntax(cancellationToken).Parent?.Parent != context.TargetNode)
        {
            return null;
        }

        var diagnostics = new List<DiagnosticInfo>();
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        LocationInfo? classLocation = LocationInfo.From(declaration.Identifier.GetLocation());
        string name = type.Name;

        foreach (AttributeData extra in modelAttributes.Skip(1))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelDeclaredTwice,
                LocationInfo.From(extra.ApplicationSyntaxReference!.GetSyntax(cancellationToken)), name));
        }

        if (Unsupported(type) is { } why)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, classLocation, name, why));
        else if (!IsPartialAll(type, cancellationToken))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelNotPartial, classLocation, name));

        Compilation compilation = context.SemanticModel.Compilation;
        if (compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.X86.AvxVnni") is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedTarget, classLocation, name));

        var parseOptions = declaration.SyntaxTree.Options as CSharpParseOptions;
        LanguageVersion languageVersion = parseOptions?.LanguageVersion ?? LanguageVersion.Latest;
        if (languageVersion < LanguageVersion.CSharp7_3)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LanguageVersionTooOld, classLocation, name, languageVersion.ToDisplayString()));

        InputSpec input = ParseInput(modelAttributes[0], cancellationToken);
        string element = GeneratedMembers.ElementType(input.ActivationType);
        GeneratedMembers.ReportCollisions(type, element, classLocation, diagnostics, cancellationToken);

        var layers = new List<LayerSpec>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (attribute.AttributeConstructor is null || OpTable.ForAttribute(attribute.AttributeClass?.ToDisplayString()) is not { } op)
                continue;
            layers.Add(op.Read(attribute, layers.Count, type, compilation, diagnostics, cancellationToken));
        }

        var containing = new List<TypeShape>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            containing.Insert(0, Shape(outer));
        TypeShape shape = Shape(type);
        string? ns = NamespaceOf(type);
        string hintBase = (ns is null ? "" : ns + ".") + string.Concat(containing.Select(t => t.HintSegment + ".")) + shape.HintSegment;

        var declarationInfo = new ModelDeclaration(
            ns,
            containing.ToEquatableArray(),
            shape,
            hintBase,
            GeneratedMembers.Hidden(type, element).ToEquatableArray(),
            compilation.Options is CSharpCompilationOptions { AllowUnsafe: true },
            (int)languageVersion);

        return new ModelSpec(declarationInfo, classLocation, input, layers.ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    /// <summary>The namespace as written, without keyword escapes; null for the global namespace.</summary>
    public static string? NamespaceOf(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (INamespaceSymbol? n = type.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
            parts.Insert(0, n.Name);
        return parts.Count == 0 ? null : string.Join(".", parts);
    }

    /// <summary>Why the type cannot carry generated members, or null.</summary>
    private static string? Unsupported(INamedTypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Interface)
            return "an interface";
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            // A file-local type's partial declarations must all be in its file, which a generator cannot add to.
            if (t.IsFileLocal)
                return t.Equals(type, SymbolEqualityComparer.Default) ? "a file-local type" : $"nested in the file-local type '{t.Name}'";
        }
        return null;
    }

    private static InputSpec ParseInput(AttributeData attribute, CancellationToken cancellationToken)
    {
        var reader = new AttributeArguments(attribute, cancellationToken);
        bool featureMap = attribute.ConstructorArguments.Length == 3;
        int size = featureMap
            ? (int)System.Math.Min(int.MaxValue, System.Math.Max(int.MinValue,
                (long)reader.Constructor<int>(0) * reader.Constructor<int>(1) * reader.Constructor<int>(2)))
            : reader.Constructor<int>(0);
        return new InputSpec(
            size,
            featureMap
                ? new[] { reader.Constructor<int>(0), reader.Constructor<int>(1), reader.Constructor<int>(2) }.ToEquatableArray()
                : EquatableArray<int>.Empty,
            reader.NamedEnum("ActivationType", QuantType.UInt8),
            reader.Named("InputScale", 0f),
            reader.Named("InputZeroPoint", 0),
            reader.NamedEnum("Layout", TensorLayout.Nhwc),
            reader.NamedEnum("Requantization", RequantizationScheme.FixedPoint),
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

    private static TypeShape Shape(INamedTypeSymbol type)
        => new(Keyword(type), type.Name, type.TypeParameters.Select(p => p.Name).ToEquatableArray());

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };
}
