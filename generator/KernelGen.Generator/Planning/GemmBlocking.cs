namespace KernelGen.Generator.Planning;

/// <summary>Register-blocking limits the planner must know before the kernels are emitted.</summary>
internal static class GemmBlocking
{
    /// <summary>
    /// The most rows any path's GEMM step multiplies together (its MR): a convolution's workspace holds this many gathered
    /// receptive fields, so that every path's pixel blocks fit it.
    /// </summary>
    public const int MaxRows = 8;
}
