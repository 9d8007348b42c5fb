using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Liveness over the step list and first-fit placement: a tensor is live from the step that writes it to the last step
/// that reads it, and two buffers share bytes only when their live ranges do not meet (a step's inputs stay live while
/// it writes its output and uses its workspace). The model input and output are the caller's spans, not arena buffers.
/// </summary>
internal static class MemoryPlanner
{
    /// <param name="tensorBytes">Bytes per tensor id (0 = model input; the output of step s has id s + 1).</param>
    public static MemoryPlan Plan(IReadOnlyList<LayerPlan> steps, IReadOnlyList<int> tensorBytes)
    {
        int count = tensorBytes.Count;
        int outputId = count - 1;

        // Alias groups: a step that may share its input's buffer joins its output to the input's group, unless that would
        // put the model input and the model output in one buffer (the caller's spans are distinct: that step copies).
        var group = Enumerable.Range(0, count).ToArray();
        int Find(int t) => group[t] == t ? t : group[t] = Find(group[t]);
        var aliased = new bool[steps.Count];
        for (int s = 0; s < steps.Count; s++)
        {
            LayerPlan step = steps[s];
            if (!step.CanAliasInput)
                continue;
            int a = Find(step.InputTensors[0]);
            int b = Find(step.OutputTensor);
            bool joinsEdges = Members(group, count, a, Find).Contains(0) && Members(group, count, b, Find).Contains(outputId)
                || Members(group, count, b, Find).Contains(0) && Members(group, count, a, Find).Contains(outputId);
            if (joinsEdges)
                continue;
            group[b] = a;
            aliased[s] = true;
        }

        // Live range of each group, in steps: written at 'start', last read at 'end'.
        var start = new int[count];
        var end = new int[count];
        for (int t = 0; t < count; t++)
        {
            start[t] = int.MaxValue;
            end[t] = -1;
        }
        for (int s = 0; s < steps.Count; s++)
        {
            int g = Find(steps[s].OutputTensor);
            start[g] = System.Math.Min(start[g], s);
            end[g] = System.Math.Max(end[g], s);
            foreach (int input in steps[s].InputTensors)
            {
                int r = Find(input);
                end[r] = System.Math.Max(end[r], s);
            }
        }

        var storage = new Storage[count];
        var workspaces = new Storage[steps.Count];
        var placed = new List<(int Offset, int Bytes, int End)>();
        int arena = 0;

        int Place(int bytes, int from, int until)
        {
            // Buffers whose last reader runs before this one is first written are free again.
            placed.RemoveAll(p => p.End < from);
            int offset = 0;
            foreach ((int o, int b, _) in placed.OrderBy(p => p.Offset))
            {
                if (offset + bytes <= o)
                    break;
                offset = System.Math.Max(offset, Align(o + b));
            }
            placed.Add((offset, bytes, until));
            arena = System.Math.Max(arena, Align(offset + bytes));
            return offset;
        }

        // Walk the steps in order, placing each arena group when it is first written and each workspace for its step.
        var groupStorage = new Dictionary<int, Storage>();
        int inputGroup = Find(0), outputGroup = Find(outputId);
        groupStorage[inputGroup] = new Storage(StorageKind.Input, 0, tensorBytes[0]);
        groupStorage[outputGroup] = new Storage(StorageKind.Output, 0, tensorBytes[outputId]);
        for (int s = 0; s < steps.Count; s++)
        {
            int g = Find(steps[s].OutputTensor);
            if (!groupStorage.ContainsKey(g))
            {
                int bytes = Members(group, count, g, Find).Max(t => tensorBytes[t]);
                groupStorage[g] = new Storage(StorageKind.Arena, Place(bytes, s, end[g]), bytes);
            }
            workspaces[s] = steps[s].WorkspaceBytes > 0
                ? new Storage(StorageKind.Arena, Place(steps[s].WorkspaceBytes, s, s), steps[s].WorkspaceBytes)
                : Storage.None;
        }
        for (int t = 0; t < count; t++)
        {
            Storage place = groupStorage.TryGetValue(Find(t), out Storage? found) ? found : new Storage(StorageKind.Arena, 0, 0);
            storage[t] = place with { Bytes = tensorBytes[t] };
        }

        return new MemoryPlan(storage.ToEquatableArray(), workspaces.ToEquatableArray(), aliased.ToEquatableArray(), arena);
    }

    private static int Align(int bytes) => (bytes + MemoryPlan.Alignment - 1) / MemoryPlan.Alignment * MemoryPlan.Alignment;

    private static List<int> Members(int[] group, int count, int root, System.Func<int, int> find)
    {
        var members = new List<int>();
        for (int t = 0; t < count; t++)
        {
            if (find(t) == root)
                members.Add(t);
        }
        return members;
    }
}
