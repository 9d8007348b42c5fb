using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// Emits one DepthwiseConv2D layer: its header comment, its folded constants, one Vector256 kernel per SIMD path and the
/// call into the runtime's scalar fallback.
/// </summary>
/// <remarks>
/// Kernel shape: output pixels are visited in runs of rows and of columns whose valid kernel taps are the same (decided
/// here: border runs get narrower tap ranges, so no tap reads padding and no load is bounds-checked). For each pixel,
/// output channels go in blocks of 8 int32 lanes: per tap, 8 input bytes are widened to int32 (depth multiplier M &gt; 1:
/// permuted so lane o reads input channel o / M), less the input zero point, multiplied by the 8 weights less their zero
/// points (int16, widened), and summed exactly in int32. Then the bias is added and the block requantized and stored.
/// </remarks>
internal static class DepthwiseConv2DEmitter
{
    private const string V256 = "global::System.Runtime.Intrinsics.Vector256";
    private const string V128 = "global::System.Runtime.Intrinsics.Vector128";
    private const string Avx2 = "global::System.Runtime.Intrinsics.X86.Avx2";
    private const string Unsafe = Global.Unsafe;

    /// <summary>A run of output positions along one axis [Start, End) whose taps [First, Last) are the valid ones.</summary>
    internal readonly struct Run
    {
        public Run(int start, int end, int first, int last)
        {
            Start = start;
            End = end;
            First = first;
            Last = last;
        }

        public int Start { get; }
        public int End { get; }
        public int First { get; }
        public int Last { get; }
        public int Taps => Last - First;
    }

    /// <summary>The runs of one axis: each output position's valid taps k, those with 0 &lt;= o * stride - pad + k * dilation &lt; input.</summary>
    internal static List<Run> Runs(int outputs, int input, int kernel, int stride, int dilation, int pad)
    {
        var runs = new List<Run>();
        for (int o = 0; o < outputs; o++)
        {
            long origin = (long)o * stride - pad;
            long first = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation;
            long lastIndex = input - 1 - origin;
            long last = lastIndex < 0 ? 0 : lastIndex / dilation + 1;
            first = Math.Min(first, kernel);
            last = Math.Max(Math.Min(last, kernel), first);
            if (runs.Count > 0 && runs[runs.Count - 1].First == first && runs[runs.Count - 1].Last == last)
            {
                Run previous = runs[runs.Count - 1];
                runs[runs.Count - 1] = new Run(previous.Start, o + 1, previous.First, previous.Last);
            }
            else
            {
                runs.Add(new Run(o, o + 1, (int)first, (int)last));
            }
        }
        return runs;
    }

    public static void EmitData(SourceWriter w, DepthwiseConv2DLayerPlan layer)
    {
        Header(w, layer);
        string id = layer.Identifier;
        int padded = layer.PaddedChannels;
        w.ShortTable($"{id}_Weights", $"{id}: weights less their zero points, v = w - z_w, per tap (i * {layer.KernelWidth} + j) one line of {padded} output channels (padded with 0)",
            layer.Weights.AsSpan(), padded);
        w.IntTable($"{id}_Bias", $"{id}: bias per output channel{(layer.Reference.HasBias ? "" : " (none declared: 0)")}, padded to whole blocks with 0", layer.Bias);
        RequantizeStep.EmitTables(w, id, layer.Requantization);
        if (GatherTable(layer))
        {
            int looped = LoopedBlocks(layer);
            var gather = new int[looped * 8];
            for (int b = 0; b < looped; b++)
            {
                for (int l = 0; l < 8; l++)
                    gather[8 * b + l] = Permutation(layer, 8 * b)[l];
            }
            w.IntTable($"{id}_Gather", $"{id}: per block of 8 output channels o, the lane of input channel o / {layer.DepthMultiplier} among the 8 read from (first o) / {layer.DepthMultiplier}", gather.ToEquatableArray());
        }
        w.Line();
    }

    public static void EmitKernel(SourceWriter w, DepthwiseConv2DLayerPlan layer, IsaPath path)
    {
        string id = layer.Identifier;
        w.Line($"/// <summary>{id} on {path.Name}: {layer.InputHeight}x{layer.InputWidth}x{layer.Channels} at <paramref name=\"x\"/> to {layer.OutputHeight}x{layer.OutputWidth}x{layer.OutputChannels} at <paramref name=\"y\"/> (NHWC).</summary>");
        w.Line("/// <remarks>Vector256 int32 lanes across output channels; taps of border pixels limited at compile time. Never inlined, as Dense.</remarks>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        using (w.Block($"internal static void {id}_{path.Name}(ref byte x, ref byte y)"))
        {
            w.Line($"ref short w = ref {Global.MemoryMarshal}.GetReference({id}_Weights);");
            w.Line($"ref int bias = ref {Global.MemoryMarshal}.GetReference({id}_Bias);");
            if (GatherTable(layer))
                w.Line($"ref int gather = ref {Global.MemoryMarshal}.GetReference({id}_Gather);");
            else if (layer.DepthMultiplier > 1 && LoopedBlocks(layer) >= 2)
                w.Line($"{V256}<int> gather = {V256}.Create({string.Join(", ", Permutation(layer, 0))});");
            w.Line($"{V256}<int> inputZeroPoint = {V256}.Create({layer.InputZeroPoint});");
            RequantizeStep.DeclareConstants(w, id, layer.Requantization);

            int[] pads = layer.Pads.AsSpan().ToArray();
            List<Run> rows = Runs(layer.OutputHeight, layer.InputHeight, layer.KernelHeight, layer.StrideHeight, layer.DilationHeight, pads[0]);
            List<Run> columns = Runs(layer.OutputWidth, layer.InputWidth, layer.KernelWidth, layer.StrideWidth, layer.DilationWidth, pads[1]);
            int c = layer.Channels;
            long rowBytes = (long)layer.InputWidth * c;
            int outPixel = layer.OutputChannels * layer.OutputElementBytes;
            foreach (Run row in rows)
            {
                w.Line();
                w.Line($"// Output rows {row.Start} .. {row.End - 1}: kernel rows {row.First} .. {row.Last - 1}{(row.Taps == layer.KernelHeight ? " (all)" : "")}.");
                using (w.Block($"for (int oy = {row.Start}; oy < {row.End}; oy++)"))
                {
                    foreach (Run column in columns)
                    {
                        w.Line($"// Output columns {column.Start} .. {column.End - 1}: kernel columns {column.First} .. {column.Last - 1}{(column.Taps == layer.KernelWidth ? " (all)" : "")}.");
                        using (w.Block($"for (int ox = {column.Start}; ox < {column.End}; ox++)"))
                        {
                            w.Line($"ref byte yp = ref {Unsafe}.Add(ref y, oy * {layer.OutputWidth * outPixel} + ox * {outPixel});");
                            bool taps = row.Taps > 0 && column.Taps > 0;
                            if (taps)
                            {
                                // The first valid tap's input pixel: row oy * sh - top + first * dh, column ox * sw - left + first * dw.
                                long constant = ((long)row.First * layer.DilationHeight - pads[0]) * rowBytes + ((long)column.First * layer.DilationWidth - pads[1]) * c;
                                string offset = $"oy * {layer.StrideHeight * rowBytes} + ox * {layer.StrideWidth * c}" + (constant == 0 ? "" : constant > 0 ? $" + {constant}" : $" - {-constant}");
                                w.Line($"ref byte xp = ref {Unsafe}.Add(ref x, {offset});");
                            }
                            Pixel(w, layer, row, column, taps);
                        }
                    }
                }
            }
        }
        w.Line();
    }

    /// <summary>Full blocks handled by the loop over channels: full output blocks whose 8-byte input read stays in the pixel.</summary>
    private static int LoopedBlocks(DepthwiseConv2DLayerPlan layer)
    {
        int m = layer.DepthMultiplier;
        int blocks = 0;
        while ((blocks + 1) * 8 <= layer.OutputChannels && blocks * 8 / m + 8 <= layer.Channels)
            blocks++;
        return blocks;
    }

    /// <summary>True when the looped blocks need a table of permutations: they differ between blocks (8 is no multiple of
    /// the depth multiplier); otherwise one constant serves them all.</summary>
    private static bool GatherTable(DepthwiseConv2DLayerPlan layer)
        => layer.DepthMultiplier > 1 && LoopedBlocks(layer) >= 2 && 8 % layer.DepthMultiplier != 0;

    /// <summary>For the block of output channels from <paramref name="first"/>: lane l reads input lane (first + l) / M - first / M.</summary>
    private static int[] Permutation(DepthwiseConv2DLayerPlan layer, int first)
    {
        int m = layer.DepthMultiplier;
        var lanes = new int[8];
        for (int l = 0; l < 8; l++)
            lanes[l] = Math.Min((first + l) / m - first / m, 7);
        return lanes;
    }

    private static void Pixel(SourceWriter w, DepthwiseConv2DLayerPlan layer, Run row, Run column, bool taps)
    {
        int oc = layer.OutputChannels;
        int m = layer.DepthMultiplier;
        int looped = LoopedBlocks(layer);
        int first = 0;
        if (looped >= 2)
        {
            using (w.Block($"for (int c = 0; c < {looped * 8}; c += 8)"))
            {
                if (m > 1)
                    w.Line($"int cb = c / {m};");
                Block(w, layer, row, column, taps, "c", m > 1 ? "cb" : "c", 8, 8,
                    m == 1 ? null : GatherTable(layer) ? $"{V256}.LoadUnsafe(ref {Unsafe}.Add(ref gather, c))" : "gather");
            }
            first = looped;
        }
        for (int b = first; b * 8 < oc; b++)
        {
            int o0 = 8 * b;
            int valid = Math.Min(8, oc - o0);
            int cb = o0 / m;
            int needed = Math.Min(layer.Channels, (o0 + valid - 1) / m + 1) - cb;
            int read = cb + 8 <= layer.Channels ? 8 : needed;
            string? permute = null;
            if (m > 1)
                permute = $"{V256}.Create({string.Join(", ", Permutation(layer, o0))})";
            using (w.Block(""))
                Block(w, layer, row, column, taps, SourceWriter.Int(o0), SourceWriter.Int(cb), read, valid, permute);
        }
    }

    private static void Block(
        SourceWriter w, DepthwiseConv2DLayerPlan layer, Run row, Run column, bool taps, string o, string cb, int read, int valid, string? permute)
    {
        int padded = layer.PaddedChannels;
        long rowBytes = (long)layer.InputWidth * layer.Channels;
        w.Line($"{V256}<int> acc = {Load("bias", o)};");
        if (taps)
        {
            int firstTap = (row.First * layer.KernelWidth + column.First) * padded;
            bool rowLoop = row.Taps > 1;
            if (rowLoop)
                w.Open($"for (int ky = 0; ky < {row.Taps}; ky++)");
            else
                w.Open();
            w.Line(rowLoop
                ? $"ref byte xr = ref {Unsafe}.Add(ref xp, ky * {layer.DilationHeight * rowBytes});"
                : "ref byte xr = ref xp;");
            string wOffset = rowLoop ? $"ky * {layer.KernelWidth * padded}" + (firstTap == 0 ? "" : $" + {firstTap}") : SourceWriter.Int(firstTap);
            w.Line(wOffset == "0" ? "ref short wr = ref w;" : $"ref short wr = ref {Unsafe}.Add(ref w, {wOffset});");
            // Up to MaxUnrolledColumns taps of a kernel row are written out (constant offsets); wider rows loop.
            bool columnLoop = column.Taps > MaxUnrolledColumns;
            if (columnLoop)
                w.Open($"for (int kx = 0; kx < {column.Taps}; kx++)");
            else
                w.Open();
            for (int kx = 0; kx < (columnLoop ? 1 : column.Taps); kx++)
            {
                string xAt = columnLoop ? Sum($"kx * {layer.DilationWidth * layer.Channels}", cb) : Plus(cb, kx * layer.DilationWidth * layer.Channels);
                string wAt = columnLoop ? Sum($"kx * {padded}", o) : Plus(o, kx * padded);
                string widen = layer.InputSigned
                    ? $"{Avx2}.ConvertToVector256Int32({V128}.AsSByte({V128}.CreateScalar({Read(At("xr", xAt), read)})))"
                    : $"{Avx2}.ConvertToVector256Int32({V128}.AsByte({V128}.CreateScalar({Read(At("xr", xAt), read)})))";
                string v = columnLoop || column.Taps == 1 ? "v" : $"v{kx}";
                w.Line($"{V256}<int> {v} = {Avx2}.Subtract({widen}, inputZeroPoint);");
                if (permute is not null)
                    w.Line($"{v} = {Avx2}.PermuteVar8x32({v}, {permute});");
                w.Line($"acc = {Avx2}.Add(acc, {Avx2}.MultiplyLow({v}, {Avx2}.ConvertToVector256Int32({V128}.LoadUnsafe(ref {At("wr", wAt)}))));");
            }
            w.Close();
            w.Close();
        }
        RequantizeStep.Apply(w, layer.Requantization, "acc", o);
        RequantizeStep.Store(w, layer.Requantization, "acc", "yp", o, valid);
    }

    /// <summary>The 8 bytes at <paramref name="at"/> as a ulong; fewer than 8 are read without reading past them (zeros above).</summary>
    private static string Read(string at, int bytes)
    {
        string Part(int offset, string type) => $"{Unsafe}.ReadUnaligned<{type}>(ref {(offset == 0 ? at : $"{Unsafe}.Add(ref {at}, {offset})")})";
        string Byte(int offset) => offset == 0 ? at : $"{Unsafe}.Add(ref {at}, {offset})";
        if (bytes >= 8)
            return Part(0, "ulong");
        var parts = new List<string>();
        int done = 0;
        if (bytes - done >= 4)
        {
            parts.Add($"(ulong){Part(done, "uint")}");
            done += 4;
        }
        if (bytes - done >= 2)
        {
            parts.Add(done == 0 ? $"(ulong){Part(done, "ushort")}" : $"(ulong){Part(done, "ushort")} << {8 * done}");
            done += 2;
        }
        if (bytes - done >= 1)
            parts.Add(done == 0 ? $"(ulong){Byte(done)}" : $"(ulong){Byte(done)} << {8 * done}");
        return parts.Count == 1 ? parts[0] : "(" + string.Join(" | ", parts) + ")";
    }

    /// <summary>Taps of one kernel row written out rather than looped.</summary>
    private const int MaxUnrolledColumns = 5;

    /// <summary><paramref name="offset"/> (a literal or an expression) plus a constant.</summary>
    private static string Plus(string offset, int constant)
    {
        if (constant == 0)
            return offset;
        if (int.TryParse(offset, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int literal))
            return SourceWriter.Int(literal + constant);
        return $"{offset} + {constant}";
    }

    private static string Sum(string? variable, string offset)
        => variable is null ? offset : offset == "0" ? variable : $"{variable} + {offset}";

    private static string At(string reference, string offset)
        => offset == "0" ? reference : $"{Unsafe}.Add(ref {reference}, {offset})";

    private static string Load(string reference, string offset)
        => $"{V256}.LoadUnsafe(ref {At(reference, offset)})";

    public static void EmitScalar(SourceWriter w, DepthwiseConv2DLayerPlan layer)
    {
        string id = layer.Identifier;
        int[] pads = layer.Pads.AsSpan().ToArray();
        w.Line($"/// <summary>{id} on the runtime's scalar fallback, over the same folded constants.</summary>");
        using (w.Block($"internal static void {id}_Scalar(ref byte x, ref byte y)"))
        {
            w.Line("global::KernelGen.Kernels.ScalarDepthwiseConv2D.Run(");
            w.Line($"    new global::KernelGen.Kernels.DepthwiseGeometry(inputHeight: {layer.InputHeight}, inputWidth: {layer.InputWidth}, channels: {layer.Channels}, depthMultiplier: {layer.DepthMultiplier},");
            w.Line($"        kernelHeight: {layer.KernelHeight}, kernelWidth: {layer.KernelWidth}, strideHeight: {layer.StrideHeight}, strideWidth: {layer.StrideWidth},");
            w.Line($"        dilationHeight: {layer.DilationHeight}, dilationWidth: {layer.DilationWidth}, padTop: {pads[0]}, padLeft: {pads[1]}, outputHeight: {layer.OutputHeight}, outputWidth: {layer.OutputWidth}),");
            w.Line($"    inputSigned: {(layer.InputSigned ? "true" : "false")}, inputZeroPoint: {layer.InputZeroPoint}, weights: {id}_Weights, bias: {id}_Bias,");
            w.Line($"    requantization: {RequantizeStep.Scalar(id, layer.Requantization)},");
            w.Line($"    input: {Global.MemoryMarshal}.CreateReadOnlySpan(ref x, {layer.InputHeight * layer.InputWidth * layer.Channels}),");
            w.Line($"    output: {Global.MemoryMarshal}.CreateSpan(ref y, {layer.OutputHeight * layer.OutputWidth * layer.OutputChannels * layer.OutputElementBytes}));");
        }
        w.Line();
    }

    /// <summary>The reference layer for RunReference, from the declared parameters; the declared weights are the kernels'
    /// v = w - z_w plus the zero points again, so Run and RunReference read the same baked-in data.</summary>
    public static string ReferenceLayer(DepthwiseConv2DLayerPlan layer)
    {
        DenseReferencePlan r = layer.Reference;
        string type = layer.InputSigned ? Global.QuantType + ".Int8" : Global.QuantType + ".UInt8";
        string weightType = Global.QuantType + "." + r.WeightType;
        string zeros = string.Join(", ", r.WeightZeroPoints.Select(SourceWriter.Int));
        string weights = $"global::KernelGen.Kernels.ScalarDepthwiseConv2D.DeclaredWeights({layer.Identifier}_Weights, {layer.KernelHeight * layer.KernelWidth}, {layer.OutputChannels}, new int[] {{ {zeros} }})";
        string bias = r.HasBias ? $"{layer.Identifier}_DeclaredBias.ToArray()" : "null";
        string scales = string.Join(", ", r.WeightScales.Select(SourceWriter.Float));
        string activation = Global.Activation + "." + r.Activation;
        string pads = string.Join(", ", layer.Pads.Select(SourceWriter.Int));
        return $"new global::KernelGen.Reference.DepthwiseConv2DReferenceLayer(\n"
            + $"    inputHeight: {layer.InputHeight}, inputWidth: {layer.InputWidth}, channels: {layer.Channels}, depthMultiplier: {layer.DepthMultiplier}, kernelHeight: {layer.KernelHeight}, kernelWidth: {layer.KernelWidth},\n"
            + $"    strides: new int[] {{ {layer.StrideHeight}, {layer.StrideWidth} }}, dilations: new int[] {{ {layer.DilationHeight}, {layer.DilationWidth} }}, pads: new int[] {{ {pads} }},\n"
            + $"    inputType: {type}, inputScale: {SourceWriter.Float(r.InputScale)}, inputZeroPoint: {r.InputZeroPoint},\n"
            + $"    weightType: {weightType},\n"
            + $"    weights: {weights},\n"
            + $"    weightScales: new float[] {{ {scales} }},\n"
            + $"    weightZeroPoints: new int[] {{ {zeros} }}, bias: {bias},\n"
            + $"    outputScale: {SourceWriter.Float(r.OutputScale)}, outputZeroPoint: {layer.Requantization.ZeroPoint}, activation: {activation}, perChannelScales: {(r.PerChannelScales ? "true" : "false")},\n"
            + $"    scheme: global::KernelGen.RequantizationScheme.{r.Scheme}, outputType: {Global.QuantType}.{layer.Requantization.OutputType})";
    }

    /// <summary>The declared bias, for RunReference.</summary>
    public static void EmitDeclaredData(SourceWriter w, DepthwiseConv2DLayerPlan layer)
    {
        if (layer.Reference.HasBias)
            w.IntTable($"{layer.Identifier}_DeclaredBias", $"{layer.Identifier}: bias as declared", layer.Reference.Bias);
    }

    private static void Header(SourceWriter w, DepthwiseConv2DLayerPlan layer)
    {
        DenseReferencePlan r = layer.Reference;
        string actType = layer.InputSigned ? "int8" : "uint8";
        string weightType = r.WeightType == QuantType.Int8 ? "int8" : "uint8";
        bool perChannel = r.WeightScales.Length > 1 || r.WeightZeroPoints.Length > 1;
        string activation = r.Activation switch { Activation.Relu => "ReLU", Activation.Relu6 => "ReLU6", _ => "no activation" };
        string outType = Tensor.TypeName(layer.Requantization.OutputType);
        int[] pads = layer.Pads.AsSpan().ToArray();
        w.Line("// ------------------------------------------------------------------------------------------------");
        w.Line($"// {layer.Name}: DepthwiseConv2D {layer.KernelHeight}x{layer.KernelWidth}, {layer.InputHeight}x{layer.InputWidth}x{layer.Channels} -> {layer.OutputHeight}x{layer.OutputWidth}x{layer.OutputChannels} (depth multiplier {layer.DepthMultiplier}), {actType} in, {outType} out, {weightType} weights ({(perChannel ? "per-channel" : "per-tensor")}), {activation}");
        w.Line($"//   geometry: strides {layer.StrideHeight}x{layer.StrideWidth}, dilations {layer.DilationHeight}x{layer.DilationWidth}, pads top {pads[0]} left {pads[1]} bottom {pads[2]} right {pads[3]} (padding reads as the input zero point: those taps are skipped)");
        w.Line($"//   input:   scale {SourceWriter.Float(r.InputScale)}, zero point {r.InputZeroPoint}; x - z_in in int32 lanes");
        string zeros = r.WeightZeroPoints.Length == 1 ? SourceWriter.Int(r.WeightZeroPoints[0]) : "per channel";
        w.Line($"//   weights: {(r.WeightScales.Length == 1 ? "scale " + SourceWriter.Float(r.WeightScales[0]) : $"{layer.OutputChannels} scales")}, zero point {zeros}; folded v = w - z_w (int16, |v| <= 255)");
        RequantizeStep.Header(w, layer.Identifier, layer.Requantization, r.InputScale, r.WeightScales, r.PerChannelScales, r.OutputScale, r.Activation);
        string Coordinate(string o, int stride, int pad, string k, int dilation)
            => $"{o}{(stride == 1 ? "" : " * " + stride)}{(pad == 0 ? "" : " - " + pad)} + {k}{(dilation == 1 ? "" : " * " + dilation)}";
        w.Line($"//   acc_o = {(r.HasBias ? "bias_o + " : "")}Σ over valid taps (i, j) of (x[{Coordinate("oy", layer.StrideHeight, pads[0], "i", layer.DilationHeight)}, {Coordinate("ox", layer.StrideWidth, pads[1], "j", layer.DilationWidth)}, {(layer.DepthMultiplier == 1 ? "o" : "o / " + layer.DepthMultiplier)}] - z_in) * v[i, j, o], exact in int32");
        List<Run> rows = Runs(layer.OutputHeight, layer.InputHeight, layer.KernelHeight, layer.StrideHeight, layer.DilationHeight, pads[0]);
        List<Run> columns = Runs(layer.OutputWidth, layer.InputWidth, layer.KernelWidth, layer.StrideWidth, layer.DilationWidth, pads[1]);
        w.Line($"//   runs: {rows.Count} of rows x {columns.Count} of columns with the same valid taps; {LoopedBlocks(layer)} channel blocks of 8 in a loop, {(layer.OutputChannels + 7) / 8 - (LoopedBlocks(layer) >= 2 ? LoopedBlocks(layer) : 0)} written out");
        w.Line("// ------------------------------------------------------------------------------------------------");
    }
}
