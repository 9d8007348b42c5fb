namespace KernelGen.Generator.Model;

/// <summary>Where one named argument of an attribute was written.</summary>
internal sealed record ArgumentLocation(string Name, LocationInfo Location);
