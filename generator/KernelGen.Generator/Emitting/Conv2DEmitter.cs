using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using KernelGen.Generator.Planning;
using KernelGen.Kernels;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// Emits one Conv2D layer as an implicit GEMM: for each output pixel and group, the receptive field is gathered into the
/// workspace (interior pixels by straight copies, border pixels with the padding filled with the input zero point) and
/// one <see cref="GemmRow"/> (the Dense kernel body, shared through <see cref="GemmRowEmitter"/>) computes the group's
/// outputs of that pixel. A 1x1 kernel with no padding reads its rows from the input in place.
/// </summary>
internal static class Conv2DEmitter
{
    private const string U = Global.Unsafe;

    public static GemmRow Row(Conv2DLayerPlan layer)
        => new(layer.Identifier, layer.RowInputs, layer.GroupOutputs, layer.InputSigned, layer.WeightZeroPoints,
            layer.HasWeightZeroPoints && layer.UniformWeightZeroPoint, layer.Requantization, layer.Operand);

    public static void EmitData(SourceWriter w, Conv2DLayerPlan layer)
    {
        Header(w, layer);
        string id = layer.Identifier;
        int k = layer.RowInputs;
        int n = layer.GroupOutputs;
        w.ByteTable($"{id}_Weights", $"{id}: packed int8 weight operand as raw bytes, per group; per tile, one line per group of 4 k (32 bytes per block)",
            MemoryMarshal.AsBytes(layer.PackedWeights.AsSpan()), GemmEmitter.WeightSections(k, n, layer.Groups));
        GemmEmitter.EmitWidenedWeights(w, id, layer.Operand);

        string layout = layer.Groups == 1 ? "per column, padded to whole blocks" : $"per group ({layer.TableColumns} columns each: its {n} columns padded to whole blocks)";
        w.IntTable($"{id}_Bias", $"{id}: folded bias c_j {layout}", layer.FoldedBias);
        RequantizeStep.EmitTables(w, id, layer.Requantization);
        if (layer.HasWeightZeroPoints)
            w.IntTable($"{id}_WeightZeroPoints", $"{id}: weight zero point z_w'_j in the operand's terms, {layout}", layer.WeightZeroPoints);
        w.Line();
    }

    private static string Parameters(Conv2DLayerPlan layer)
        => layer.WorkspaceBytes > 0 ? "ref byte input, ref byte output, ref byte workspace" : "ref byte input, ref byte output";

    public static void EmitKernel(SourceWriter w, Conv2DLayerPlan layer, IsaPath path)
    {
        string id = layer.Identifier;
        GemmRow row = Row(layer);
        DotProductStep step = path.GemmStep(layer.Operand);
        int c = layer.InputChannels;
        bool grouped = layer.Groups > 1;
        int pixels = layer.OutputHeight * layer.OutputWidth;
        int mr = step.RowsPerBlock;

        w.Line($"/// <summary>{id} on {path.Name}: {layer.InputHeight}x{layer.InputWidth}x{c} at <paramref name=\"input\"/> to {layer.OutputHeight}x{layer.OutputWidth}x{layer.OutputChannels} at <paramref name=\"output\"/>;");
        w.Line($"/// per block of {mr} output pixels{(grouped ? " and group" : "")}, a GEMM of {mr} rows of {layer.RowInputs} bytes ({(layer.ContiguousRows ? "read in place" : "gathered into the workspace")}) to {layer.GroupOutputs} outputs; the last pixels one at a time.</summary>");
        w.Line($"/// <remarks>{step.Description}. Never inlined, as the Dense kernels.</remarks>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        using (w.Block($"internal static void {GemmEmitter.KernelName(id, "Conv", row, path)}({Parameters(layer)})"))
        {
            GemmEmitter.DeclareConstants(w, row, step, grouped ? "weights" : "w");
            w.Line("int p = 0;");
            if (mr > 1 && pixels >= mr)
            {
                using (w.Block($"for (; p <= {pixels - mr}; p += {mr})"))
                    PixelBlock(w, layer, row, step, mr);
            }
            using (w.Block($"for (; p < {pixels}; p++)"))
                PixelBlock(w, layer, row, step, 1);
        }
        w.Line();
    }

    /// <summary>Output pixels p .. p + <paramref name="count"/> - 1 (every group): their GEMM rows, then the GEMM.</summary>
    private static void PixelBlock(SourceWriter w, Conv2DLayerPlan layer, GemmRow row, DotProductStep step, int count)
    {
        int eb = layer.OutputElementBytes;
        int c = layer.InputChannels, cg = layer.GroupInputs;
        bool grouped = layer.Groups > 1;
        if (grouped)
        {
            w.Open($"for (int group = 0; group < {layer.Groups}; group++)");
            w.Line($"ref sbyte w = ref {U}.Add(ref weights, group * {layer.GroupPackedBytes});");
            if (step.PreWidened)
                w.Line($"ref short w16 = ref {U}.Add(ref weights16, group * {layer.GroupPackedBytes});");
            w.Line($"int tg = group * {layer.TableColumns};");
        }
        string groupOffset = grouped ? $" + group * {cg}" : "";
        int inputStride;
        if (layer.ContiguousRows)
        {
            w.Line($"ref byte xb = ref {U}.Add(ref input, p * {c}{groupOffset});");
            inputStride = c;
        }
        else
        {
            if (count > 1)
                w.Open($"for (int pi = 0; pi < {count}; pi++)");
            w.Line(count == 1 ? "int q = p;" : "int q = p + pi;");
            w.Line($"int oy = q / {layer.OutputWidth};");
            w.Line($"int ox = q - oy * {layer.OutputWidth};");
            w.Line(count == 1 ? "ref byte target = ref workspace;" : $"ref byte target = ref {U}.Add(ref workspace, pi * {layer.RowInputs});");
            Gather(w, layer, "target");
            if (count > 1)
                w.Close();
            w.Line("ref byte xb = ref workspace;");
            inputStride = layer.RowInputs;
        }
        string outputGroup = grouped ? $" + group * {layer.GroupOutputs * eb}" : "";
        w.Line($"ref byte yb = ref {U}.Add(ref output, p * {layer.OutputChannels * eb}{outputGroup});");
        GemmEmitter.EmitRowMajor(w, row, step, count, inputStride, layer.OutputChannels, grouped ? "tg" : null);
        if (grouped)
            w.Close();
    }

    /// <summary>The interior output range along one axis: pixels whose whole dilated window lies inside the input.</summary>
    private static (int Lo, int Hi) Interior(int input, int output, int kernel, int stride, int dilation, int padBefore)
    {
        int lo = (padBefore + stride - 1) / stride;
        long last = (long)input - 1 + padBefore - (long)(kernel - 1) * dilation;
        int hi = last < 0 ? 0 : (int)Math.Min(output, last / stride + 1);
        return lo >= hi ? (0, 0) : (lo, hi);
    }

    private static void Gather(SourceWriter w, Conv2DLayerPlan layer, string target)
    {
        int c = layer.InputChannels, cg = layer.GroupInputs;
        int width = layer.InputWidth;
        int pt = layer.Pads[0], pl = layer.Pads[1];
        bool grouped = layer.Groups > 1;
        string groupOffset = grouped ? $" + group * {cg}" : "";
        (int yLo, int yHi) = Interior(layer.InputHeight, layer.OutputHeight, layer.KernelHeight, layer.StrideHeight, layer.DilationHeight, pt);
        (int xLo, int xHi) = Interior(layer.InputWidth, layer.OutputWidth, layer.KernelWidth, layer.StrideWidth, layer.DilationWidth, pl);
        bool anyInterior = yHi > yLo && xHi > xLo;
        var conditions = new List<string>();
        if (yLo > 0) conditions.Add($"oy >= {yLo}");
        if (yHi < layer.OutputHeight) conditions.Add($"oy < {yHi}");
        if (xLo > 0) conditions.Add($"ox >= {xLo}");
        if (xHi < layer.OutputWidth) conditions.Add($"ox < {xHi}");
        bool anyBorder = !anyInterior || conditions.Count > 0;

        if (anyInterior)
        {
            w.Line(anyBorder
                ? $"// Interior pixels (rows {yLo}..{yHi - 1}, columns {xLo}..{xHi - 1}, known at compile time): the window lies inside the input, straight copies."
                : "// Every window lies inside the input: straight copies, no bounds checks.");
            if (anyBorder)
                w.Open($"if ({string.Join(" && ", conditions)})");
            string origin = $"(oy * {layer.StrideHeight} - {pt}) * {width * c} + (ox * {layer.StrideWidth} - {pl}) * {c}{groupOffset}";
            if (pt == 0 && pl == 0)
                origin = $"oy * {layer.StrideHeight * width * c} + ox * {layer.StrideWidth * c}{groupOffset}";
            w.Line($"ref byte source = ref {U}.Add(ref input, {origin});");
            int rowStep = layer.DilationHeight * width * c;
            if (!grouped && layer.DilationWidth == 1)
            {
                int run = layer.KernelWidth * c;
                w.Line($"// {layer.KernelHeight} kernel rows of {run} contiguous bytes each.");
                using (w.Block($"for (int i = 0; i < {layer.KernelHeight}; i++)"))
                    w.Line($"{U}.CopyBlockUnaligned(ref {U}.Add(ref {target}, i * {run}), ref {U}.Add(ref source, i * {rowStep}), {run}u);");
            }
            else
            {
                using (w.Block($"for (int i = 0; i < {layer.KernelHeight}; i++)"))
                {
                    using (w.Block($"for (int j = 0; j < {layer.KernelWidth}; j++)"))
                        w.Line($"{U}.CopyBlockUnaligned(ref {U}.Add(ref {target}, (i * {layer.KernelWidth} + j) * {cg}), ref {U}.Add(ref source, i * {rowStep} + j * {layer.DilationWidth * c}), {cg}u);");
                }
            }
            if (anyBorder)
            {
                w.Close();
                w.Open("else");
            }
        }
        if (anyBorder)
        {
            w.Line($"// Border pixels: taps outside the input read the input zero point ({layer.InputZeroPoint}), so u - z_in' = 0 there.");
            using (w.Block($"for (int i = 0; i < {layer.KernelHeight}; i++)"))
            {
                w.Line($"int iy = {Tap("oy", layer.StrideHeight, pt, "i", layer.DilationHeight)};");
                using (w.Block($"for (int j = 0; j < {layer.KernelWidth}; j++)"))
                {
                    w.Line($"int ix = {Tap("ox", layer.StrideWidth, pl, "j", layer.DilationWidth)};");
                    w.Line($"ref byte tap = ref {U}.Add(ref {target}, (i * {layer.KernelWidth} + j) * {cg});");
                    w.Line($"if ((uint)iy < {layer.InputHeight}u && (uint)ix < {width}u)");
                    w.Line($"    {U}.CopyBlockUnaligned(ref tap, ref {U}.Add(ref input, (iy * {width} + ix) * {c}{groupOffset}), {cg}u);");
                    w.Line("else");
                    w.Line($"    {U}.InitBlockUnaligned(ref tap, {(byte)layer.InputZeroPoint}, {cg}u);");
                }
            }
            if (anyInterior)
                w.Close();
        }
    }

    /// <summary>The input position of tap <paramref name="tap"/> of output <paramref name="output"/>: output * stride - pad + tap * dilation.</summary>
    private static string Tap(string output, int stride, int pad, string tap, int dilation)
        => (stride == 1 ? output : $"{output} * {stride}") + (pad == 0 ? "" : $" - {pad}") + (dilation == 1 ? $" + {tap}" : $" + {tap} * {dilation}");

    public static void EmitScalar(SourceWriter w, Conv2DLayerPlan layer)
    {
        string id = layer.Identifier;
        w.Line($"/// <summary>{id} on the runtime's scalar fallback, over the same folded constants.</summary>");
        using (w.Block($"internal static void {id}_Scalar({Parameters(layer)})"))
        {
            w.Line("global::KernelGen.Kernels.ScalarConv2D.Run(");
            w.Line("    new global::KernelGen.Kernels.Conv2DGeometry(");
            w.Line($"        {layer.InputHeight}, {layer.InputWidth}, {layer.InputChannels}, {layer.OutputHeight}, {layer.OutputWidth}, {layer.OutputChannels},");
            w.Line($"        {layer.KernelHeight}, {layer.KernelWidth}, {layer.StrideHeight}, {layer.StrideWidth}, {layer.DilationHeight}, {layer.DilationWidth},");
            w.Line($"        {layer.Pads[0]}, {layer.Pads[1]}, {layer.Groups}),");
            w.Line($"    inputSigned: {Bool(layer.InputSigned)}, padValue: {(byte)layer.InputZeroPoint},");
            w.Line($"    weights: {Global.MemoryMarshal}.Cast<byte, sbyte>({id}_Weights), foldedBias: {id}_Bias,");
            w.Line($"    weightZeroPoints: {(layer.HasWeightZeroPoints ? id + "_WeightZeroPoints" : Global.ReadOnlySpan + "<int>.Empty")},");
            w.Line($"    requantization: {RequantizeStep.Scalar(id, layer.Requantization)},");
            w.Line($"    input: {Global.MemoryMarshal}.CreateReadOnlySpan(ref input, {layer.InputHeight * layer.InputWidth * layer.InputChannels}),");
            w.Line($"    output: {Global.MemoryMarshal}.CreateSpan(ref output, {layer.OutputHeight * layer.OutputWidth * layer.OutputChannels * layer.OutputElementBytes}),");
            w.Line(layer.WorkspaceBytes > 0
                ? $"    workspace: {Global.MemoryMarshal}.CreateSpan(ref workspace, {layer.WorkspaceBytes}));"
                : $"    workspace: default({Global.Span}<byte>));");
        }
        w.Line();
    }

    public static string ReferenceLayer(Conv2DLayerPlan layer)
    {
        DenseReferencePlan r = layer.Reference;
        string type = layer.InputSigned ? Global.QuantType + ".Int8" : Global.QuantType + ".UInt8";
        string weightType = Global.QuantType + "." + r.WeightType;
        string weights = $"global::KernelGen.Kernels.ScalarConv2D.UnpackWeights({Global.MemoryMarshal}.Cast<byte, sbyte>({layer.Identifier}_Weights), {layer.RowInputs}, {layer.GroupOutputs}, {layer.Groups}, {weightType})";
        string bias = r.HasBias ? $"{layer.Identifier}_DeclaredBias.ToArray()" : "null";
        string scales = string.Join(", ", r.WeightScales.Select(SourceWriter.Float));
        string zeros = string.Join(", ", r.WeightZeroPoints.Select(SourceWriter.Int));
        string activation = Global.Activation + "." + r.Activation;
        string pads = string.Join(", ", layer.Pads.Select(SourceWriter.Int));
        return $"new global::KernelGen.Reference.Conv2DReferenceLayer(\n"
            + $"    inputHeight: {layer.InputHeight}, inputWidth: {layer.InputWidth}, inputChannels: {layer.InputChannels}, outputChannels: {layer.OutputChannels}, kernelHeight: {layer.KernelHeight}, kernelWidth: {layer.KernelWidth},\n"
            + $"    strides: new int[] {{ {layer.StrideHeight}, {layer.StrideWidth} }}, dilations: new int[] {{ {layer.DilationHeight}, {layer.DilationWidth} }}, pads: new int[] {{ {pads} }}, groups: {layer.Groups},\n"
            + $"    inputType: {type}, inputScale: {SourceWriter.Float(r.InputScale)}, inputZeroPoint: {r.InputZeroPoint},\n"
            + $"    weightType: {weightType},\n"
            + $"    weights: {weights},\n"
            + $"    weightScales: new float[] {{ {scales} }},\n"
            + $"    weightZeroPoints: new int[] {{ {zeros} }}, bias: {bias},\n"
            + $"    outputScale: {SourceWriter.Float(r.OutputScale)}, outputZeroPoint: {layer.Requantization.ZeroPoint}, activation: {activation}, perChannelScales: {Bool(r.PerChannelScales)},\n"
            + $"    scheme: global::KernelGen.RequantizationScheme.{r.Scheme}, outputType: {Global.QuantType}.{layer.Requantization.OutputType})";
    }

    public static void EmitDeclaredData(SourceWriter w, Conv2DLayerPlan layer)
    {
        if (layer.Reference.HasBias)
            w.IntTable($"{layer.Identifier}_DeclaredBias", $"{layer.Identifier}: bias as declared", layer.Reference.Bias);
    }

    private static void Header(SourceWriter w, Conv2DLayerPlan layer)
    {
        DenseReferencePlan r = layer.Reference;
        int k = layer.RowInputs;
        string actType = layer.InputSigned ? "int8" : "uint8";
        string weightType = r.WeightType == QuantType.Int8 ? "int8" : "uint8";
        bool perChannel = r.WeightScales.Length > 1 || r.WeightZeroPoints.Length > 1;
        string activation = r.Activation switch { Activation.Relu => "ReLU", Activation.Relu6 => "ReLU6", _ => "no activation" };
        int inputZero = r.InputZeroPoint + (layer.InputSigned ? 128 : 0);
        string outType = Tensor.TypeName(layer.Requantization.OutputType);

        w.Line("// ------------------------------------------------------------------------------------------------");
        w.Line($"// {layer.Name}: Conv2D {layer.InputHeight}x{layer.InputWidth}x{layer.InputChannels} -> {layer.OutputHeight}x{layer.OutputWidth}x{layer.OutputChannels}, {layer.OutputChannels} filters of {layer.KernelHeight}x{layer.KernelWidth}x{layer.GroupInputs}{(layer.Groups > 1 ? $" in {layer.Groups} groups" : "")}, {actType} in, {outType} out, {weightType} weights ({(perChannel ? "per-channel" : "per-tensor")}), {activation}");
        w.Line($"//   geometry: stride {layer.StrideHeight}x{layer.StrideWidth}, dilation {layer.DilationHeight}x{layer.DilationWidth}, pads top {layer.Pads[0]} left {layer.Pads[1]} bottom {layer.Pads[2]} right {layer.Pads[3]}");
        w.Line(layer.DirectRows
            ? $"//   implicit GEMM: per output pixel{(layer.Groups > 1 ? " and group" : "")}, the {k} input bytes of the pixel are the row (1x1 kernel, no padding: no gather)"
            : $"//   implicit GEMM: per output pixel{(layer.Groups > 1 ? " and group" : "")}, the receptive field (kh, kw, c) is gathered into a workspace row of K = {k} bytes; padded taps hold the input zero point");
        w.Line($"//   input:   scale {SourceWriter.Float(r.InputScale)}, zero point {r.InputZeroPoint}; kernel operand u = {(layer.InputSigned ? "x ^ 0x80 = x + 128" : "x")}, z_in' = {inputZero}");
        string zeros = r.WeightZeroPoints.Length == 1 ? r.WeightZeroPoints[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : "per filter";
        w.Line($"//   weights: OHWI, {(r.WeightScales.Length == 1 ? "scale " + SourceWriter.Float(r.WeightScales[0]) : $"{layer.OutputChannels} scales")}, zero point {zeros}; operand v = {(r.WeightType == QuantType.UInt8 ? "w - 128" : "w")}");
        RequantizeStep.Header(w, layer.Identifier, layer.Requantization, r.InputScale, r.WeightScales, r.PerChannelScales, r.OutputScale, r.Activation);
        string biasTerm = r.HasBias ? "bias_j" : "0";
        string fold = inputZero == 0 ? biasTerm : $"{biasTerm} - {inputZero} * Σ_k v_jk";
        if (layer.HasWeightZeroPoints)
            fold += inputZero == 0 ? "" : $" + {k} * {inputZero} * z_w'_j";
        w.Line($"//   folded bias: c_j = {fold}{(layer.HasWeightZeroPoints ? "; acc_j = Σ_k u_k v_jk - z_w'_j * Σ_k u_k + c_j" : "; acc_j = Σ_k u_k v_jk + c_j")}");
        w.Line($"//   packed: per group, {Plural(layer.GroupOutputs, "column")} in {Plural(DensePacking.Blocks(layer.GroupOutputs), "block")} of 8; {k} k in {Plural(DensePacking.Groups(k), "group")} of 4{(k % 4 != 0 ? " (the last zero-padded)" : "")}");
        w.Line($"//   AVX2: {layer.SaturationProof}");
        w.Line("// ------------------------------------------------------------------------------------------------");
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
