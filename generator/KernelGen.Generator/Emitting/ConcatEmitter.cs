using System.Linq;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// Emits one Concat: per input, a block copy into its channel range of each output position where the rescale is the
/// identity, else a lookup in its 256-entry table (folded at compile time from Rescale.Apply, so exact by construction).
/// </summary>
internal static class ConcatEmitter
{
    public static void EmitData(SourceWriter w, ConcatLayerPlan p)
    {
        string id = p.Identifier;
        int oc = p.OutputChannels;
        w.Line($"// {id}: Concat of {p.Channels.Length} inputs along channels at {p.Height}x{p.Width} positions into {oc} channels (scale {SourceWriter.Real(p.OutputScale)}, zero point {p.OutputZeroPoint}, {p.Scheme} rescale):");
        int offset = 0;
        for (int i = 0; i < p.Channels.Length; i++)
        {
            string how = p.Tables[i].Length == 0
                ? "copied (same scale and zero point)"
                : $"through {id}_Table{i} (from scale {SourceWriter.Real(p.InputScales[i])}, zero point {p.InputZeroPoints[i]})";
            w.Line($"//   input {i} '{p.InputNames[i]}': channels [{offset}, {offset + p.Channels[i]}), {how}");
            offset += p.Channels[i];
        }
        for (int i = 0; i < p.Channels.Length; i++)
        {
            if (p.Tables[i].Length == 0)
                continue;
            w.ByteTable($"{id}_Table{i}", $"{id}: input {i}'s value for each byte, rescaled to the output (Rescale.Apply at compile time)", p.Tables[i].AsSpan(), 32);
        }
        w.Line();
    }

    private static string Parameters(ConcatLayerPlan p)
        => string.Join(", ", Enumerable.Range(0, p.Channels.Length).Select(i => $"ref byte x{i}")) + ", ref byte y";

    public static void EmitKernel(SourceWriter w, ConcatLayerPlan p, IsaPath path)
    {
        string id = p.Identifier;
        int oc = p.OutputChannels;
        int positions = p.Positions;
        w.Line($"/// <summary>{id} on {path.Name}.</summary>");
        w.Line(TensorOpCode.NoInlining);
        using (w.Block($"internal static void {id}_{path.Name}({Parameters(p)})"))
        {
            int offset = 0;
            for (int i = 0; i < p.Channels.Length; i++)
            {
                int c = p.Channels[i];
                string x = "x" + i;
                bool table = p.Tables[i].Length != 0;
                if (table)
                    w.Line($"{Global.ReadOnlySpan}<byte> table{i} = {id}_Table{i};");
                if (!table && positions == 1)
                {
                    w.Line($"{Global.Unsafe}.CopyBlockUnaligned(ref {TensorOpCode.At("y", SourceWriter.Int(offset))}, ref {x}, {c});");
                }
                else if (!table)
                {
                    using (w.Block($"for (int p = 0; p < {positions}; p++)"))
                        w.Line($"{Global.Unsafe}.CopyBlockUnaligned(ref {Global.Unsafe}.Add(ref y, p * {oc} + {offset}), ref {Global.Unsafe}.Add(ref {x}, p * {c}), {c});");
                }
                else
                {
                    using (w.Block($"for (int p = 0; p < {positions}; p++)"))
                    {
                        w.Line($"ref byte source = ref {Global.Unsafe}.Add(ref {x}, p * {c});");
                        w.Line($"ref byte destination = ref {Global.Unsafe}.Add(ref y, p * {oc} + {offset});");
                        w.Line($"for (int k = 0; k < {c}; k++)");
                        w.Line($"    {Global.Unsafe}.Add(ref destination, k) = table{i}[{Global.Unsafe}.Add(ref source, k)];");
                    }
                }
                offset += c;
            }
        }
        w.Line();
    }

    public static void EmitScalar(SourceWriter w, ConcatLayerPlan p)
    {
        string id = p.Identifier;
        int oc = p.OutputChannels;
        w.Line($"/// <summary>{id} on the runtime's scalar fallback, over the same tables.</summary>");
        using (w.Block($"internal static void {id}_Scalar({Parameters(p)})"))
        {
            int offset = 0;
            for (int i = 0; i < p.Channels.Length; i++)
            {
                int c = p.Channels[i];
                string table = p.Tables[i].Length == 0 ? $"{Global.ReadOnlySpan}<byte>.Empty" : $"{id}_Table{i}";
                w.Line($"{TensorOpCode.Scalar}.ConcatInput({TensorOpCode.ReadOnlySpan("x" + i, "0", p.Positions * c)}, {TensorOpCode.Span("y", "0", p.Positions * oc)}, {table}, {p.Positions}, {c}, {oc}, {offset});");
                offset += c;
            }
        }
        w.Line();
    }

    public static string ReferenceLayer(ConcatLayerPlan p)
        => $"new global::KernelGen.Reference.ConcatReferenceLayer({p.Height}, {p.Width}, new int[] {{ {string.Join(", ", p.Channels.Select(SourceWriter.Int))} }}, {Global.QuantType}.{(p.Signed ? "Int8" : "UInt8")},\n"
            + $"    new float[] {{ {string.Join(", ", p.InputScales.Select(SourceWriter.Float))} }}, new int[] {{ {string.Join(", ", p.InputZeroPoints.Select(SourceWriter.Int))} }},\n"
            + $"    {SourceWriter.Float(p.OutputScale)}, {p.OutputZeroPoint}, global::KernelGen.RequantizationScheme.{p.Scheme})";
}
