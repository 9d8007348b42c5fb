using System.Collections.Generic;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// The instruction-set paths as data, in dispatch order: the generated Run takes the first whose condition holds,
/// ActivePath reports it, the per-path drivers and kernels are named after it, and the tests iterate over the same list.
/// Adding a path is one entry here plus its dot-product steps (<see cref="DotProductStep"/>).
/// </summary>
/// <remarks>
/// Order: AVX-VNNI (one exact vpdpbusd per 32 MACs on 256 bits, no proof needed) before AVX-512BW (vpmaddubsw +
/// vpmaddwd + vpaddd per 64 MACs where the weights prove it exact, widening otherwise) before AVX2. On a CPU with both
/// AVX-VNNI and AVX-512 (Zen 5) the VNNI path keeps full-range weights on one instruction, where AVX-512BW needs the
/// widening sequence; no machine with both was available to measure the order (see the README's benchmark section).
/// </remarks>
internal sealed class IsaPath
{
    public static readonly IsaPath AvxVnni = new(
        "AvxVnni", Global.AvxVnni + ".IsSupported", vectorBits: 256, registers: 16, fallback: "Avx2",
        weights => DotProductStep.Vnni256);

    public static readonly IsaPath Avx512BW = new(
        "Avx512BW", Global.Avx512BW + ".IsSupported", vectorBits: 512, registers: 32, fallback: "Avx2",
        weights => weights switch
        {
            WeightOperand.MultiplyAddBytes => DotProductStep.Bytes512,
            WeightOperand.Int16 => DotProductStep.Int16x512,
            _ => DotProductStep.Widen512,
        });

    public static readonly IsaPath Avx2 = new(
        "Avx2", Global.Avx2 + ".IsSupported", vectorBits: 256, registers: 16, fallback: null,
        weights => weights switch
        {
            WeightOperand.MultiplyAddBytes => DotProductStep.Bytes256,
            WeightOperand.Int16 => DotProductStep.Int16x256,
            _ => DotProductStep.Widen256,
        });

    public static readonly IsaPath Scalar = new("Scalar", null, vectorBits: 0, registers: 0, fallback: null, null);

    /// <summary>Every path, in dispatch order; the last (Scalar) always holds.</summary>
    public static readonly IsaPath[] All = { AvxVnni, Avx512BW, Avx2, Scalar };

    /// <summary>The paths every op has its own kernel for. Ops that do not specialize further (element-wise, pools,
    /// depthwise) run their <see cref="Fallback"/>'s kernel on the others.</summary>
    public static readonly IsaPath[] Baseline = { Avx2, Scalar };

    private readonly System.Func<WeightOperand, DotProductStep>? _gemmStep;
    private readonly string? _fallback;

    private IsaPath(string name, string? condition, int vectorBits, int registers, string? fallback, System.Func<WeightOperand, DotProductStep>? gemmStep)
    {
        Name = name;
        Condition = condition;
        VectorBits = vectorBits;
        Registers = registers;
        _fallback = fallback;
        _gemmStep = gemmStep;
    }

    /// <summary>The KernelPath member, the drivers' name suffix and the kernels' path suffix.</summary>
    public string Name { get; }

    /// <summary>The C# condition under which the path runs (null: always, the fallback).</summary>
    public string? Condition { get; }

    /// <summary>Widest vector the path's GEMM kernels use (0: scalar).</summary>
    public int VectorBits { get; }

    /// <summary>Vector registers the path's kernels may plan for (16 ymm, 32 zmm).</summary>
    public int Registers { get; }

    /// <summary>True for the vector paths.</summary>
    public bool Simd => VectorBits > 0;

    /// <summary>The path whose kernel an op without its own kernel for this path runs (null for the baseline paths).</summary>
    public IsaPath? Fallback => _fallback is null ? null : Find(_fallback);

    /// <summary>The GEMM dot-product step of this path for a layer whose weights take <paramref name="weights"/>.</summary>
    public DotProductStep GemmStep(WeightOperand weights)
        => _gemmStep?.Invoke(weights) ?? throw new System.InvalidOperationException($"{Name} has no GEMM step");

    /// <summary>The path, or the first of its fallbacks, in <paramref name="available"/>.</summary>
    public IsaPath Resolve(IReadOnlyCollection<IsaPath> available)
    {
        IsaPath path = this;
        while (!Contains(available, path))
            path = path.Fallback ?? throw new System.InvalidOperationException($"no kernel for {Name}");
        return path;
    }

    private static bool Contains(IReadOnlyCollection<IsaPath> paths, IsaPath path)
    {
        foreach (IsaPath p in paths)
        {
            if (p == path)
                return true;
        }
        return false;
    }

    private static IsaPath Find(string name)
    {
        foreach (IsaPath path in All)
        {
            if (path.Name == name)
                return path;
        }
        throw new System.InvalidOperationException(name);
    }

    public override string ToString() => Name;
}
