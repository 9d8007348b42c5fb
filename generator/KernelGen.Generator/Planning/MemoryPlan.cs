using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>Where a tensor lives while a row runs: the caller's input or output span, or an offset in the scratch arena.</summary>
internal enum StorageKind
{
    Input,
    Output,
    Arena,
}

/// <summary>One tensor's (or one workspace's) place.</summary>
internal sealed record Storage(StorageKind Kind, int Offset, int Bytes)
{
    /// <summary>No buffer (a step without workspace).</summary>
    public static readonly Storage None = new(StorageKind.Arena, 0, 0);

    public string Describe => Kind switch
    {
        StorageKind.Input => "the input row",
        StorageKind.Output => "the output row",
        _ => $"arena [{Offset}, {Offset + Bytes})",
    };
}

/// <summary>
/// The static memory plan, computed at compile time: every intermediate tensor and every step's workspace gets an
/// offset in one scratch arena of <see cref="ArenaBytes"/> (the generated ScratchSize); buffers whose tensors are dead
/// are reused.
/// </summary>
/// <param name="Tensors">Per tensor id.</param>
/// <param name="Workspaces">Per step: its workspace, or <see cref="Storage.None"/>.</param>
/// <param name="Aliased">Per step: true when its output shares its input's buffer, so nothing is emitted for it.</param>
/// <param name="Rows">Rows per chunk: the generated Run takes a batch this many rows at a time through every step, and each
/// arena tensor holds that many rows, its size in bytes apart.</param>
internal sealed record MemoryPlan(
    EquatableArray<Storage> Tensors, EquatableArray<Storage> Workspaces, EquatableArray<bool> Aliased, int ArenaBytes, int Rows = 1)
{
    /// <summary>Offsets are multiples of this (a cache line; Vector256 loads never straddle two buffers' lines).</summary>
    public const int Alignment = 64;
}
