namespace KernelGen.Generator.Emitting;

/// <summary>Column offsets as C# text: constants stay constants, the loop variable stays readable.</summary>
internal static class Offsets
{
    /// <summary>
    /// An int offset expression, for Unsafe.Add: variable part <paramref name="variable"/> (or null) plus a constant. Loads
    /// take their offsets through Unsafe.Add too, never as LoadUnsafe's nuint: that needs C# 9, and a user type named
    /// nuint would capture it.
    /// </summary>
    public static string Int(string? variable, int constant)
    {
        if (variable is null)
            return constant.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return constant == 0 ? variable : $"{variable} + {constant}";
    }
}
