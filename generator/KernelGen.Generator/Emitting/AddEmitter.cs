using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// Emits one Add: its header (the folded constants), the SIMD kernel (eight elements per step through the runtime's
/// QuantizedAdd256 with the folded constants as literals: TFLite's AddFunc, or ONNX Runtime's two FMAs and cvtps2dq; the
/// last 1..7 elements through the runtime's scalar kernel) and the scalar fallback.
/// </summary>
internal static class AddEmitter
{
    public static void EmitData(SourceWriter w, AddLayerPlan p)
    {
        string id = p.Identifier;
        string type = p.Signed ? "int8" : "uint8";
        w.Line($"// {id}: Add of {p.Elements} {type} values, '{Name(p, 0)}' (scale {SourceWriter.Real(p.Input1Scale)}, zero point {p.Input1ZeroPoint}) + '{Name(p, 1)}' (scale {SourceWriter.Real(p.Input2Scale)}, zero point {p.Input2ZeroPoint})");
        w.Line($"//   -> scale {SourceWriter.Real(p.OutputScale)}, zero point {p.OutputZeroPoint}, {p.Activation} folded into the clamp [{p.ClampMin}, {p.ClampMax}].");
        if (p.Scheme == RequantizationScheme.FixedPoint)
        {
            w.Line($"//   TFLite AddFunc: each operand (q - z) << 20 times its Q31 multiplier (M1 = {p.FixedPoint[1]}, shift {p.FixedPoint[2]}; M2 = {p.FixedPoint[4]}, shift {p.FixedPoint[5]}),");
            w.Line($"//   the sum times M_out = {p.FixedPoint[6]} with shift {p.FixedPoint[7]}, + {p.FixedPoint[8]}; multipliers from AddParameters (add.cc Prepare) at compile time.");
        }
        else
        {
            w.Line($"//   ONNX Runtime QLinearAdd (MLAS AVX2): v = fma(q1, {SourceWriter.Float(p.FloatConstants[0])}, fma(q2, {SourceWriter.Float(p.FloatConstants[1])}, {SourceWriter.Float(p.FloatConstants[2])})),");
            w.Line("//   ratios s/s_out and the fixed part z_out - (r1 z1 + r2 z2) folded at compile time; rounded half to even (cvtps2dq).");
        }
        w.Line();
    }

    private static string Name(AddLayerPlan p, int i) => p.OperandNames[i];

    public static void EmitKernel(SourceWriter w, AddLayerPlan p, IsaPath path)
    {
        string id = p.Identifier;
        int full = p.Elements / 8 * 8;
        int tail = p.Elements - full;
        string v = "global::System.Runtime.Intrinsics.Vector256<int>";
        w.Line($"/// <summary>{id} on {path.Name}: eight elements per step.</summary>");
        w.Line(TensorOpCode.NoInlining);
        using (w.Block($"internal static void {id}_{path.Name}(ref byte a, ref byte b, ref byte y)"))
        {
            bool fixedPoint = p.Scheme == RequantizationScheme.FixedPoint;
            if (!fixedPoint)
            {
                // The float scheme is MLAS's FMA sequence: where FMA is missing, the scalar kernel computes the same values.
                using (w.Block($"if (!{TensorOpCode.Fma}.IsSupported)"))
                {
                    w.Line($"{id}_Scalar(ref a, ref b, ref y);");
                    w.Line("return;");
                }
            }
            if (full > 0)
            {
                string helper = "global::KernelGen.Simd.QuantizedAdd256";
                string load = p.Signed ? "LoadInt8" : "LoadUInt8";
                using (w.Block($"for (int i = 0; i < {full}; i += 8)"))
                {
                    w.Line($"{v} q1 = {helper}.{load}(ref {TensorOpCode.At("a", "i")});");
                    w.Line($"{v} q2 = {helper}.{load}(ref {TensorOpCode.At("b", "i")});");
                    string sum = fixedPoint
                        ? $"{helper}.FixedPoint(q1, q2, {p.FixedPoint[0]}, {p.FixedPoint[1]}, {-p.FixedPoint[2]}, {p.FixedPoint[3]}, {p.FixedPoint[4]}, {-p.FixedPoint[5]}, {p.FixedPoint[6]}, {-p.FixedPoint[7]}, {p.FixedPoint[8]}, {p.ClampMin}, {p.ClampMax})"
                        : $"{helper}.Float(q1, q2, {SourceWriter.Float(p.FloatConstants[0])}, {SourceWriter.Float(p.FloatConstants[1])}, {SourceWriter.Float(p.FloatConstants[2])}, {p.ClampMin}, {p.ClampMax})";
                    w.Line($"{TensorOpCode.Store(p.Signed)}({sum}, ref {TensorOpCode.At("y", "i")});");
                }
            }
            if (tail > 0)
                w.Line(ScalarCall(p, full.ToString(), tail) + ";");
        }
        w.Line();
    }

    public static void EmitScalar(SourceWriter w, AddLayerPlan p)
    {
        w.Line($"/// <summary>{p.Identifier} on the runtime's scalar fallback, over the same folded constants.</summary>");
        using (w.Block($"internal static void {p.Identifier}_Scalar(ref byte a, ref byte b, ref byte y)"))
            w.Line(ScalarCall(p, "0", p.Elements) + ";");
        w.Line();
    }

    private static string ScalarCall(AddLayerPlan p, string offset, int count)
    {
        string spans = $"{TensorOpCode.ReadOnlySpan("a", offset, count)}, {TensorOpCode.ReadOnlySpan("b", offset, count)}, {TensorOpCode.Span("y", offset, count)}, {count}, {TensorOpCode.Bool(p.Signed)}";
        if (p.Scheme == RequantizationScheme.FixedPoint)
        {
            string constants = string.Join(", ", System.Linq.Enumerable.Select(p.FixedPoint.AsSpan().ToArray(), SourceWriter.Int));
            return $"{TensorOpCode.Scalar}.AddFixedPoint({spans}, {constants}, {p.ClampMin}, {p.ClampMax})";
        }
        return $"{TensorOpCode.Scalar}.AddFloat({spans}, {SourceWriter.Float(p.FloatConstants[0])}, {SourceWriter.Float(p.FloatConstants[1])}, {SourceWriter.Float(p.FloatConstants[2])}, {p.ClampMin}, {p.ClampMax})";
    }

    public static string ReferenceLayer(AddLayerPlan p)
        => $"new global::KernelGen.Reference.AddReferenceLayer({p.Elements}, {Global.QuantType}.{(p.Signed ? "Int8" : "UInt8")},\n"
            + $"    {SourceWriter.Float(p.Input1Scale)}, {p.Input1ZeroPoint}, {SourceWriter.Float(p.Input2Scale)}, {p.Input2ZeroPoint}, {SourceWriter.Float(p.OutputScale)}, {p.OutputZeroPoint},\n"
            + $"    {Global.Activation}.{p.Activation}, global::KernelGen.RequantizationScheme.{p.Scheme})";
}
