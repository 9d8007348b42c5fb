using System.Linq;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// The one requantization step every op's kernels plug in, for each <see cref="RequantizationPlan"/>: its constant tables,
/// the Vector256 code that turns a block of 8 int32 accumulators into clamped outputs, the store, and the runtime's
/// <c>PackedRequantization</c> for the scalar fallback. An op that stops at int32 (MatMulInteger, ConvInteger) gets
/// <see cref="NoRequantization"/>: no step, a 32-bit store.
/// </summary>
internal static class RequantizeStep
{
    private const string V256 = "global::System.Runtime.Intrinsics.Vector256";
    private const string Avx = "global::System.Runtime.Intrinsics.X86.Avx";
    private const string Avx2 = "global::System.Runtime.Intrinsics.X86.Avx2";

    /// <summary>The per-column tables, read by the scalar fallback and, when the columns differ, by the SIMD kernels.</summary>
    public static void EmitTables(SourceWriter w, string id, RequantizationPlan plan)
    {
        switch (plan)
        {
            case FixedPointRequantization f:
                w.IntTable($"{id}_Multipliers", $"{id}: Q31 multiplier M0_j per column", f.Multipliers);
                if (f.HasLeftShift)
                    w.IntTable($"{id}_LeftShifts", $"{id}: left shift per column (multipliers of 1 or more)", f.LeftShifts);
                w.IntTable($"{id}_RightShifts", $"{id}: rounding right shift per column", f.RightShifts);
                break;
            case FloatRequantizationPlan f:
                w.Line($"/// <summary>{id}: float requantization scale per column (input scale * weight scale_j / output scale, in float).</summary>");
                w.Line($"private static {Global.ReadOnlySpan}<float> {id}_Scales => new float[]");
                w.Open();
                for (int start = 0; start < f.Scales.Length; start += 8)
                    w.Line(string.Join(", ", Enumerable.Range(start, System.Math.Min(8, f.Scales.Length - start)).Select(i => SourceWriter.Float(f.Scales[i]))) + ",");
                w.Close(";");
                break;
        }
    }

    /// <summary>Kernel prologue: vector constants and table references.</summary>
    public static void DeclareConstants(SourceWriter w, string id, RequantizationPlan plan)
    {
        switch (plan)
        {
            case FixedPointRequantization f when f.Uniform:
                w.Line($"{V256}<int> multiplier = {V256}.Create({f.Multipliers[0]});");
                break;
            case FixedPointRequantization f:
                w.Line($"ref int multipliers = ref {Global.MemoryMarshal}.GetReference({id}_Multipliers);");
                if (f.HasLeftShift)
                    w.Line($"ref int leftShifts = ref {Global.MemoryMarshal}.GetReference({id}_LeftShifts);");
                w.Line($"ref int rightShifts = ref {Global.MemoryMarshal}.GetReference({id}_RightShifts);");
                break;
            case FloatRequantizationPlan f when f.Uniform:
                w.Line($"{V256}<float> scale = {V256}.Create({SourceWriter.Float(f.Scales[0])});");
                break;
            case FloatRequantizationPlan:
                w.Line($"ref float scales = ref {Global.MemoryMarshal}.GetReference({id}_Scales);");
                break;
            case NoRequantization:
                return;
        }
        if (plan is FloatRequantizationPlan)
            return; // the runtime's FloatRequantize256 takes the zero point and bounds as constants
        w.Line($"{V256}<int> clampMin = {V256}.Create({plan.ClampMin});");
        w.Line($"{V256}<int> clampMax = {V256}.Create({plan.ClampMax});");
        if (plan.ZeroPoint != 0)
            w.Line($"{V256}<int> outputZeroPoint = {V256}.Create({plan.ZeroPoint});");
    }

    /// <summary>Turns the int32 accumulators in <paramref name="acc"/> (columns <paramref name="at"/> ..) into clamped outputs.</summary>
    public static void Apply(SourceWriter w, RequantizationPlan plan, string acc, string at)
    {
        switch (plan)
        {
            case FixedPointRequantization f when f.Uniform:
                if (f.LeftShifts[0] > 0)
                    w.Line($"{acc} = {Avx2}.ShiftLeftLogical({acc}, {f.LeftShifts[0]});");
                // A right shift of 0 divides by 1: the call is left out.
                w.Line(f.RightShifts[0] == 0
                    ? $"{acc} = global::KernelGen.Simd.FixedPoint256.SaturatingRoundingDoublingHighMul({acc}, multiplier);"
                    : $"{acc} = global::KernelGen.Simd.FixedPoint256.RoundingDivideByPOT(global::KernelGen.Simd.FixedPoint256.SaturatingRoundingDoublingHighMul({acc}, multiplier), {f.RightShifts[0]});");
                break;
            case FixedPointRequantization f:
                if (f.HasLeftShift)
                    w.Line($"{acc} = {Avx2}.ShiftLeftLogicalVariable({acc}, {V256}.AsUInt32({Load("leftShifts", at)}));");
                w.Line($"{acc} = global::KernelGen.Simd.FixedPoint256.RoundingDivideByPOT(global::KernelGen.Simd.FixedPoint256.SaturatingRoundingDoublingHighMul({acc}, {Load("multipliers", at)}), {Load("rightShifts", at)});");
                break;
            case FloatRequantizationPlan f:
                // Clamped in float before the rounding, as MLAS does (FloatRequantize256, tested against the scalar).
                string scale = f.Uniform ? "scale" : Load("scales", at);
                w.Line($"{acc} = global::KernelGen.Simd.FloatRequantize256.Apply({acc}, {scale}, {plan.ZeroPoint}, {plan.ClampMin}, {plan.ClampMax});");
                return;
            case NoRequantization:
                return;
        }
        w.Line(plan.ZeroPoint == 0
            ? $"{acc} = {V256}.Min({V256}.Max({acc}, clampMin), clampMax);"
            : $"{acc} = {V256}.Min({V256}.Max({Avx2}.Add({acc}, outputZeroPoint), clampMin), clampMax);");
    }

    /// <summary>Stores the first <paramref name="valid"/> lanes at element <paramref name="at"/> of the output <paramref name="target"/>.</summary>
    public static void Store(SourceWriter w, RequantizationPlan plan, string acc, string target, string at, int valid)
    {
        if (plan.OutputType == global::KernelGen.QuantType.Int32)
        {
            string offset = at == "0" ? "0" : $"4 * ({at})";
            string Target(int lane) => AtOffset(target, lane == 0 ? offset : offset == "0" ? (4 * lane).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{offset} + {4 * lane}");
            if (valid >= 8)
            {
                w.Line($"{Global.Unsafe}.WriteUnaligned(ref {Target(0)}, {acc});");
                return;
            }
            for (int lane = 0; lane < valid; lane++)
                w.Line($"{Global.Unsafe}.WriteUnaligned(ref {Target(lane)}, {V256}.GetElement({acc}, {lane}));");
            return;
        }
        string store = plan.OutputType == global::KernelGen.QuantType.Int8 ? "global::KernelGen.Simd.Store256.StoreInt8" : "global::KernelGen.Simd.Store256.StoreUInt8";
        string destination = "ref " + AtOffset(target, at);
        w.Line(valid >= 8 ? $"{store}({acc}, {destination});" : $"{store}({acc}, {destination}, {valid});");
    }

    /// <summary>The runtime's PackedRequantization over the tables, for the scalar fallback.</summary>
    public static string Scalar(string id, RequantizationPlan plan)
    {
        string empty = Global.ReadOnlySpan + "<int>.Empty";
        string type = Global.QuantType + "." + plan.OutputType;
        string tail = $"zeroPoint: {plan.ZeroPoint}, clampMin: {SourceWriter.Int(plan.ClampMin)}, clampMax: {SourceWriter.Int(plan.ClampMax)}, outputType: {type})";
        return plan switch
        {
            FixedPointRequantization f => $"new global::KernelGen.Kernels.PackedRequantization(multipliers: {id}_Multipliers, leftShifts: {(f.HasLeftShift ? id + "_LeftShifts" : empty)}, rightShifts: {id}_RightShifts, scales: {Global.ReadOnlySpan}<float>.Empty, {tail}",
            FloatRequantizationPlan => $"new global::KernelGen.Kernels.PackedRequantization(multipliers: {empty}, leftShifts: {empty}, rightShifts: {empty}, scales: {id}_Scales, {tail}",
            _ => $"new global::KernelGen.Kernels.PackedRequantization(multipliers: {empty}, leftShifts: {empty}, rightShifts: {empty}, scales: {Global.ReadOnlySpan}<float>.Empty, {tail}",
        };
    }

    /// <summary>The header comment lines of a weighted layer's requantization: output, multiplier, formula, clamp.</summary>
    public static void Header(
        SourceWriter w, string id, RequantizationPlan plan, float inputScale, Model.EquatableArray<float> weightScales, bool perChannel,
        float outputScale, global::KernelGen.Activation activation)
    {
        string type = Tensor.TypeName(plan.OutputType);
        if (plan is NoRequantization)
        {
            w.Line("//   output:  int32 accumulators, no requantization (MatMulInteger / ConvInteger)");
            return;
        }
        w.Line($"//   output:  {type}, scale {SourceWriter.Float(outputScale)}, zero point {plan.ZeroPoint}");
        switch (plan)
        {
            case FixedPointRequantization f when f.Uniform:
                double real = KernelGen.Quantization.QuantizationMath.RequantizationMultiplier(inputScale, weightScales[0], outputScale, perChannel);
                string how = perChannel
                    ? "input scale * weight scale / output scale, in double"
                    : "(double)(float)(input scale * weight scale) / output scale, as TFLite per-tensor";
                w.Line($"//   requantize: {SourceWriter.Real(real)} = {how} -> M0 = {f.Multipliers[0]} (Q31), shift {f.LeftShifts[0] - f.RightShifts[0]}");
                break;
            case FixedPointRequantization:
                w.Line($"//   requantize: per column, input scale * weight scale_j / output scale in double -> M0_j, shift_j ({id}_Multipliers, shifts)");
                break;
            case FloatRequantizationPlan f when f.Uniform:
                w.Line($"//   requantize (float scheme): scale = (input scale * weight scale) / output scale in float = {SourceWriter.Float(f.Scales[0])}");
                break;
            case FloatRequantizationPlan:
                w.Line($"//   requantize (float scheme): scale_j = (input scale * weight scale_j) / output scale in float ({id}_Scales)");
                break;
        }
        w.Line($"//     {Formula(plan)}");
        string clampWhy = activation switch
        {
            global::KernelGen.Activation.Relu => $"ReLU: [quantized 0.0, {type} max]",
            global::KernelGen.Activation.Relu6 => $"ReLU6: [quantized 0.0, quantized 6.0] within the {type} range",
            _ => $"the {type} range",
        };
        w.Line($"//   clamp: [{plan.ClampMin}, {plan.ClampMax}] ({clampWhy})");
    }

    /// <summary>The step as a header comment: the formula with its constants.</summary>
    public static string Formula(RequantizationPlan plan)
    {
        string zero = plan.ZeroPoint == 0 ? "" : $"{plan.ZeroPoint} + ";
        return plan switch
        {
            FixedPointRequantization f when f.Uniform =>
                $"out_j = clamp({zero}RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc_j{(f.LeftShifts[0] > 0 ? " << " + f.LeftShifts[0] : "")}, {f.Multipliers[0]}), {f.RightShifts[0]}), {plan.ClampMin}, {plan.ClampMax})",
            FixedPointRequantization f =>
                $"out_j = clamp({zero}RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc_j{(f.HasLeftShift ? " << left_j" : "")}, M0_j), right_j), {plan.ClampMin}, {plan.ClampMax})",
            FloatRequantizationPlan f when f.Uniform =>
                $"out_j = {zero}round_half_to_even(clamp((float)acc_j * {SourceWriter.Float(f.Scales[0])}, {plan.ClampMin - plan.ZeroPoint}, {plan.ClampMax - plan.ZeroPoint}))  (float scheme, as ONNX Runtime)",
            FloatRequantizationPlan =>
                $"out_j = {zero}round_half_to_even(clamp((float)acc_j * scale_j, {plan.ClampMin - plan.ZeroPoint}, {plan.ClampMax - plan.ZeroPoint}))  (float scheme, as ONNX Runtime)",
            _ => "out_j = acc_j (int32, no requantization)",
        };
    }

    private static string AtOffset(string reference, string offset)
        => offset == "0" ? reference : $"{Global.Unsafe}.Add(ref {reference}, {offset})";

    private static string Load(string reference, string offset)
        => offset == "0"
            ? $"{V256}.LoadUnsafe(ref {reference})"
            : $"{V256}.LoadUnsafe(ref {Global.Unsafe}.Add(ref {reference}, {offset}))";
}
