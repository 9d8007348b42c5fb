using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Generator.Planning.Passes;

/// <summary>
/// The graph passes of Planning, run on the layers as declared before they are planned, to a fixed point: each folds a
/// layer into the one that produces its input (<see cref="RequantizeFolding"/>, <see cref="ActivationFusion"/>). A removed
/// layer's name becomes an alias of its producer, so layers that read it by name read the producer's output.
/// </summary>
internal static class GraphPasses
{
    /// <summary>One fold: true when it changed <paramref name="layers"/>.</summary>
    internal delegate bool Pass(List<LayerSpec> layers, Dictionary<string, string> aliases);

    private static readonly Pass[] All = { RequantizeFolding.FoldOnce, ActivationFusion.FoldOnce };

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
        while (All.Any(pass => pass(list, aliases)))
        {
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

    /// <summary>The index of the layer that produces what layer <paramref name="i"/> reads (its only input), when nothing else
    /// reads that tensor; -1 otherwise.</summary>
    public static int SoleProducer(List<LayerSpec> list, int i, Dictionary<string, string> aliases)
    {
        if (i < 1 || list[i].InputNames.Length > 1)
            return -1;
        string source = Resolve(InputOf(list, i), aliases);
        int p = list.FindIndex(l => l.Name == source);
        return p >= 0 && p < i && Readers(list, source, aliases) == 1 ? p : -1;
    }

    /// <summary>Replaces the producer <paramref name="p"/> by <paramref name="folded"/> and removes layer <paramref name="i"/>.</summary>
    public static void Fold(List<LayerSpec> list, int p, int i, LayerSpec folded, Dictionary<string, string> aliases)
    {
        string removed = list[i].Name;
        // The next layer may have read the removed one by default (as the previous layer): it now names it.
        if (i + 1 < list.Count && list[i + 1].InputNames.Length == 0)
            list[i + 1] = list[i + 1] with { InputNames = new[] { removed }.ToEquatableArray() };
        list[p] = folded;
        list.RemoveAt(i);
        aliases[removed] = folded.Name;
    }

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
