namespace KernelGen.Generator.Emitting;

/// <summary>The dot-product family a SIMD path uses; the ops map it to their plugged step.</summary>
internal enum IsaDotProduct
{
    /// <summary>AVX-VNNI vpdpbusd (u8 x s8, four products into each int32 lane).</summary>
    Vnni,

    /// <summary>AVX2: vpmaddubsw + vpmaddwd where proven safe, else the exact widening sequence.</summary>
    Avx2,
}

/// <summary>
/// The instruction-set paths, in dispatch order: the generated Run takes the first whose condition holds, ActivePath
/// reports it, and every op emits one kernel per path named "{Layer}_{Name}".
/// </summary>
internal sealed class IsaPath
{
    public static readonly IsaPath AvxVnni = new("AvxVnni", Global.AvxVnni + ".IsSupported", IsaDotProduct.Vnni);
    public static readonly IsaPath Avx2 = new("Avx2", Global.Avx2 + ".IsSupported", IsaDotProduct.Avx2);
    public static readonly IsaPath Scalar = new("Scalar", null, null);

    public static readonly IsaPath[] All = { AvxVnni, Avx2, Scalar };

    private IsaPath(string name, string? condition, IsaDotProduct? dotProduct)
    {
        Name = name;
        Condition = condition;
        DotProduct = dotProduct;
    }

    /// <summary>The KernelPath member and the kernels' name suffix.</summary>
    public string Name { get; }

    /// <summary>The C# condition under which the path runs (null: always, the fallback).</summary>
    public string? Condition { get; }

    /// <summary>The path's dot-product family; null for the scalar fallback, which calls the runtime.</summary>
    public IsaDotProduct? DotProduct { get; }

    /// <summary>True for the Vector256 paths.</summary>
    public bool Simd => DotProduct is not null;
}
