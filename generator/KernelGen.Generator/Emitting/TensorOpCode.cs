namespace KernelGen.Generator.Emitting;

/// <summary>Source snippets the tensor-op emitters share (names fully qualified, C# 7.3).</summary>
internal static class TensorOpCode
{
    public const string Vector256 = "global::System.Runtime.Intrinsics.Vector256";
    public const string Vector128 = "global::System.Runtime.Intrinsics.Vector128";
    public const string Avx = "global::System.Runtime.Intrinsics.X86.Avx";
    public const string Fma = "global::System.Runtime.Intrinsics.X86.Fma";
    public const string FixedPoint256 = "global::KernelGen.Simd.FixedPoint256";
    public const string Store256 = "global::KernelGen.Simd.Store256";
    public const string Scalar = "global::KernelGen.Kernels.ScalarTensorOps";
    public const string NoInlining = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]";

    /// <summary>Eight 8-bit values at <paramref name="reference"/> (a ref byte expression) as int32 lanes.</summary>
    public static string LoadEight(string reference, bool signed)
        => $"{Global.Avx2}.ConvertToVector256Int32({Vector128}.{(signed ? "AsSByte" : "AsByte")}({Vector128}.CreateScalarUnsafe({Global.Unsafe}.ReadUnaligned<ulong>(ref {reference}))))";

    public static string At(string reference, string offset) => offset == "0" ? reference : $"{Global.Unsafe}.Add(ref {reference}, {offset})";

    public static string ReadOnlySpan(string reference, string offset, int length)
        => $"{Global.MemoryMarshal}.CreateReadOnlySpan(ref {At(reference, offset)}, {length})";

    public static string Span(string reference, string offset, int length)
        => $"{Global.MemoryMarshal}.CreateSpan(ref {At(reference, offset)}, {length})";

    public static string Bool(bool value) => value ? "true" : "false";

    public static string Store(bool signed) => $"{Store256}.{(signed ? "StoreInt8" : "StoreUInt8")}";
}
