namespace KernelGen.Generator.Emitting;

/// <summary>
/// Fully qualified names of the types the generated code uses that are spelled in more than one emitter. Generated code
/// names every type with <c>global::</c>, so a user type called Activation, Avx2 or Unsafe next to a model cannot capture it.
/// </summary>
internal static class Global
{
    public const string ReadOnlySpan = "global::System.ReadOnlySpan";
    public const string Span = "global::System.Span";
    public const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    public const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    public const string AvxVnni = "global::System.Runtime.Intrinsics.X86.AvxVnni";
    public const string Avx2 = "global::System.Runtime.Intrinsics.X86.Avx2";
    public const string Avx512BW = "global::System.Runtime.Intrinsics.X86.Avx512BW";
    public const string GeneratedCode = "global::System.CodeDom.Compiler.GeneratedCode";
    public const string SkipLocalsInit = "global::System.Runtime.CompilerServices.SkipLocalsInit";
    public const string QuantType = "global::KernelGen.QuantType";
    public const string Activation = "global::KernelGen.Activation";
    public const string KernelPath = "global::KernelGen.KernelPath";
    public const string KernelGuard = "global::KernelGen.KernelGuard";
    public const string ReferenceOps = "global::KernelGen.Reference.ReferenceOps";
    public const string ReferenceLayer = "global::KernelGen.Reference.IReferenceLayer";
    public const string DenseReferenceLayer = "global::KernelGen.Reference.DenseReferenceLayer";
}
