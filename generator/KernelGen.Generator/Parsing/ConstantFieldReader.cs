using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing;

/// <summary>
/// Reads the constant elements of a static readonly array field (<c>= { ... }</c>, <c>= new T[] { ... }</c> or
/// <c>= [ ... ]</c>) so the generator can fold and pack them at compile time.
/// </summary>
/// <remarks>
/// This runs on every compilation change (it needs the semantic model), so it only evaluates small fields. A field of
/// more than <see cref="ConstantSource.LargeFieldThreshold"/> elements is returned as a <see cref="FieldKey"/>: its values
/// come from <see cref="LargeArrayReader"/>, which reads syntax and is cached per file, so an edit elsewhere costs nothing.
/// </remarks>
internal static class ConstantFieldReader
{
    /// <summary>Element type a weights field must have for <paramref name="weightType"/> (QuantType value); None if unsupported.</summary>
    public static SpecialType WeightElementType(QuantType weightType) => weightType switch
    {
        QuantType.UInt8 => SpecialType.System_Byte,
        QuantType.Int8 => SpecialType.System_SByte,
        _ => SpecialType.None,
    };

    public static ConstantSource Read(
        INamedTypeSymbol model, string fieldName, SpecialType elementType, string argument, string layer,
        EquatableArray<ArgumentLocation> locations, LocationInfo? attributeLocation, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var none = new ConstantSource(fieldName, null, null);
        LocationInfo? argumentLocation = ArgumentLookup.Find(locations, argument) ?? attributeLocation;
        IFieldSymbol? field = model.GetMembers(fieldName).OfType<IFieldSymbol>().FirstOrDefault();
        if (field is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldMissing, argumentLocation, layer, argument, fieldName));
            return none;
        }

        LocationInfo? fieldLocation = LocationInfo.From(field.Locations.FirstOrDefault()) ?? argumentLocation;
        if (field.Type is not IArrayTypeSymbol { Rank: 1 } array)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldNotConstant, fieldLocation, layer, fieldName,
                $"has type {field.Type.ToDisplayString()}; it must be a one-dimensional array ({Expected(argument, elementType)})"));
            return none;
        }
        if (elementType == SpecialType.None)
            return none; // the planning rule reports the unsupported WeightType itself
        if (array.ElementType.SpecialType != elementType)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, fieldLocation, layer,
                $"the element type of field '{fieldName}'", array.ElementType.ToDisplayString(),
                $"{argument} needs {Expected(argument, elementType)}"));
            return none;
        }
        if (!field.IsStatic || !(field.IsReadOnly || field.IsConst))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldNotConstant, fieldLocation, layer, fieldName,
                "must be static readonly: the generator folds its values at compile time, so they must not change at run time"));
            return none;
        }

        ExpressionSyntax? initializer = (field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as VariableDeclaratorSyntax)
            ?.Initializer?.Value;
        IEnumerable<ExpressionSyntax>? elements = initializer switch
        {
            ArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
            ImplicitArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
            InitializerExpressionSyntax init => init.Expressions,
            CollectionExpressionSyntax collection => collection.Elements.Select(e => e is ExpressionElementSyntax x ? x.Expression : null!),
            _ => null,
        };
        if (elements is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldNotConstant, fieldLocation, layer, fieldName,
                "has no array initializer; initialize it with constant values, e.g. = new[] { 1, 2, 3 }"));
            return none;
        }

        if (Count(initializer!) > ConstantSource.LargeFieldThreshold)
        {
            var types = new List<(string, int)>();
            for (INamedTypeSymbol? t = field.ContainingType; t is not null; t = t.ContainingType)
                types.Insert(0, (t.Name, t.Arity));
            return none with { LargeField = new FieldKey(initializer!.SyntaxTree.FilePath, FieldKey.TypeKeyOf(ModelParser.NamespaceOf(field.ContainingType), types), field.Name) };
        }

        SemanticModel semantic = compilation.GetSemanticModel(initializer!.SyntaxTree);
        var values = new List<int>();
        foreach (ExpressionSyntax? element in elements)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Optional<object?> constant = element is null ? default : semantic.GetConstantValue(element, cancellationToken);
            if (!constant.HasValue || constant.Value is null || !TryToInt(constant.Value, out int value))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldNotConstant,
                    LocationInfo.From((SyntaxNode?)element ?? initializer) ?? fieldLocation, layer, fieldName,
                    $"has element {values.Count} that is not a compile-time constant"));
                return none;
            }
            values.Add(value);
        }
        return none with { FieldValues = values.ToEquatableArray() };
    }

    /// <summary>Element count of an array initializer, without walking the elements.</summary>
    public static int Count(ExpressionSyntax initializer) => initializer switch
    {
        ArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions.Count,
        ImplicitArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions.Count,
        InitializerExpressionSyntax init => init.Expressions.Count,
        CollectionExpressionSyntax collection => collection.Elements.Count,
        _ => 0,
    };

    private static bool TryToInt(object value, out int result)
    {
        switch (value)
        {
            case int i: result = i; return true;
            case sbyte sb: result = sb; return true;
            case byte b: result = b; return true;
            case short s: result = s; return true;
            case ushort us: result = us; return true;
            case char c: result = c; return true;
            case long l when l >= int.MinValue && l <= int.MaxValue: result = (int)l; return true;
            case uint u when u <= int.MaxValue: result = (int)u; return true;
            default: result = 0; return false;
        }
    }

    private static string Expected(string argument, SpecialType elementType) => elementType switch
    {
        SpecialType.System_SByte => "sbyte[] for Int8 weights",
        SpecialType.System_Byte => "byte[] for UInt8 weights",
        SpecialType.System_Int32 => "int[] for an int32 bias",
        _ => argument == "Weights" ? "sbyte[] or byte[]" : "int[]",
    };
}
