namespace KernelGen;

/// <summary>The instruction-set path a generated model runs on this machine, fixed at process start.</summary>
public enum KernelPath
{
    /// <summary>The runtime's scalar fallback (no AVX2, or DOTNET_EnableAVX2=0 / DOTNET_EnableHWIntrinsic=0).</summary>
    Scalar = 0,

    /// <summary>Vector256 with AVX2: vpmaddubsw + vpmaddwd where the weights prove it exact, else widening to int16.</summary>
    Avx2 = 1,

    /// <summary>Vector256 with AVX-VNNI: one vpdpbusd per four k.</summary>
    AvxVnni = 2,

    /// <summary>Vector512 with AVX-512BW: vpmaddubsw + vpmaddwd where the weights prove it exact, else int16 weights and
    /// vpmaddwd; off under DOTNET_EnableAVX512=0.</summary>
    Avx512BW = 3,
}
