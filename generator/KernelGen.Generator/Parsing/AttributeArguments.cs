using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing;

/// <summary>Reads one attribute's constructor and named arguments, and where each was written.</summary>
internal sealed class AttributeArguments
{
    private readonly AttributeData _attribute;

    public AttributeArguments(AttributeData attribute, CancellationToken cancellationToken)
    {
        _attribute = attribute;
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        Location = LocationInfo.From(syntax);
        var locations = new List<ArgumentLocation>();
        if (syntax?.ArgumentList is { } list)
        {
            int position = 0;
            foreach (AttributeArgumentSyntax argument in list.Arguments)
            {
                string name = argument.NameEquals?.Name.Identifier.ValueText
                    ?? argument.NameColon?.Name.Identifier.ValueText
                    ?? "#" + position++;
                if (LocationInfo.From(argument) is { } location)
                    locations.Add(new ArgumentLocation(name, location));
            }
        }
        Locations = locations.ToEquatableArray();
    }

    public LocationInfo? Location { get; }

    public EquatableArray<ArgumentLocation> Locations { get; }

    public bool Has(string name) => _attribute.NamedArguments.Any(a => a.Key == name);

    public T Constructor<T>(int index)
        => index < _attribute.ConstructorArguments.Length && _attribute.ConstructorArguments[index].Value is T value ? value : default!;

    /// <summary>A params-array constructor argument: its elements (an element of another type reads as default), or empty.</summary>
    public EquatableArray<T> ConstructorArray<T>(int index) where T : System.IEquatable<T>
    {
        if (index >= _attribute.ConstructorArguments.Length)
            return EquatableArray<T>.Empty;
        TypedConstant argument = _attribute.ConstructorArguments[index];
        if (argument.Kind != TypedConstantKind.Array || argument.IsNull)
            return EquatableArray<T>.Empty;
        return argument.Values.Select(v => v.Value is T t ? t : default!).ToEquatableArray();
    }

    public T Named<T>(string name, T fallback)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in _attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Kind != TypedConstantKind.Array && argument.Value.Value is T value)
                return value;
        }
        return fallback;
    }

    /// <summary>An enum argument: attribute enums arrive as their underlying int, so any value (even an undefined one) is kept.</summary>
    public TEnum NamedEnum<TEnum>(string name, TEnum fallback) where TEnum : struct, System.Enum
    {
        foreach (KeyValuePair<string, TypedConstant> argument in _attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Kind == TypedConstantKind.Enum && argument.Value.Value is int value)
                return (TEnum)(object)value;
        }
        return fallback;
    }

    public T? NamedOrNull<T>(string name) where T : struct
        => Has(name) ? Named(name, default(T)) : null;

    public EquatableArray<T>? NamedArray<T>(string name) where T : System.IEquatable<T>
    {
        foreach (KeyValuePair<string, TypedConstant> argument in _attribute.NamedArguments)
        {
            if (argument.Key != name || argument.Value.Kind != TypedConstantKind.Array)
                continue;
            if (argument.Value.IsNull)
                return null;
            return argument.Value.Values.Select(v => v.Value is T t ? t : default!).ToEquatableArray();
        }
        return null;
    }
}
