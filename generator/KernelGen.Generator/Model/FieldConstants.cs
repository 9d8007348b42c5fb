namespace KernelGen.Generator.Model;

/// <summary>
/// The integer values of one large array field, read from syntax alone (so the read is cached per syntax tree and an edit
/// to another file does not repeat it).
/// </summary>
/// <param name="Values">The elements as written, before any conversion to the field's element type.</param>
/// <param name="NotLiteral">Index of the first element that is not an integer literal form, or -1.</param>
/// <param name="NotLiteralLocation">Where that element is.</param>
internal sealed record FieldConstants(FieldKey Key, EquatableArray<long> Values, int NotLiteral, LocationInfo? NotLiteralLocation);
