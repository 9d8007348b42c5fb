using System;
using System.Collections.Generic;
using System.Globalization;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Quantization;

namespace KernelGen.Generator.Planning;

/// <summary>Validation shared by every op's planning rule and the model input.</summary>
internal static class PlanningChecks
{
    /// <summary>Largest tensor dimension a declaration may give (KG0016).</summary>
    public const int MaxSize = 65536;

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

    /// <summary>
    /// A quantization parameter given per tensor or per output channel: exactly one form (KG0014), one entry per
    /// channel (KG0009), each entry valid. Returns the values (length 1 or <paramref name="channels"/>) or null.
    /// </summary>
    /// <param name="whenMissing">The per-tensor value when neither form is given, or null if one is required.</param>
    /// <param name="countChannels">False when the layer's size is itself invalid, so the count is not compared.</param>
    public static T[]? PerTensorOrChannel<T>(
        LayerSpec layer, string what, string tensorArgument, T? perTensor, string channelArgument, EquatableArray<T>? perChannel,
        T? whenMissing, int channels, bool countChannels, Func<string, T, LocationInfo?, bool> isValid, List<DiagnosticInfo> diagnostics)
        where T : struct, IEquatable<T>
    {
        if (perTensor is not null && perChannel is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConflictingArguments, layer.LocationOf(channelArgument), layer.DisplayName,
                $"set {tensorArgument} (per-tensor) or {channelArgument} (per-channel), not both"));
            return null;
        }
        if (perChannel is { } values)
        {
            if (countChannels && values.Length != channels)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ChannelCountMismatch, layer.LocationOf(channelArgument), layer.DisplayName,
                    channelArgument, values.Length, channels));
                return null;
            }
            bool valid = true;
            for (int j = 0; j < values.Length; j++)
                valid &= isValid($"{channelArgument}[{j}]", values[j], layer.LocationOf(channelArgument));
            return valid ? values.AsSpan().ToArray() : null;
        }
        if ((perTensor ?? whenMissing) is not { } value)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConflictingArguments, layer.Location, layer.DisplayName,
                $"no {what}: set {tensorArgument} (per-tensor) or {channelArgument} (per-channel)"));
            return null;
        }
        return isValid(tensorArgument, value, layer.LocationOf(tensorArgument)) ? new[] { value } : null;
    }

    public static string TypeName(QuantType type) => type switch
    {
        QuantType.UInt8 => "UInt8",
        QuantType.Int8 => "Int8",
        QuantType.Int32 => "Int32",
        QuantType.Float32 => "Float32",
        _ => $"(QuantType){(int)type}",
    };
}
