using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;
using KernelGen.Quantization;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Generator.Planning.Passes;

/// <summary>
/// Graph pass: fold every explicit rescale into the op that produces its input (Glow's rule). A [Requantize] whose input
/// is read by nothing else is removed: a producer with its own requantization step (a layer with weights) is declared with
/// the Requantize's output quantization instead, and two consecutive Requantize layers become one (one multiplier, one
/// rounding). So a model written with an explicit Requantize compiles to the same kernels as one declared without it.
/// Layers that read the removed layer's name read the producer's output (the returned aliases).
/// </summary>
internal static class RequantizeFolding
{
    /// <summary>The layers after folding, to a fixed point; <paramref name="aliases"/> maps each removed name to the layer that
    /// now produces its tensor.</summary>
    public static List<LayerSpec> Run(IReadOnlyList<LayerSpec> layers, Dictionary<string, string> aliases)
    {
        var list = layers.ToList();
        // Names that are invalid or taken twice are reported by the planner against the layers as written: fold nothing.
        var names = new HashSet<string>(System.StringComparer.Ordinal) { ModelPlanner.InputName };
        foreach (LayerSpec layer in list)
        {
            if (layer is null || !SyntaxFacts.IsValidIdentifier(layer.Name) || !names.Add(layer.Name))
                return list;
        }

        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int i = 1; i < list.Count && !changed; i++)
            {
                if (list[i] is not RequantizeLayerSpec requantize || requantize.InputNames.Length > 1 || !Valid(requantize))
                    continue;
                string source = Resolve(InputOf(list, i), aliases);
                int p = list.FindIndex(l => l.Name == source);
                if (p < 0 || p >= i || Readers(list, source, aliases) != 1)
                    continue;
                LayerSpec? folded = list[p] is RequantizeLayerSpec first
                    ? first with { OutputScale = requantize.OutputScale, OutputZeroPoint = requantize.OutputZeroPoint, OutputType = requantize.OutputType ?? first.OutputType }
                    : list[p].WithOutput(requantize.OutputScale, requantize.OutputZeroPoint, requantize.OutputType);
                if (folded is null)
                    continue;

                // The next layer may have read the Requantize by default (as the previous layer): it now names it.
                if (i + 1 < list.Count && list[i + 1].InputNames.Length == 0)
                    list[i + 1] = list[i + 1] with { InputNames = new[] { requantize.Name }.ToEquatableArray() };
                list[p] = folded;
                list.RemoveAt(i);
                aliases[requantize.Name] = folded.Name;
                changed = true;
            }
        }
        return list;
    }

    /// <summary>Follows aliases to the name of the layer that produces the tensor.</summary>
    public static string Resolve(string name, Dictionary<string, string> aliases)
    {
        while (aliases.TryGetValue(name, out string? target))
            name = target;
        return name;
    }

    /// <summary>Only a Requantize whose own arguments are valid is folded; otherwise its planning rule reports them.</summary>
    private static bool Valid(RequantizeLayerSpec layer)
        => layer.OutputScale > 0 && !float.IsInfinity(layer.OutputScale)
            && (layer.OutputType is null or QuantType.UInt8 or QuantType.Int8)
            && layer.OutputZeroPoint >= QuantizationMath.TypeMin(layer.OutputType ?? QuantType.Int8)
            && layer.OutputZeroPoint <= QuantizationMath.TypeMax(layer.OutputType ?? QuantType.UInt8);

    private static string InputOf(List<LayerSpec> list, int i)
        => list[i].InputNames.Length > 0 ? list[i].InputNames[0] : i == 0 ? ModelPlanner.InputName : list[i - 1].Name;

    /// <summary>How many layers read <paramref name="name"/>'s tensor, counting the model output as one reader.</summary>
    private static int Readers(List<LayerSpec> list, string name, Dictionary<string, string> aliases)
    {
        int readers = Resolve(list[list.Count - 1].Name, aliases) == name ? 1 : 0;
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].InputNames.Length == 0)
            {
                if (Resolve(InputOf(list, i), aliases) == name)
                    readers++;
                continue;
            }
            foreach (string input in list[i].InputNames)
            {
                if (input is not null && Resolve(input, aliases) == name)
                    readers++;
            }
        }
        return readers;
    }
}
