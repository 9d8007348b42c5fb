using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Generator.Model;

/// <summary>A source location without a reference to a syntax tree, so it can live in cached pipeline values.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null)
            return null;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }
}

/// <summary>Where one named argument of an attribute was written.</summary>
internal sealed record ArgumentLocation(string Name, LocationInfo Location);

/// <summary>A diagnostic to report later, holding only equatable data.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments)
    {
        string[] text = new string[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
            text[i] = System.Convert.ToString(arguments[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new DiagnosticInfo(descriptor, location, new EquatableArray<string>(text));
    }

    public Diagnostic ToDiagnostic()
    {
        object[] args = new object[Arguments.Length];
        for (int i = 0; i < args.Length; i++)
            args[i] = Arguments[i];
        return Diagnostic.Create(Descriptor, Location?.ToLocation(), args);
    }
}
