using System.Collections.Generic;
using System.Globalization;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Quantization;

namespace KernelGen.Generator.Planning;

/// <summary>Validation shared by every op's planning rule and the model input.</summary>
internal static class PlanningChecks
{
    public static bool Scale(string owner, string argument, float value, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        if (value > 0 && !float.IsInfinity(value))
            return true;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScale, location, owner, argument, value.ToString("R", CultureInfo.InvariantCulture)));
        return false;
    }

    public static bool ZeroPoint(string owner, string argument, int value, QuantType type, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        int min = QuantizationMath.TypeMin(type), max = QuantizationMath.TypeMax(type);
        if (value >= min && value <= max)
            return true;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ZeroPointOutOfRange, location, owner, argument, value, type, min, max));
        return false;
    }

    public static bool Size(string owner, string argument, int value, int max, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        if (value >= 1 && value <= max)
            return true;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSize, location, owner, argument, value, max));
        return false;
    }

    public static string TypeName(int type) => type switch
    {
        0 => "UInt8",
        1 => "Int8",
        2 => "Int32",
        _ => $"(QuantType){type}",
    };
}
