namespace KernelGen.Generator.Planning;

/// <summary>Which exact dot-product sequence the AVX2 path uses for a Dense layer.</summary>
internal enum Avx2DotProduct
{
    /// <summary>vpmaddubsw + vpmaddwd: proven free of int16 saturation for these weights.</summary>
    MultiplyAddBytes,

    /// <summary>Widen both operands to int16 and vpmaddwd: exact for any weights.</summary>
    WidenToInt16,
}
