using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// Emits one Reshape / Flatten. The memory plan normally shares its input's buffer and nothing is emitted (the header
/// of the kernels class says so); this is the copy for the one case it cannot: the model input straight to the output.
/// </summary>
internal static class ReshapeEmitter
{
    public static void EmitKernel(SourceWriter w, ReshapeLayerPlan p, IsaPath path)
    {
        string id = p.Identifier;
        if (path.Simd)
        {
            w.Line($"/// <summary>{id}: {p.From} as {p.To}, the same {p.Bytes} bytes; the input and output are distinct buffers here, so it copies.</summary>");
            using (w.Block($"internal static void {id}_{path.Name}(ref byte x, ref byte y)"))
                w.Line($"{Global.Unsafe}.CopyBlockUnaligned(ref y, ref x, {p.Bytes});");
        }
        else
        {
            w.Line($"/// <summary>{id} on the runtime's scalar fallback: a copy.</summary>");
            using (w.Block($"internal static void {id}_Scalar(ref byte x, ref byte y)"))
                w.Line($"{TensorOpCode.Scalar}.Copy({TensorOpCode.ReadOnlySpan("x", "0", p.Bytes)}, {TensorOpCode.Span("y", "0", p.Bytes)});");
        }
        w.Line();
    }

    public static string ReferenceLayer(ReshapeLayerPlan p)
        => $"new global::KernelGen.Reference.ReshapeReferenceLayer({p.Elements}, {Global.QuantType}.{p.Type})";
}
