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
internal static class ConstantFieldReader
{
    /// <summary>Element type a weights field must have for <paramref name="weightType"/> (QuantType value); None if unsupported.</summary>
    public static SpecialType WeightElementType(int weightType) => weightType switch
    {
        0 => SpecialType.System_Byte,
        1 => SpecialType.System_SByte,
        _ => SpecialType.None,
    };

    public static EquatableArray<int>? Read(
        INamedTypeSymbol model, string fieldName, SpecialType elementType, string argument, string layer,
        EquatableArray<ArgumentLocation> locations, LocationInfo? attributeLocation, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        LocationInfo? argumentLocation = ArgumentLookup.Find(locations, argument) ?? attributeLocation;
        IFieldSymbol? field = model.GetMembers(fieldName).OfType<IFieldSymbol>().FirstOrDefault();
        if (field is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldMissing, argumentLocation, layer, argument, fieldName));
            return null;
        }

        LocationInfo? fieldLocation = LocationInfo.From(field.Locations.FirstOrDefault()) ?? argumentLocation;
        if (field.Type is not IArrayTypeSymbol { Rank: 1 } array)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldNotConstant, fieldLocation, layer, fieldName,
                $"has type {field.Type.ToDisplayString()}; it must be a one-dimensional array ({Expected(argument, elementType)})"));
            return null;
        }
        if (elementType == SpecialType.None)
            return null; // the planning rule reports the unsupported WeightType itself
        if (array.ElementType.SpecialType != elementType)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, fieldLocation, layer,
                $"the element type of field '{fieldName}'", array.ElementType.ToDisplayString(),
                $"{argument} needs {Expected(argument, elementType)}"));
            return null;
        }
        if (!field.IsStatic || !(field.IsReadOnly || field.IsConst))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SourceFieldNotConstant, fieldLocation, layer, fieldName,
                "must be static readonly: the generator folds its values at compile time, so they must not change at run time"));
            return null;
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
            return null;
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
                return null;
            }
            values.Add(value);
        }
        return values.ToEquatableArray();
    }

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
