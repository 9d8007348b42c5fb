using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Liveness over the step list and greedy-by-size placement: a tensor is live from the step that writes it to the last step
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

        // The buffers to place: each arena group from its first writer to its last reader, each workspace for its step.
        var groupStorage = new Dictionary<int, Storage>();
        int inputGroup = Find(0), outputGroup = Find(outputId);
        groupStorage[inputGroup] = new Storage(StorageKind.Input, 0, tensorBytes[0]);
        groupStorage[outputGroup] = new Storage(StorageKind.Output, 0, tensorBytes[outputId]);
        var buffers = new List<(int Group, int Step, int Bytes, int From, int Until)>();
        for (int s = 0; s < steps.Count; s++)
        {
            int g = Find(steps[s].OutputTensor);
            if (g != inputGroup && g != outputGroup && start[g] == s)
                buffers.Add((g, -1, Members(group, count, g, Find).Max(t => tensorBytes[t]), s, end[g]));
            if (steps[s].WorkspaceBytes > 0)
                buffers.Add((-1, s, steps[s].WorkspaceBytes, s, s));
        }

        // Greedy by size (TFLite's arena planner): largest first, each at the lowest aligned offset where it meets no
        // placed buffer whose live range meets its own. Placing in step order instead (first fit) wastes the space a small
        // early tensor leaves when a chain grows: 50 -> 100 -> 200 -> 300 bytes took 768 bytes, not 576.
        var placed = new List<(int Offset, int Bytes, int From, int Until)>();
        int arena = 0;
        foreach (var b in buffers.OrderByDescending(b => b.Bytes).ThenBy(b => b.From).ThenBy(b => b.Step))
        {
            int offset = 0;
            foreach (var p in placed.Where(p => p.From <= b.Until && b.From <= p.Until).OrderBy(p => p.Offset))
            {
                if (offset + b.Bytes <= p.Offset)
                    break;
                offset = System.Math.Max(offset, Align(p.Offset + p.Bytes));
            }
            placed.Add((offset, b.Bytes, b.From, b.Until));
            arena = System.Math.Max(arena, Align(offset + b.Bytes));
            if (b.Group >= 0)
                groupStorage[b.Group] = new Storage(StorageKind.Arena, offset, b.Bytes);
            else
                workspaces[b.Step] = new Storage(StorageKind.Arena, offset, b.Bytes);
        }
        for (int s = 0; s < steps.Count; s++)
            workspaces[s] ??= Storage.None;
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
