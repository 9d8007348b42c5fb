using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>Emits the layout conversion at an edge of an NCHW model: a transpose with compile-time trip counts.</summary>
internal static class LayoutEmitter
{
    public static void EmitKernel(SourceWriter w, LayoutLayerPlan p, IsaPath path)
    {
        string id = p.Identifier;
        string what = p.ToNhwc ? "the NCHW input to NHWC" : "the NHWC output to NCHW";
        if (!path.Simd)
        {
            w.Line($"/// <summary>{id} on the runtime's scalar fallback: {what}.</summary>");
            using (w.Block($"internal static void {id}_Scalar(ref byte x, ref byte y)"))
            {
                int bytes = p.Rows * p.Columns * p.ElementBytes;
                w.Line($"{TensorOpCode.Scalar}.Transpose({TensorOpCode.ReadOnlySpan("x", "0", bytes)}, {TensorOpCode.Span("y", "0", bytes)}, {p.Rows}, {p.Columns}, {p.ElementBytes});");
            }
            w.Line();
            return;
        }
        string element = p.ElementBytes == 4 ? "int" : "byte";
        w.Line($"/// <summary>{id} on {path.Name}: {what} ({p.Height}x{p.Width}x{p.Channels}): a {p.Rows} x {p.Columns} transpose of {element} elements.</summary>");
        w.Line(TensorOpCode.NoInlining);
        using (w.Block($"internal static void {id}_{path.Name}(ref byte x, ref byte y)"))
        {
            if (element == "int")
            {
                w.Line($"ref int source = ref {Global.Unsafe}.As<byte, int>(ref x);");
                w.Line($"ref int destination = ref {Global.Unsafe}.As<byte, int>(ref y);");
            }
            else
            {
                w.Line("ref byte source = ref x;");
                w.Line("ref byte destination = ref y;");
            }
            using (w.Block($"for (int r = 0; r < {p.Rows}; r++)"))
            {
                w.Line($"for (int c = 0; c < {p.Columns}; c++)");
                w.Line($"    {Global.Unsafe}.Add(ref destination, c * {p.Rows} + r) = {Global.Unsafe}.Add(ref source, r * {p.Columns} + c);");
            }
        }
        w.Line();
    }

    public static string ReferenceLayer(LayoutLayerPlan p)
    {
        string from = p.ToNhwc ? "Nchw" : "Nhwc", to = p.ToNhwc ? "Nhwc" : "Nchw";
        return $"new global::KernelGen.Reference.LayoutReferenceLayer({p.Height}, {p.Width}, {p.Channels}, global::KernelGen.TensorLayout.{from}, global::KernelGen.TensorLayout.{to}, {p.ElementBytes})";
    }
}
