using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing;

/// <summary>
/// The names KernelGen adds to a model type, and the checks that keep them from colliding with the user's own members.
/// Everything else the generator emits lives inside <see cref="KernelsClass"/>, where only generated names exist.
/// </summary>
internal static class GeneratedMembers
{
    public const string InputSize = "InputSize";
    public const string OutputSize = "OutputSize";
    public const string ActivePath = "ActivePath";
    public const string Run = "Run";
    public const string RunReference = "RunReference";
    public const string ScratchSize = "ScratchSize";
    public const string RunParallel = "RunParallel";

    /// <summary>The key <see cref="Hidden"/> uses for Run's overload with a scratch span (not a member name).</summary>
    public const string RunWithScratch = "Run(scratch)";

    /// <summary>The private nested class that holds the kernels, their constants and the reference layers.</summary>
    public const string KernelsClass = "KernelGenKernels";

    public static readonly string[] All = { InputSize, OutputSize, ScratchSize, ActivePath, Run, RunParallel, RunReference, KernelsClass };

    private static readonly Dictionary<string, string> What = new()
    {
        [InputSize] = "constant InputSize",
        [OutputSize] = "constant OutputSize",
        [ScratchSize] = "constant ScratchSize",
        [ActivePath] = "property ActivePath",
        [Run] = "method Run(ReadOnlySpan<TIn>, Span<TOut>) and Run(ReadOnlySpan<TIn>, Span<TOut>, Span<byte>)",
        [RunParallel] = "method RunParallel(ReadOnlyMemory<TIn>, Memory<TOut>, int)",
        [RunReference] = "method RunReference(ReadOnlySpan<TIn>, Span<TOut>)",
        [KernelsClass] = "nested class KernelGenKernels",
    };

    /// <summary>
    /// Reports KG0021 for a declared member, type parameter or the type itself whose name a generated member takes. A
    /// method named Run or RunReference only collides with the generated signature; other overloads are fine.
    /// </summary>
    public static void ReportCollisions(
        INamedTypeSymbol type, string element, LocationInfo? classLocation, List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        foreach (string name in All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (type.Name == name)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GeneratedMemberCollision, classLocation, "The type", name, type.Name, What[name]));
            foreach (ITypeParameterSymbol parameter in type.TypeParameters.Where(p => p.Name == name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GeneratedMemberCollision,
                    LocationInfo.From(parameter.Locations.FirstOrDefault()) ?? classLocation, "Type parameter", name, type.Name, What[name]));
            }
            foreach (ISymbol member in type.GetMembers(name))
            {
                if (member.IsImplicitlyDeclared || !Collides(member, name, element))
                    continue;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GeneratedMemberCollision,
                    LocationInfo.From(member.Locations.FirstOrDefault()) ?? classLocation, Kind(member), name, type.Name, What[name]));
            }
        }
    }

    /// <summary>
    /// Generated names that hide an accessible member of a base type, emitted with <c>new</c>. A base type that is itself
    /// a model gets its members from this generator, which the compilation being parsed does not contain yet: its public
    /// generated members are known from its [QuantizedModel] attribute (Run and RunReference only hide with the same
    /// element type).
    /// </summary>
    public static IEnumerable<string> Hidden(INamedTypeSymbol type, string element)
    {
        foreach (string name in All)
        {
            for (INamedTypeSymbol? b = type.BaseType; b is not null && b.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); b = b.BaseType)
            {
                if (name is Run or RunReference)
                {
                    // Whether Run / RunReference hide a base method depends on the output's element type, known only after
                    // planning: each matching base signature is recorded as "Run:{output element}" ("Run(scratch):..." for
                    // the scratch overload), a base model's as "Run:*", and the emitter decides.
                    foreach (ISymbol member in b.GetMembers(name))
                    {
                        if (member.DeclaredAccessibility == Accessibility.Private || member is not IMethodSymbol method || !Collides(member, name, element))
                            continue;
                        string key = method.Parameters.Length == 3 ? RunWithScratch : name;
                        yield return $"{key}:{ElementName(method.Parameters[1].Type)}";
                    }
                    if (ModelElementType(b) == element)
                    {
                        yield return name + ":*";
                        if (name == Run)
                            yield return RunWithScratch + ":*";
                    }
                    continue;
                }
                if (name == RunParallel && ModelElementType(b) is { } baseElement)
                {
                    // An overload, not a hider, unless the base model's input element type is this one's (as Run).
                    if (baseElement == element)
                    {
                        yield return name + ":*";
                        break;
                    }
                    continue;
                }
                if (b.GetMembers(name).Any(m => m.DeclaredAccessibility != Accessibility.Private && Collides(m, name, element))
                    || (name != KernelsClass && ModelElementType(b) is not null))
                {
                    yield return name;
                    break;
                }
            }
        }
    }

    /// <summary>The C# keyword of a span's element type, or "?" for any other.</summary>
    private static string ElementName(ITypeSymbol span)
        => span is INamedTypeSymbol { TypeArguments.Length: 1 } named
            ? named.TypeArguments[0].SpecialType switch
            {
                SpecialType.System_Byte => "byte",
                SpecialType.System_SByte => "sbyte",
                SpecialType.System_Int32 => "int",
                SpecialType.System_Single => "float",
                _ => "?",
            }
            : "?";

    /// <summary>The C# element type of a tensor of this type at the model's edge.</summary>
    public static string ElementType(QuantType type) => type switch
    {
        QuantType.Int8 => "sbyte",
        QuantType.Int32 => "int",
        QuantType.Float32 => "float",
        _ => "byte",
    };

    /// <summary>The input span element type of a model type's generated Run, or null if it is no model.</summary>
    private static string? ModelElementType(INamedTypeSymbol type)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != ModelParser.ModelAttributeName)
                continue;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == "ActivationType" && argument.Value.Value is int activation)
                    return ElementType((QuantType)activation);
            }
            return "byte";
        }
        return null;
    }

    private static bool Collides(ISymbol member, string name, string element)
    {
        if (member is not IMethodSymbol method || name is not (Run or RunReference))
            return true;
        // The output's element type follows from the layers, which are not planned yet: any Span<T> second parameter
        // collides for KG0021 (overloads differing only there would be ambiguous to read anyway).
        bool two = method.Parameters.Length == 2, three = name == Run && method.Parameters.Length == 3;
        return method.TypeParameters.Length == 0
            && (two || three)
            && IsSpan(method.Parameters[0].Type, "ReadOnlySpan", element)
            && IsSpan(method.Parameters[1].Type, "Span", null)
            && (two || IsSpan(method.Parameters[2].Type, "Span", "byte"));
    }

    private static bool IsSpan(ITypeSymbol type, string span, string? element)
        => type is INamedTypeSymbol { Name: var n, TypeArguments.Length: 1 } named
            && n == span
            && named.ContainingNamespace?.ToDisplayString() == "System"
            && (element is null || named.TypeArguments[0].SpecialType == SpecialTypeOf(element));

    private static SpecialType SpecialTypeOf(string element) => element switch
    {
        "sbyte" => SpecialType.System_SByte,
        "int" => SpecialType.System_Int32,
        "float" => SpecialType.System_Single,
        _ => SpecialType.System_Byte,
    };

    private static string Kind(ISymbol member) => member switch
    {
        IMethodSymbol => "Method",
        IPropertySymbol => "Property",
        IFieldSymbol { IsConst: true } => "Constant",
        IFieldSymbol => "Field",
        IEventSymbol => "Event",
        INamedTypeSymbol => "Nested type",
        _ => "Member",
    };
}
