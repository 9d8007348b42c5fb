namespace KernelGen.Generator.Emitting;

/// <summary>Column offsets as C# text: constants stay constants, the loop variable stays readable.</summary>
internal static class Offsets
{
    /// <summary>An nuint offset expression: variable part <paramref name="variable"/> (or null) plus a constant.</summary>
    public static string Of(string? variable, int constant)
    {
        if (variable is null)
            return constant.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return constant == 0 ? $"(nuint){variable}" : $"(nuint)({variable} + {constant})";
    }

    /// <summary>An int expression: variable part plus a constant, for Unsafe.Add.</summary>
    public static string Int(string? variable, int constant)
    {
        if (variable is null)
            return constant.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return constant == 0 ? variable : $"{variable} + {constant}";
    }
}
