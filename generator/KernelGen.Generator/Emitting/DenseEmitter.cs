using System;
using System.Linq;
using System.Runtime.InteropServices;
using KernelGen.Generator.Planning;
using KernelGen.Kernels;
using KernelGen.Quantization;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// Emits one Dense layer: its header comment, its folded constant data, one kernel per instruction set (one template,
/// <see cref="DotProductStep"/> plugged in) and the call into the runtime's scalar fallback.
/// </summary>
/// <remarks>
/// Kernel shape: columns are processed in tiles of up to four blocks of eight (one Vector256&lt;int&gt; of
/// accumulators per block). For each group of four k, four input bytes are broadcast to every int32 lane and multiplied
/// with each block's 32 packed weight bytes. Then each block is requantized in SIMD (folded bias, fixed-point multiply,
/// rounding shift, zero point, clamp) and narrowed to bytes.
/// </remarks>
internal static class DenseEmitter
{
    public static void EmitData(SourceWriter w, DenseLayerPlan layer)
    {
        Header(w, layer);
        string id = layer.Identifier;
        w.ByteTable($"{id}_Weights", $"{id}: packed int8 weight operand as raw bytes; per tile, one line per group of 4 k (32 bytes per block)",
            MemoryMarshal.AsBytes(layer.PackedWeights.AsSpan()), GemmEmitter.WeightSections(layer.Inputs, layer.Outputs, 1));
        GemmEmitter.EmitWidenedWeights(w, id, layer.Operand);

        w.IntTable($"{id}_Bias", $"{id}: folded bias c_j per column, padded to whole blocks with 0", layer.FoldedBias);
        RequantizeStep.EmitTables(w, id, layer.Requantization);
        if (layer.HasWeightZeroPoints)
            w.IntTable($"{id}_WeightZeroPoints", $"{id}: weight zero point z_w'_j per column, in the operand's terms", layer.WeightZeroPoints);
        w.Line();
    }

    public static void EmitKernel(SourceWriter w, DenseLayerPlan layer, IsaPath path)
    {
        string id = layer.Identifier;
        int k = layer.Inputs;
        int n = layer.Outputs;
        GemmRow row = Row(layer);
        DotProductStep step = path.GemmStep(layer.Operand);

        w.Line($"/// <summary>{id} on {path.Name}: <paramref name=\"rows\"/> rows of {k} bytes at <paramref name=\"x\"/> to {n} outputs each at <paramref name=\"y\"/>,");
        w.Line($"/// {step.RowsPerBlock} rows at a time ({step.RowsPerBlock}x{step.PassColumns}c4), then one at a time (1x32c4).{SplitSummary(layer)}</summary>");
        w.Line($"/// <remarks>{step.Description}. Never inlined: inlined into a caller, the kernel would spend that");
        w.Line("/// caller's JIT inlining budget (Dynamic PGO does this) and the fixed-point helpers would become calls.</remarks>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        bool split = layer.SplitTiles > 0;
        using (w.Block($"internal static void {GemmEmitter.KernelName(id, "Dense", row, path)}(ref byte x, ref byte y, int rows{TileParameters(split)})"))
        {
            GemmEmitter.DeclareConstants(w, row, step, "w");
            GemmEmitter.EmitColumnMajor(w, row, step, "rows", split);
        }
        w.Line();
    }

    private static string TileParameters(bool split) => split ? ", int firstTile, int endTile" : "";

    private static string SplitSummary(DenseLayerPlan layer)
        => layer.SplitTiles > 0
            ? $" Only column tiles [<paramref name=\"firstTile\"/>, <paramref name=\"endTile\"/>) of {layer.SplitTiles} ({DensePacking.TileBlocks * DensePacking.BlockColumns} columns each): RunParallel shares a small batch out over them."
            : "";

    public static void EmitScalar(SourceWriter w, DenseLayerPlan layer)
    {
        string id = layer.Identifier;
        bool split = layer.SplitTiles > 0;
        w.Line($"/// <summary>{id} on the runtime's scalar fallback, over the same folded constants.{SplitSummary(layer)}</summary>");
        using (w.Block($"internal static void {id}_Scalar(ref byte x, ref byte y, int rows{TileParameters(split)})"))
        using (w.Block("for (int r = 0; r < rows; r++)"))
        {
            w.Line("global::KernelGen.Kernels.ScalarDense.Run(");
            w.Line("    new global::KernelGen.Kernels.PackedDense(");
            w.Line($"        inputs: {layer.Inputs}, outputs: {layer.Outputs}, inputSigned: {Bool(layer.InputSigned)},");
            w.Line($"        weights: global::System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>({id}_Weights), foldedBias: {id}_Bias,");
            w.Line($"        weightZeroPoints: {(layer.HasWeightZeroPoints ? id + "_WeightZeroPoints" : Global.ReadOnlySpan + "<int>.Empty")},");
            w.Line($"        requantization: {RequantizeStep.Scalar(id, layer.Requantization)}),");
            int outputBytes = layer.Outputs * (layer.Requantization.OutputType == QuantType.Int32 ? 4 : 1);
            w.Line($"    global::System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, r * {layer.Inputs}), {layer.Inputs}),");
            w.Line($"    global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref y, r * {outputBytes}), {outputBytes}){(split ? ", firstTile, endTile" : "")});");
        }
        w.Line();
    }

    /// <summary>
    /// The reference layer for RunReference, from the declared (unfolded) parameters. Its weights are unpacked from the
    /// kernels' packed operand at run time, so the generated source holds the weights once and Run and RunReference cannot
    /// read different data.
    /// </summary>
    public static string ReferenceLayer(DenseLayerPlan layer)
    {
        DenseReferencePlan r = layer.Reference;
        string type = layer.InputSigned ? Global.QuantType + ".Int8" : Global.QuantType + ".UInt8";
        string weightType = Global.QuantType + "." + r.WeightType;
        string weights = $"global::KernelGen.Kernels.DensePacking.UnpackWeights(global::System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>({layer.Identifier}_Weights), {layer.Inputs}, {layer.Outputs}, {weightType})";
        string bias = r.HasBias ? $"{layer.Identifier}_DeclaredBias.ToArray()" : "null";
        string scales = string.Join(", ", r.WeightScales.Select(SourceWriter.Float));
        string zeros = string.Join(", ", r.WeightZeroPoints.Select(SourceWriter.Int));
        string activation = Global.Activation + "." + r.Activation;
        return $"new {Global.DenseReferenceLayer}(\n"
            + $"    inputs: {layer.Inputs}, outputs: {layer.Outputs}, activationType: {type}, inputScale: {SourceWriter.Float(r.InputScale)}, inputZeroPoint: {r.InputZeroPoint},\n"
            + $"    weightType: {weightType},\n"
            + $"    weights: {weights},\n"
            + $"    weightScales: new float[] {{ {scales} }},\n"
            + $"    weightZeroPoints: new int[] {{ {zeros} }}, bias: {bias},\n"
            + $"    outputScale: {SourceWriter.Float(r.OutputScale)}, outputZeroPoint: {layer.Requantization.ZeroPoint}, activation: {activation}, perChannelScales: {Bool(r.PerChannelScales)},\n"
            + $"    scheme: global::KernelGen.RequantizationScheme.{r.Scheme}, outputType: {Global.QuantType}.{layer.Requantization.OutputType})";
    }

    /// <summary>The declared bias, for RunReference (the kernels use the folded bias instead).</summary>
    public static void EmitDeclaredData(SourceWriter w, DenseLayerPlan layer)
    {
        if (layer.Reference.HasBias)
            w.IntTable($"{layer.Identifier}_DeclaredBias", $"{layer.Identifier}: bias as declared", layer.Reference.Bias);
    }

    private static void Header(SourceWriter w, DenseLayerPlan layer)
    {
        DenseReferencePlan r = layer.Reference;
        int k = layer.Inputs;
        int n = layer.Outputs;
        string actType = layer.InputSigned ? "int8" : "uint8";
        string weightType = r.WeightType == QuantType.Int8 ? "int8" : "uint8";
        bool perChannel = r.WeightScales.Length > 1 || r.WeightZeroPoints.Length > 1;
        string activation = r.Activation switch { Activation.Relu => "ReLU", Activation.Relu6 => "ReLU6", _ => "no activation" };
        int inputZero = r.InputZeroPoint + (layer.InputSigned ? 128 : 0);

        w.Line("// ------------------------------------------------------------------------------------------------");
        string outType = Planning.Tensor.TypeName(layer.Requantization.OutputType);
        w.Line($"// {layer.Name}: Dense {k} -> {n}, {actType} in, {outType} out, {weightType} weights ({(perChannel ? "per-channel" : "per-tensor")}), {activation}");
        w.Line($"//   input:   scale {SourceWriter.Float(r.InputScale)}, zero point {r.InputZeroPoint}; kernel operand u = {(layer.InputSigned ? "x ^ 0x80 = x + 128" : "x")}, z_in' = {inputZero}");
        string zeros = r.WeightZeroPoints.Length == 1 ? r.WeightZeroPoints[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : "per column";
        w.Line($"//   weights: {(r.WeightScales.Length == 1 ? "scale " + SourceWriter.Float(r.WeightScales[0]) : $"{n} scales")}, zero point {zeros}; operand v = {(r.WeightType == QuantType.UInt8 ? "w - 128" : "w")}");
        RequantizeStep.Header(w, layer.Identifier, layer.Requantization, r.InputScale, r.WeightScales, r.PerChannelScales, r.OutputScale, r.Activation);
        string biasTerm = r.HasBias ? "bias_j" : "0";
        string fold = inputZero == 0 ? biasTerm : $"{biasTerm} - {inputZero} * Σ_k v_jk";
        if (layer.HasWeightZeroPoints)
            fold += inputZero == 0 ? "" : $" + {k} * {inputZero} * z_w'_j";
        w.Line($"//   folded bias: c_j = {fold}{(layer.HasWeightZeroPoints ? "; acc_j = Σ_k u_k v_jk - z_w'_j * Σ_k u_k + c_j" : "; acc_j = Σ_k u_k v_jk + c_j")}");
        int groups = DensePacking.Groups(k);
        int blocks = DensePacking.Blocks(n);
        w.Line($"//   packed: {Plural(n, "column")} in {Plural(blocks, "block")} of 8, {Plural((blocks + 3) / 4, "tile")} of up to 4 blocks; {k} k in {Plural(groups, "group")} of 4{(k % 4 != 0 ? " (the last zero-padded)" : "")}");
        w.Line($"//   AVX2: {layer.SaturationProof}");
        w.Line("// ------------------------------------------------------------------------------------------------");
    }

    /// <summary>The layer as one GEMM row.</summary>
    public static GemmRow Row(DenseLayerPlan layer)
        => new(layer.Identifier, layer.Inputs, layer.Outputs, layer.InputSigned, layer.WeightZeroPoints, layer.HasWeightZeroPoints && layer.UniformWeightZeroPoint, layer.Requantization, layer.Operand);

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
