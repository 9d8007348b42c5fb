using System;
using System.Linq;
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
    /// <summary>k groups handled per loop iteration; layers with at most <see cref="StraightGroups"/> groups are fully unrolled.</summary>
    private const int Unroll = 4;

    private const int StraightGroups = 8;

    public static void EmitData(SourceWriter w, DenseLayerPlan layer)
    {
        Header(w, layer);
        string id = layer.Identifier;
        int groups = DensePacking.Groups(layer.Inputs);
        int blocks = DensePacking.Blocks(layer.Outputs);

        // One line per tile and k group (the bytes of that group's 32-byte loads, one per block), written as unsigned bytes
        // with no spaces: the packed weights are most of the generated source, about 3.6 characters per weight.
        w.Line($"/// <summary>{id}: packed int8 weight operand as raw bytes; per tile, one line per group of 4 k (32 bytes per block).</summary>");
        w.Line($"private static {Global.ReadOnlySpan}<byte> {id}_Weights => new byte[]");
        w.Open();
        int p = 0;
        var line = new System.Text.StringBuilder();
        for (int firstBlock = 0; firstBlock < blocks; firstBlock += DensePacking.TileBlocks)
        {
            int width = DensePacking.TileWidth(firstBlock, blocks);
            int first = firstBlock * DensePacking.BlockColumns;
            w.Line($"// columns {first}..{Math.Min(layer.Outputs, (firstBlock + width) * DensePacking.BlockColumns) - 1}: {Plural(groups, "line")} of {width * 32} bytes");
            for (int g = 0; g < groups; g++)
            {
                line.Clear();
                for (int i = 0; i < width * 32; i++, p++)
                    line.Append(SourceWriter.Int((byte)layer.PackedWeights[p])).Append(',');
                w.Line(line.ToString());
            }
        }
        w.Close(";");

        IntTable(w, $"{id}_Bias", $"{id}: folded bias c_j per column, padded to whole blocks with 0", layer.FoldedBias);
        RequantizeStep.EmitTables(w, id, layer.Requantization);
        if (layer.HasWeightZeroPoints)
            IntTable(w, $"{id}_WeightZeroPoints", $"{id}: weight zero point z_w'_j per column, in the operand's terms", layer.WeightZeroPoints);
        w.Line();
    }

    public static void EmitKernel(SourceWriter w, DenseLayerPlan layer, DotProductStep step)
    {
        string id = layer.Identifier;
        int k = layer.Inputs;
        int n = layer.Outputs;
        int groups = DensePacking.Groups(k);
        int blocks = DensePacking.Blocks(n);

        w.Line($"/// <summary>{id} on {step.Isa}: {k} bytes at <paramref name=\"x\"/> to {n} bytes at <paramref name=\"y\"/>.</summary>");
        w.Line($"/// <remarks>{step.Description}. Never inlined: inlined into a caller, the kernel would spend that");
        w.Line("/// caller's JIT inlining budget (Dynamic PGO does this) and the fixed-point helpers would become calls.</remarks>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        using (w.Block($"internal static void {id}_{step.Isa}(ref byte x, ref byte y)"))
        {
            w.Line($"ref sbyte w = ref global::System.Runtime.CompilerServices.Unsafe.As<byte, sbyte>(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({id}_Weights));");
            w.Line($"ref int bias = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({id}_Bias);");
            if (layer.HasWeightZeroPoints)
            {
                if (layer.UniformWeightZeroPoint)
                    w.Line($"global::System.Runtime.Intrinsics.Vector256<int> weightZeroPoint = global::System.Runtime.Intrinsics.Vector256.Create({layer.WeightZeroPoints[0]});");
                else
                    w.Line($"ref int weightZeroPoints = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({id}_WeightZeroPoints);");
            }
            RequantizeStep.DeclareConstants(w, id, layer.Requantization);
            step.DeclareConstants(w);

            if (layer.HasWeightZeroPoints)
                InputSum(w, layer, step);

            // Tiles whose blocks are all full share one loop; a last, narrower or partial tile is written out.
            int fullTiles = 0;
            for (int first = 0; first < blocks; first += DensePacking.TileBlocks)
            {
                bool full = DensePacking.TileWidth(first, blocks) == DensePacking.TileBlocks
                    && (first + DensePacking.TileBlocks) * DensePacking.BlockColumns <= n;
                if (!full)
                    break;
                fullTiles++;
            }

            int tileBytes = DensePacking.TileBlocks * groups * 32;
            int tileColumns = DensePacking.TileBlocks * DensePacking.BlockColumns;
            if (fullTiles >= 2)
            {
                w.Line();
                w.Line($"// Columns 0 .. {fullTiles * tileColumns - 1}: {fullTiles} tiles of {DensePacking.TileBlocks} blocks, c = first column of the tile.");
                using (w.Block($"for (int t = 0; t < {fullTiles}; t++)"))
                {
                    w.Line($"ref sbyte wt = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref w, t * {tileBytes});");
                    w.Line($"int c = t * {tileColumns};");
                    Tile(w, layer, step, "c", 0, DensePacking.TileBlocks, n);
                }
            }
            for (int first = fullTiles >= 2 ? fullTiles * DensePacking.TileBlocks : 0; first < blocks; first += DensePacking.TileBlocks)
            {
                int width = DensePacking.TileWidth(first, blocks);
                int column = first * DensePacking.BlockColumns;
                w.Line();
                w.Line($"// Columns {column} .. {Math.Min(n, column + width * DensePacking.BlockColumns) - 1}: {Plural(width, "block")}.");
                using (w.Block(""))
                {
                    w.Line(first == 0 ? "ref sbyte wt = ref w;" : $"ref sbyte wt = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref w, {first * groups * 32});");
                    Tile(w, layer, step, null, column, width, n);
                }
            }
        }
        w.Line();
    }

    public static void EmitScalar(SourceWriter w, DenseLayerPlan layer)
    {
        string id = layer.Identifier;
        w.Line($"/// <summary>{id} on the runtime's scalar fallback, over the same folded constants.</summary>");
        using (w.Block($"internal static void {id}_Scalar(ref byte x, ref byte y)"))
        {
            w.Line("global::KernelGen.Kernels.ScalarDense.Run(");
            w.Line("    new global::KernelGen.Kernels.PackedDense(");
            w.Line($"        inputs: {layer.Inputs}, outputs: {layer.Outputs}, inputSigned: {Bool(layer.InputSigned)},");
            w.Line($"        weights: global::System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>({id}_Weights), foldedBias: {id}_Bias,");
            w.Line($"        weightZeroPoints: {(layer.HasWeightZeroPoints ? id + "_WeightZeroPoints" : Global.ReadOnlySpan + "<int>.Empty")},");
            w.Line($"        requantization: {RequantizeStep.Scalar(id, layer.Requantization)}),");
            w.Line($"    global::System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref x, {layer.Inputs}),");
            w.Line($"    global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref y, {layer.Outputs * (layer.Requantization.OutputType == QuantType.Int32 ? 4 : 1)}));");
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
            IntTable(w, $"{layer.Identifier}_DeclaredBias", $"{layer.Identifier}: bias as declared", layer.Reference.Bias);
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

    private static void InputSum(SourceWriter w, DenseLayerPlan layer, DotProductStep step)
    {
        int fullGroups = layer.Inputs / 4;
        w.Line();
        w.Line("// Σ_k u_k in every lane, for the weight zero-point term z_w' * Σu.");
        w.Line("global::System.Runtime.Intrinsics.Vector256<int> inputSum = global::System.Runtime.Intrinsics.Vector256<int>.Zero;");
        if (fullGroups > 0)
        {
            using (w.Block($"for (int g = 0; g < {fullGroups}; g++)"))
                step.AccumulateInputSum(w, Bits(layer, "global::System.Runtime.CompilerServices.Unsafe.ReadUnaligned<uint>(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, 4 * g))", 4));
        }
        if (layer.Inputs % 4 != 0)
            step.AccumulateInputSum(w, Bits(layer, TailRead(layer.Inputs), layer.Inputs % 4));
    }

    /// <param name="columnVariable">"c" inside the loop over full tiles, else null.</param>
    /// <param name="column">The tile's first column when it is written out (0 inside the loop).</param>
    private static void Tile(SourceWriter w, DenseLayerPlan layer, DotProductStep step, string? columnVariable, int column, int width, int n)
    {
        int k = layer.Inputs;
        int fullGroups = k / 4;
        int groupBytes = width * 32;

        for (int b = 0; b < width; b++)
            step.DeclareAccumulators(w, b);

        if (fullGroups > StraightGroups)
        {
            int looped = fullGroups / Unroll * Unroll;
            using (w.Block($"for (int g = 0; g < {looped}; g += {Unroll})"))
            {
                w.Line($"ref byte xg = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, 4 * g);");
                w.Line($"ref sbyte wg = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref wt, g * {groupBytes});");
                for (int u = 0; u < Unroll; u++)
                    Group(w, layer, step, width, $"x{u}", "xg", u * 4, "wg", u * groupBytes, 4);
            }
            for (int g = looped; g < fullGroups; g++)
                Group(w, layer, step, width, $"x{g}", "x", g * 4, "wt", g * groupBytes, 4);
        }
        else
        {
            for (int g = 0; g < fullGroups; g++)
                Group(w, layer, step, width, $"x{g}", "x", g * 4, "wt", g * groupBytes, 4);
        }
        if (k % 4 != 0)
            Group(w, layer, step, width, $"x{fullGroups}", "x", fullGroups * 4, "wt", fullGroups * groupBytes, k % 4);

        for (int b = 0; b < width; b++)
        {
            int blockColumn = column + b * DensePacking.BlockColumns;
            // Inside the loop every block is full; a written-out tile knows how many columns its last block holds.
            int valid = columnVariable is null ? Math.Min(DensePacking.BlockColumns, n - blockColumn) : DensePacking.BlockColumns;
            Requantize(w, layer, step, b, columnVariable, blockColumn, valid);
        }
    }

    private static void Group(
        SourceWriter w, DenseLayerPlan layer, DotProductStep step, int width, string name,
        string inputRef, int inputOffset, string weightsRef, int weightOffset, int bytes)
    {
        string read = bytes == 4
            ? $"global::System.Runtime.CompilerServices.Unsafe.ReadUnaligned<uint>(ref {At(inputRef, inputOffset)})"
            : TailRead(inputOffset + bytes);
        step.Broadcast(w, name, Bits(layer, read, bytes));
        for (int b = 0; b < width; b++)
            step.MultiplyAdd(w, b, name, weightsRef, weightOffset + b * 32);
    }

    /// <summary>Reads the last k % 4 input bytes of a row without reading past it; the missing bytes meet zero weights.</summary>
    private static string TailRead(int inputs)
    {
        int start = inputs / 4 * 4;
        return (inputs % 4) switch
        {
            1 => $"(uint){At("x", start)}",
            2 => $"(uint)global::System.Runtime.CompilerServices.Unsafe.ReadUnaligned<ushort>(ref {At("x", start)})",
            _ => $"(uint)global::System.Runtime.CompilerServices.Unsafe.ReadUnaligned<ushort>(ref {At("x", start)}) | (uint){At("x", start + 2)} << 16",
        };
    }

    /// <summary>The uint8 operand's bits: int8 inputs get their sign bits flipped (x ^ 0x80 = x + 128), real bytes only.</summary>
    private static string Bits(DenseLayerPlan layer, string read, int bytes)
    {
        if (!layer.InputSigned)
            return read;
        string mask = bytes switch { 1 => "0x80u", 2 => "0x8080u", 3 => "0x808080u", _ => "0x80808080u" };
        return read.Contains("|") ? $"({read}) ^ {mask}" : $"{read} ^ {mask}";
    }

    private static string At(string reference, int offset)
        => offset == 0 ? reference : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {reference}, {offset})";

    private static void Requantize(SourceWriter w, DenseLayerPlan layer, DotProductStep step, int block, string? column, int blockColumn, int valid)
    {
        string acc = $"acc{block}";
        // One int offset serves the constant tables (through Unsafe.Add in Load) and the output store.
        string at = Offsets.Int(column, blockColumn);

        w.Line($"// Columns {at} .. {Offsets.Int(column, blockColumn + valid - 1)}: requantize and store.");
        step.Finish(w, block);
        w.Line($"{acc} = global::System.Runtime.Intrinsics.X86.Avx2.Add({acc}, {Load("bias", at)});");
        if (layer.HasWeightZeroPoints)
        {
            string zero = layer.UniformWeightZeroPoint ? "weightZeroPoint" : Load("weightZeroPoints", at);
            w.Line($"{acc} = global::System.Runtime.Intrinsics.X86.Avx2.Subtract({acc}, global::System.Runtime.Intrinsics.X86.Avx2.MultiplyLow(inputSum, {zero}));");
        }
        RequantizeStep.Apply(w, layer.Requantization, acc, at);
        RequantizeStep.Store(w, layer.Requantization, acc, "y", at, valid);
    }

    private static string Load(string reference, string offset)
        => offset == "0"
            ? $"global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {reference})"
            : $"global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {reference}, {offset}))";

    private static void IntTable(SourceWriter w, string name, string what, Model.EquatableArray<int> values)
    {
        w.Line($"/// <summary>{what}.</summary>");
        w.Line($"private static {Global.ReadOnlySpan}<int> {name} => new int[]");
        w.Open();
        for (int start = 0; start < values.Length; start += 8)
        {
            int count = Math.Min(8, values.Length - start);
            w.Line(string.Join(", ", Enumerable.Range(start, count).Select(i => SourceWriter.Int(values[i]))) + ",");
        }
        w.Close(";");
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
