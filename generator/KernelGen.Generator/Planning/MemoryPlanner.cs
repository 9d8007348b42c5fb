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
    /// <summary>Bytes of one chunk's arena tensors the chunk size aims at: well inside L2, so a chunk's tensors are still
    /// cached when the next layer reads them.</summary>
    public const int ChunkBudget = 64 * 1024;

    /// <summary>The most rows in one chunk.</summary>
    public const int MaxChunkRows = 64;

    /// <summary>
    /// Plans the arena for chunks of rows: as many rows (up to <see cref="MaxChunkRows"/>) as keep the arena within
    /// <see cref="ChunkBudget"/>, at least one. Every arena tensor holds the chunk's rows, each its size in bytes after the
    /// previous one, so a batched kernel runs all of them in one call; workspaces are per call and do not grow.
    /// </summary>
    public static MemoryPlan PlanChunks(IReadOnlyList<LayerPlan> steps, IReadOnlyList<int> tensorBytes)
    {
        MemoryPlan oneRow = Plan(steps, tensorBytes, 1);
        int rows = System.Math.Max(1, System.Math.Min(MaxChunkRows, ChunkBudget / System.Math.Max(MemoryPlan.Alignment, oneRow.ArenaBytes)));
        return rows == 1 ? oneRow : Plan(steps, tensorBytes, rows);
    }

    /// <param name="tensorBytes">Bytes per tensor id and row (0 = model input; the output of step s has id s + 1).</param>
    /// <param name="rows">Rows each arena tensor holds.</param>
    public static MemoryPlan Plan(IReadOnlyList<LayerPlan> steps, IReadOnlyList<int> tensorBytes, int rows = 1)
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
                buffers.Add((g, -1, Members(group, count, g, Find).Max(t => tensorBytes[t]) * rows, s, end[g]));
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
            storage[t] = place with { Bytes = place.Kind == StorageKind.Arena ? tensorBytes[t] * rows : tensorBytes[t] };
        }

        return new MemoryPlan(storage.ToEquatableArray(), workspaces.ToEquatableArray(), aliased.ToEquatableArray(), arena, rows);
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
