namespace KernelGen.Generator.Planning;

/// <summary>
/// How a GEMM layer's packed int8 weights meet the u8 inputs on the paths without VNNI (AVX2, AVX-512BW), decided at
/// compile time per layer from the weights themselves (<see cref="SaturationProof"/>) and the layer's size.
/// </summary>
internal enum WeightOperand
{
    /// <summary>vpmaddubsw + vpmaddwd: proven free of int16 saturation for these weights (3 instructions per vector of
    /// 4-k groups).</summary>
    MultiplyAddBytes,

    /// <summary>Exact for any weights: the int8 weights widened to int16 in the kernel (vpmovsxbw), then vpmaddwd.</summary>
    WidenToInt16,

    /// <summary>Exact for any weights: the weights widened to int16 once, when the kernels' class initializes, and
    /// multiplied straight from memory with vpmaddwd (2 bytes per weight; chosen for layers whose int16 copy stays
    /// cache-resident).</summary>
    Int16,
}

/// <summary>The per-layer choice of <see cref="WeightOperand"/>.</summary>
internal static class WeightOperands
{
    /// <summary>
    /// Largest int16 copy (bytes) a layer whose weights the proof rejects gets (a 256x256 layer's): an eighth of a Zen 4
    /// core's 1 MB L2, so the copy stays cache-resident between calls next to the rest of a model. Larger layers widen in the kernel
    /// instead: reading twice the bytes from L3 or memory would cost more than the widening instruction saves.
    /// </summary>
    public const int Int16Budget = 128 * 1024;

    public static WeightOperand Choose(bool provenSafe, int packedBytes)
        => provenSafe ? WeightOperand.MultiplyAddBytes
            : 2L * packedBytes <= Int16Budget ? WeightOperand.Int16
            : WeightOperand.WidenToInt16;
}
