extern alias generator;

using System;
using System.Collections.Generic;
using System.Linq;
using generator::KernelGen.Generator.Model;
using generator::KernelGen.Generator.Planning;

namespace KernelGen.Tests.Planning;

/// <summary>
/// The static memory plan on hand-made step lists: liveness, first-fit reuse, workspaces, alignment, aliasing, and the
/// edges (the caller's input and output spans) kept out of the arena. Every plan is also checked by
/// <see cref="AssertSound"/>: no two buffers that are live at the same step share a byte.
/// </summary>
public sealed class MemoryPlannerTests
{
    private const int A = MemoryPlan.Alignment;

    /// <summary>A step for the planner: reads <paramref name="inputs"/>, writes <paramref name="output"/>.</summary>
    private sealed record Step(int S, int[] InputIds, int OutputId, int Workspace = 0, bool Alias = false)
        : LayerPlan(S, $"step{S}", $"Step{S}", InputIds.ToEquatableArray(), OutputId)
    {
        public override int WorkspaceBytes => Workspace;

        public override bool CanAliasInput => Alias;
    }

    /// <summary>A chain: step s reads tensor s and writes tensor s + 1.</summary>
    private static List<LayerPlan> Chain(int steps, Func<int, int>? workspace = null, Func<int, bool>? alias = null)
        => Enumerable.Range(0, steps).Select(s => (LayerPlan)new Step(s, new[] { s }, s + 1, workspace?.Invoke(s) ?? 0, alias?.Invoke(s) ?? false)).ToList();

    private static MemoryPlan Plan(List<LayerPlan> steps, params int[] bytes)
    {
        MemoryPlan plan = MemoryPlanner.Plan(steps, bytes);
        AssertSound(steps, bytes, plan);
        return plan;
    }

    [Fact]
    public void Chain_TwoBuffersAlternate()
    {
        // input -> t1 -> t2 -> t3 -> t4 -> output, all 100 bytes: t1 and t3 share one buffer, t2 and t4 the other.
        MemoryPlan plan = Plan(Chain(5), 100, 100, 100, 100, 100, 100);
        Assert.Equal(StorageKind.Input, plan.Tensors[0].Kind);
        Assert.Equal(StorageKind.Output, plan.Tensors[5].Kind);
        Assert.Equal(new[] { 0, 128, 0, 128 }, Enumerable.Range(1, 4).Select(t => plan.Tensors[t].Offset));
        Assert.All(Enumerable.Range(1, 4), t => Assert.Equal(StorageKind.Arena, plan.Tensors[t].Kind));
        Assert.Equal(256, plan.ArenaBytes);
    }

    [Theory]
    [InlineData(new[] { 10, 64, 5 }, 64)]                       // one intermediate: one buffer
    [InlineData(new[] { 10, 64, 64, 5 }, 128)]                  // two: both live at the second step
    [InlineData(new[] { 10, 1, 1, 1, 1, 1, 1, 5 }, 128)]        // tiny tensors still take a line each
    [InlineData(new[] { 10, 65, 65, 65, 5 }, 256)]              // 65 bytes round up to 128
    [InlineData(new[] { 10, 300, 200, 100, 50, 5 }, 576)]       // decreasing: the largest live pair, 320 + 256
    [InlineData(new[] { 10, 50, 100, 200, 300, 5 }, 576)]       // increasing: 256 + 320
    [InlineData(new[] { 1, 1 }, 0)]                              // input straight to output: no arena
    public void SimpleChains_UseTheMinimalArena(int[] bytes, int expected)
    {
        MemoryPlan plan = Plan(Chain(bytes.Length - 1), bytes);
        // Minimal for a chain: the largest pair of neighbours that are live together, each rounded to the alignment.
        int minimal = 0;
        for (int t = 1; t < bytes.Length - 1; t++)
            minimal = Math.Max(minimal, Align(bytes[t]) + (t + 1 < bytes.Length - 1 ? Align(bytes[t + 1]) : 0));
        Assert.Equal(minimal, expected);
        Assert.Equal(expected, plan.ArenaBytes);
    }

    [Fact]
    public void TensorReadMuchLater_StaysLiveAndIsNotOverwritten()
    {
        // s0: input -> t1; s1: t1 -> t2; s2: t2 -> t3; s3: t3 -> t4; s4: reads t4 and t1 -> output.
        var steps = new List<LayerPlan>
        {
            new Step(0, new[] { 0 }, 1), new Step(1, new[] { 1 }, 2), new Step(2, new[] { 2 }, 3), new Step(3, new[] { 3 }, 4),
            new Step(4, new[] { 4, 1 }, 5),
        };
        MemoryPlan plan = Plan(steps, 10, 64, 64, 64, 64, 5);
        int t1 = plan.Tensors[1].Offset;
        Assert.All(new[] { 2, 3, 4 }, t => Assert.NotEqual(t1, plan.Tensors[t].Offset));
        // t2 is dead after s2, so t4 reuses its bytes: three buffers, not four.
        Assert.Equal(plan.Tensors[2].Offset, plan.Tensors[4].Offset);
        Assert.Equal(3 * A, plan.ArenaBytes);
    }

    [Fact]
    public void DeadTensor_IsPlacedAndReused()
    {
        // s1 writes t2 that nobody reads; it must not overlap t1 (read by s1 and s2) and its bytes are free after s1.
        var steps = new List<LayerPlan>
        {
            new Step(0, new[] { 0 }, 1), new Step(1, new[] { 1 }, 2), new Step(2, new[] { 1 }, 3), new Step(3, new[] { 3 }, 4),
        };
        MemoryPlan plan = Plan(steps, 10, 64, 64, 64, 5);
        Assert.NotEqual(plan.Tensors[1].Offset, plan.Tensors[2].Offset);
        Assert.Equal(plan.Tensors[2].Offset, plan.Tensors[3].Offset);
        Assert.Equal(2 * A, plan.ArenaBytes);
    }

    [Fact]
    public void Workspace_IsItsStepsOwnAndReusesDeadBuffers()
    {
        // Step 1 (t1 -> t2) needs 100 bytes of workspace; step 3 needs 10. Workspaces never overlap their step's tensors.
        MemoryPlan plan = Plan(Chain(4, workspace: s => s == 1 ? 100 : s == 3 ? 10 : 0), 10, 64, 64, 64, 5);
        Assert.Equal(0, plan.Workspaces[0].Bytes);
        Assert.Equal(100, plan.Workspaces[1].Bytes);
        Assert.Equal(StorageKind.Arena, plan.Workspaces[1].Kind);
        Assert.Equal(10, plan.Workspaces[3].Bytes);
        // Step 1's workspace meets t1 and t2 (live at step 1), not t3: t3 may reuse its bytes.
        Assert.NotEqual(plan.Tensors[1].Offset, plan.Workspaces[1].Offset);
        Assert.NotEqual(plan.Tensors[2].Offset, plan.Workspaces[1].Offset);
        Assert.Equal(plan.Workspaces[1].Offset, plan.Tensors[3].Offset);
        // At step 3 only t3 is live (t1, t2 and step 1's workspace are dead): the workspace takes the first free line.
        Assert.NotEqual(plan.Tensors[3].Offset, plan.Workspaces[3].Offset);
        Assert.True(plan.Workspaces[3].Offset < plan.Tensors[3].Offset || plan.Workspaces[3].Offset >= plan.Tensors[3].Offset + A);
        Assert.Equal(4 * A, plan.ArenaBytes);
    }

    [Fact]
    public void WorkspaceOfAStepBetweenTheEdges_IsTheWholeArena()
    {
        MemoryPlan plan = Plan(Chain(1, workspace: _ => 1000), 10, 5);
        Assert.Equal(new Storage(StorageKind.Arena, 0, 1000), plan.Workspaces[0]);
        Assert.Equal(Align(1000), plan.ArenaBytes);
    }

    [Fact]
    public void EveryArenaOffset_IsAMultipleOf64()
    {
        var random = new Random(64);
        for (int trial = 0; trial < 200; trial++)
        {
            (List<LayerPlan> steps, int[] bytes) = RandomGraph(random);
            MemoryPlan plan = Plan(steps, bytes);
            Assert.Equal(0, plan.ArenaBytes % A);
            Assert.All(plan.Tensors.AsSpan().ToArray().Concat(plan.Workspaces.AsSpan().ToArray()).Where(p => p.Kind == StorageKind.Arena),
                p => Assert.Equal(0, p.Offset % A));
        }
    }

    [Fact]
    public void InputAndOutput_AreNeverInTheArena()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            (List<LayerPlan> steps, int[] bytes) = RandomGraph(random);
            MemoryPlan plan = Plan(steps, bytes);
            Assert.Equal(new Storage(StorageKind.Input, 0, bytes[0]), plan.Tensors[0]);
            Assert.Equal(new Storage(StorageKind.Output, 0, bytes[^1]), plan.Tensors[bytes.Length - 1]);
            // Only tensors aliased to an edge share its kind (checked by AssertSound); the arena holds the rest.
            Assert.Contains(plan.Tensors.AsSpan().ToArray(), p => p.Kind == StorageKind.Input);
        }
    }

    [Fact]
    public void AliasingSteps_ShareTheirInputsBuffer()
    {
        // s0: input -> t1; s1 (a reshape): t1 -> t2, same bytes; s2: t2 -> t3; s3: t3 -> output.
        MemoryPlan plan = Plan(Chain(4, alias: s => s == 1), 10, 64, 64, 64, 5);
        Assert.Equal(new[] { false, true, false, false }, plan.Aliased.AsSpan().ToArray());
        Assert.Equal(plan.Tensors[1].Offset, plan.Tensors[2].Offset);
        Assert.Equal(StorageKind.Arena, plan.Tensors[2].Kind);
        // The shared buffer is live from s0 to s2 (its last reader through the alias), so t3 takes another one.
        Assert.NotEqual(plan.Tensors[2].Offset, plan.Tensors[3].Offset);
        Assert.Equal(2 * A, plan.ArenaBytes);
    }

    [Fact]
    public void AliasOfTheInputOrIntoTheOutput_IsTheEdgeItself()
    {
        // First step aliases the model input: its output is the input row.
        MemoryPlan first = Plan(Chain(3, alias: s => s == 0), 64, 64, 64, 5);
        Assert.True(first.Aliased[0]);
        Assert.Equal(StorageKind.Input, first.Tensors[1].Kind);
        Assert.Equal(A, first.ArenaBytes);

        // Last step aliases its input: that input is written straight into the output row.
        MemoryPlan last = Plan(Chain(3, alias: s => s == 2), 10, 64, 64, 64);
        Assert.True(last.Aliased[2]);
        Assert.Equal(StorageKind.Output, last.Tensors[2].Kind);
        Assert.Equal(StorageKind.Arena, last.Tensors[1].Kind);
        Assert.Equal(A, last.ArenaBytes);
    }

    [Fact]
    public void AliasJoiningInputAndOutput_IsRefused_TheStepCopies()
    {
        // One aliasing step from the model input to the model output: the caller's spans are distinct, so no alias.
        MemoryPlan single = Plan(Chain(1, alias: _ => true), 16, 16);
        Assert.False(single.Aliased[0]);
        Assert.Equal(StorageKind.Input, single.Tensors[0].Kind);
        Assert.Equal(StorageKind.Output, single.Tensors[1].Kind);

        // Two aliasing steps in a row: the first joins the input's group, the second would join it to the output.
        MemoryPlan two = Plan(Chain(2, alias: _ => true), 16, 16, 16);
        Assert.Equal(new[] { true, false }, two.Aliased.AsSpan().ToArray());
        Assert.Equal(StorageKind.Input, two.Tensors[1].Kind);
        Assert.Equal(0, two.ArenaBytes);
    }

    [Fact]
    public void RandomGraphs_AreSound()
    {
        var random = new Random(2026);
        for (int trial = 0; trial < 500; trial++)
        {
            (List<LayerPlan> steps, int[] bytes) = RandomGraph(random);
            Plan(steps, bytes);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static int Align(int bytes) => (bytes + A - 1) / A * A;

    /// <summary>Steps reading one or two earlier tensors, with workspaces and aliasing steps now and then.</summary>
    private static (List<LayerPlan> Steps, int[] Bytes) RandomGraph(Random random)
    {
        int count = 1 + random.Next(8);
        var bytes = new int[count + 1];
        var steps = new List<LayerPlan>();
        bytes[0] = 1 + random.Next(300);
        for (int s = 0; s < count; s++)
        {
            int first = random.Next(2) == 0 ? s : random.Next(s + 1);
            int[] inputs = random.Next(4) == 0 ? new[] { first, random.Next(s + 1) } : new[] { first };
            bool alias = inputs.Length == 1 && random.Next(5) == 0;
            bytes[s + 1] = alias ? bytes[first] : 1 + random.Next(300);
            steps.Add(new Step(s, inputs, s + 1, random.Next(4) == 0 ? 1 + random.Next(500) : 0, alias));
        }
        return (steps, bytes);
    }

    /// <summary>
    /// The plan's invariants: every arena buffer lies inside the arena, and two buffers live at a common step (a tensor from
    /// the step that writes it to its last reader, aliases counted as one; a workspace during its step) never share a byte
    /// unless they are one alias group.
    /// </summary>
    private static void AssertSound(List<LayerPlan> steps, int[] bytes, MemoryPlan plan)
    {
        int count = bytes.Length;
        Assert.Equal(count, plan.Tensors.Length);
        Assert.Equal(steps.Count, plan.Workspaces.Length);

        // Alias groups as the plan reports them.
        var group = Enumerable.Range(0, count).ToArray();
        for (int s = 0; s < steps.Count; s++)
        {
            if (plan.Aliased[s])
            {
                Assert.True(steps[s].CanAliasInput);
                int from = group[steps[s].InputTensors[0]];
                for (int t = 0; t < count; t++)
                {
                    if (group[t] == group[steps[s].OutputTensor]) group[t] = from;
                }
            }
        }
        var start = Enumerable.Repeat(int.MaxValue, count).ToArray();
        var end = Enumerable.Repeat(-1, count).ToArray();
        for (int s = 0; s < steps.Count; s++)
        {
            int g = group[steps[s].OutputTensor];
            start[g] = Math.Min(start[g], s);
            end[g] = Math.Max(end[g], s);
            foreach (int input in steps[s].InputTensors)
                end[group[input]] = Math.Max(end[group[input]], s);
        }

        var buffers = new List<(string Name, Storage Place, int From, int Until, int Group)>();
        for (int t = 0; t < count; t++)
        {
            Storage place = plan.Tensors[t];
            Assert.Equal(bytes[t], place.Bytes);
            if (group[t] == group[0]) Assert.Equal(StorageKind.Input, place.Kind);
            else if (group[t] == group[count - 1]) Assert.Equal(StorageKind.Output, place.Kind);
            else Assert.Equal(StorageKind.Arena, place.Kind);
            if (place.Kind == StorageKind.Arena)
                buffers.Add(($"tensor {t}", place, start[group[t]], end[group[t]], group[t]));
        }
        for (int s = 0; s < steps.Count; s++)
        {
            Assert.Equal(steps[s].WorkspaceBytes, plan.Workspaces[s].Bytes);
            if (plan.Workspaces[s].Bytes > 0)
                buffers.Add(($"workspace of step {s}", plan.Workspaces[s], s, s, -1 - s));
        }
        foreach (var b in buffers)
        {
            Assert.True(b.Place.Offset % A == 0, $"{b.Name} at {b.Place.Offset} is not aligned");
            Assert.True(b.Place.Offset + b.Place.Bytes <= plan.ArenaBytes, $"{b.Name} [{b.Place.Offset}, {b.Place.Offset + b.Place.Bytes}) passes the arena's {plan.ArenaBytes} bytes");
        }
        for (int i = 0; i < buffers.Count; i++)
        {
            for (int j = i + 1; j < buffers.Count; j++)
            {
                var (x, y) = (buffers[i], buffers[j]);
                if (x.Group == y.Group || x.Until < y.From || y.Until < x.From)
                    continue;
                bool disjoint = x.Place.Offset + x.Place.Bytes <= y.Place.Offset || y.Place.Offset + y.Place.Bytes <= x.Place.Offset;
                Assert.True(disjoint, $"{x.Name} [{x.Place.Offset}, +{x.Place.Bytes}) live in steps {x.From}-{x.Until} overlaps {y.Name} [{y.Place.Offset}, +{y.Place.Bytes}) live in steps {y.From}-{y.Until}");
            }
        }
    }
}
