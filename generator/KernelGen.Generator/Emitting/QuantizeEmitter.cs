using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// Emits one Quantize (ONNX QuantizeLinear: x / scale in float, round half to even, + zero point, saturate) or Dequantize
/// (ONNX DequantizeLinear: (q - zero point) * scale in float). The SIMD kernels do eight elements per step with the same
/// IEEE operations as the scalar (vdivps, vroundps to nearest even, vcvtdq2ps, vmulps), so they agree bit for bit; the
/// last 1..7 elements go through the runtime's scalar kernel.
/// </summary>
internal static class QuantizeEmitter
{
    private const string FloatVector = "global::System.Runtime.Intrinsics.Vector256<float>";
    private const string IntVector = "global::System.Runtime.Intrinsics.Vector256<int>";

    public static void EmitData(SourceWriter w, QuantizeLayerPlan p)
    {
        string type = Tensor.TypeName(p.Type);
        if (p.Quantize)
        {
            QuantizationRange(p, out int min, out int max);
            w.Line($"// {p.Identifier}: QuantizeLinear of {p.Elements} float32 values to {type}: clamp(round_half_to_even(x / {SourceWriter.Float(p.Scale)}), {min - p.ZeroPoint}, {max - p.ZeroPoint}) + {p.ZeroPoint}");
            w.Line("//   (NaN gives the zero point); the clamp bounds are the type's range less the zero point, folded at compile time.");
        }
        else
        {
            w.Line($"// {p.Identifier}: DequantizeLinear of {p.Elements} {type} values to float32: (q - {p.ZeroPoint}) * {SourceWriter.Float(p.Scale)}.");
        }
        w.Line();
    }

    private static void QuantizationRange(QuantizeLayerPlan p, out int min, out int max)
    {
        min = Quantization.QuantizationMath.TypeMin(p.Type);
        max = Quantization.QuantizationMath.TypeMax(p.Type);
    }

    public static void EmitKernel(SourceWriter w, QuantizeLayerPlan p, IsaPath path)
    {
        string id = p.Identifier;
        int full = p.Elements / 8 * 8;
        int tail = p.Elements - full;
        w.Line($"/// <summary>{id} on {path.Name}: eight elements per step.</summary>");
        w.Line(TensorOpCode.NoInlining);
        using (w.Block($"internal static void {id}_{path.Name}(ref byte x, ref byte y)"))
        {
            if (full > 0 && p.Quantize)
            {
                QuantizationRange(p, out int min, out int max);
                bool signed = p.Type == QuantType.Int8;
                w.Line($"ref float source = ref {Global.Unsafe}.As<byte, float>(ref x);");
                w.Line($"{FloatVector} scale = {TensorOpCode.Vector256}.Create({SourceWriter.Float(p.Scale)});");
                w.Line($"{FloatVector} low = {TensorOpCode.Vector256}.Create({SourceWriter.Float(min - p.ZeroPoint)});");
                w.Line($"{FloatVector} high = {TensorOpCode.Vector256}.Create({SourceWriter.Float(max - p.ZeroPoint)});");
                w.Line($"{IntVector} zeroPoint = {TensorOpCode.Vector256}.Create({p.ZeroPoint});");
                using (w.Block($"for (int i = 0; i < {full}; i += 8)"))
                {
                    w.Line($"{FloatVector} v = {TensorOpCode.Avx}.RoundToNearestInteger({TensorOpCode.Avx}.Divide({TensorOpCode.Vector256}.LoadUnsafe(ref {Global.Unsafe}.Add(ref source, i)), scale));");
                    w.Line("// NaN lanes become 0 (the zero point), as the scalar; then the saturation, exact on these whole values.");
                    w.Line($"v = {TensorOpCode.Avx}.And(v, {TensorOpCode.Avx}.CompareOrdered(v, v));");
                    w.Line($"v = {TensorOpCode.Avx}.Min({TensorOpCode.Avx}.Max(v, low), high);");
                    w.Line($"{TensorOpCode.Store(signed)}({Global.Avx2}.Add({TensorOpCode.Avx}.ConvertToVector256Int32WithTruncation(v), zeroPoint), ref {TensorOpCode.At("y", "i")});");
                }
            }
            else if (full > 0)
            {
                w.Line($"ref float destination = ref {Global.Unsafe}.As<byte, float>(ref y);");
                w.Line($"{FloatVector} scale = {TensorOpCode.Vector256}.Create({SourceWriter.Float(p.Scale)});");
                w.Line($"{IntVector} zeroPoint = {TensorOpCode.Vector256}.Create({p.ZeroPoint});");
                if (p.Type == QuantType.Int32)
                    w.Line($"ref int source = ref {Global.Unsafe}.As<byte, int>(ref x);");
                using (w.Block($"for (int i = 0; i < {full}; i += 8)"))
                {
                    string load = p.Type == QuantType.Int32
                        ? $"{TensorOpCode.Vector256}.LoadUnsafe(ref {Global.Unsafe}.Add(ref source, i))"
                        : TensorOpCode.LoadEight(TensorOpCode.At("x", "i"), p.Type == QuantType.Int8);
                    w.Line($"{IntVector} q = {load};");
                    w.Line($"{TensorOpCode.Vector256}.StoreUnsafe({TensorOpCode.Avx}.Multiply({TensorOpCode.Avx}.ConvertToVector256Single({Global.Avx2}.Subtract(q, zeroPoint)), scale), ref {Global.Unsafe}.Add(ref destination, i));");
                }
            }
            if (tail > 0)
                w.Line(ScalarCall(p, full, tail) + ";");
        }
        w.Line();
    }

    public static void EmitScalar(SourceWriter w, QuantizeLayerPlan p)
    {
        w.Line($"/// <summary>{p.Identifier} on the runtime's scalar fallback.</summary>");
        using (w.Block($"internal static void {p.Identifier}_Scalar(ref byte x, ref byte y)"))
            w.Line(ScalarCall(p, 0, p.Elements) + ";");
        w.Line();
    }

    private static string ScalarCall(QuantizeLayerPlan p, int offset, int count)
    {
        string type = $"{Global.QuantType}.{p.Type}";
        if (p.Quantize)
        {
            string input = $"{Global.MemoryMarshal}.Cast<byte, float>({TensorOpCode.ReadOnlySpan("x", SourceWriter.Int(4 * offset), 4 * count)})";
            return $"{TensorOpCode.Scalar}.Quantize({input}, {TensorOpCode.Span("y", SourceWriter.Int(offset), count)}, {count}, {SourceWriter.Float(p.Scale)}, {p.ZeroPoint}, {type})";
        }
        int bytes = p.Type == QuantType.Int32 ? 4 : 1;
        string output = $"{Global.MemoryMarshal}.Cast<byte, float>({TensorOpCode.Span("y", SourceWriter.Int(4 * offset), 4 * count)})";
        return $"{TensorOpCode.Scalar}.Dequantize({TensorOpCode.ReadOnlySpan("x", SourceWriter.Int(bytes * offset), bytes * count)}, {output}, {count}, {type}, {SourceWriter.Float(p.Scale)}, {p.ZeroPoint})";
    }

    public static string ReferenceLayer(QuantizeLayerPlan p)
        => p.Quantize
            ? $"new global::KernelGen.Reference.QuantizeReferenceLayer({p.Elements}, {SourceWriter.Float(p.Scale)}, {p.ZeroPoint}, {Global.QuantType}.{p.Type})"
            : $"new global::KernelGen.Reference.DequantizeReferenceLayer({p.Elements}, {Global.QuantType}.{p.Type}, {SourceWriter.Float(p.Scale)}, {p.ZeroPoint})";
}
