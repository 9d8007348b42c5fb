using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>A standalone activation that was not fused: Vector256 byte min/max over 32 values at a time.</summary>
internal static class ActivationEmitter
{
    public static void EmitLayer(SourceWriter w, ActivationLayerPlan layer)
    {
        string id = layer.Identifier;
        bool signed = layer.Type == QuantType.Int8;
        string element = signed ? "sbyte" : "byte";
        string kind = layer.Kind == Activation.Relu6 ? "ReLU6" : "ReLU";
        w.Line("// ------------------------------------------------------------------------------------------------");
        w.Line($"// {layer.Name}: {kind} on {layer.Elements} {Tensor.TypeName(layer.Type)} values (scale {SourceWriter.Float(layer.Scale)}, zero point {layer.ZeroPoint}), not fused into its producer");
        w.Line($"//   out = clamp(x, {layer.Min}, {layer.Max}) (TFLite's activation range of the tensor's own scale and zero point)");
        w.Line("// ------------------------------------------------------------------------------------------------");
        int whole = layer.Elements / 32 * 32;
        foreach (IsaPath path in IsaPath.Baseline)
        {
            w.Line($"/// <summary>{id} on {path.Name}: {layer.Elements} bytes at <paramref name=\"x\"/> to <paramref name=\"y\"/>.</summary>");
            using (w.Block($"internal static void {id}_{path.Name}(ref byte x, ref byte y)"))
            {
                if (!path.Simd)
                {
                    w.Line($"global::KernelGen.Kernels.ScalarClamp.Run({Global.MemoryMarshal}.CreateReadOnlySpan(ref x, {layer.Elements}), {Global.MemoryMarshal}.CreateSpan(ref y, {layer.Elements}), {(signed ? "true" : "false")}, {layer.Min}, {layer.Max});");
                    continue;
                }
                if (whole > 0)
                {
                    w.Line($"global::System.Runtime.Intrinsics.Vector256<{element}> min = global::System.Runtime.Intrinsics.Vector256.Create(({element}){layer.Min});");
                    w.Line($"global::System.Runtime.Intrinsics.Vector256<{element}> max = global::System.Runtime.Intrinsics.Vector256.Create(({element}){layer.Max});");
                    w.Line($"ref {element} source = ref {Global.Unsafe}.As<byte, {element}>(ref x);");
                    w.Line($"ref {element} target = ref {Global.Unsafe}.As<byte, {element}>(ref y);");
                    w.Line($"for (int i = 0; i < {whole}; i += 32)");
                    w.Line($"    global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(global::System.Runtime.Intrinsics.Vector256.Min(global::System.Runtime.Intrinsics.Vector256.Max(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {Global.Unsafe}.Add(ref source, i)), min), max), ref {Global.Unsafe}.Add(ref target, i));");
                }
                if (whole < layer.Elements)
                {
                    w.Line($"for (int i = {whole}; i < {layer.Elements}; i++)");
                    w.Open();
                    w.Line($"int value = ({element}){Global.Unsafe}.Add(ref x, i);");
                    w.Line($"{Global.Unsafe}.Add(ref y, i) = unchecked((byte)(value < {layer.Min} ? {layer.Min} : value > {layer.Max} ? {layer.Max} : value));");
                    w.Close();
                }
            }
            w.Line();
        }
    }

    public static string ReferenceLayer(ActivationLayerPlan layer)
        => $"new global::KernelGen.Reference.ActivationReferenceLayer({layer.Elements}, {Global.QuantType}.{layer.Type}, {SourceWriter.Float(layer.Scale)}, {layer.ZeroPoint}, {Global.Activation}.{layer.Kind})";
}
