using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// Emits one pool layer ([MaxPool], [AveragePool], [GlobalAveragePool]): header, rescale table, the Vector256 kernel
/// (32 channels per vector, NHWC), and the call into the runtime's scalar fallback.
/// </summary>
/// <remarks>
/// <para>Borders: output rows (and columns) are grouped at compile time by the window rows (columns) that fall inside
/// the input; each group of rows x group of columns gets its own loop with constant tap ranges and a constant count, so
/// the inner code has no bounds checks.</para>
/// <para>Average: the window sum is widened to int16 (uint8: up to 257 taps; int8: up to 255) or int32, then the
/// rounding division by the constant count, done exactly: with N = |sum| + count / 2, the result is
/// sign(sum) * floor(N / count). In float, N = q * count + r with 0 &lt; r &lt; count gives N / count &lt;= q + 1 - 1 / count,
/// and a correctly rounded quotient reaches q + 1 only if 1 / count &lt;= ulp(q + 1) / 2 &lt;= (q + 1) * 2^-24, i.e.
/// count * (q + 1) &gt;= 2^24; since count * (q + 1) &lt;= N + count, Nmax + count &lt; 2^24 (checked at compile time per layer)
/// makes the truncated float quotient exact (N itself exact in float). Otherwise the division is done in double (same
/// argument with 2^53, true for every int32).</para>
/// <para>Output: a rescale is a 256-entry byte table (<c>Rescale.Apply</c>, clamped) looked up with 16 vpshufb on nibbles;
/// without one the value is clamped to the activation range. Channel counts not a multiple of 32 end with a block at
/// channel C - 32 (overlapping, same values); layers with fewer than 32 channels use the scalar fallback.</para>
/// </remarks>
internal static class PoolEmitter
{
    private const string V256 = "global::System.Runtime.Intrinsics.Vector256";
    private const string V128 = "global::System.Runtime.Intrinsics.Vector128";
    private const string Avx = "global::System.Runtime.Intrinsics.X86.Avx";
    private const string Avx2 = "global::System.Runtime.Intrinsics.X86.Avx2";
    private const string Unsafe = Global.Unsafe;

    /// <summary>Windows with at most this many taps are unrolled with constant offsets; larger ones loop.</summary>
    private const int UnrolledTaps = 25;

    public static void EmitData(SourceWriter w, PoolLayerPlan layer)
    {
        Header(w, layer);
        string id = layer.Identifier;
        if (layer.Rescaled)
        {
            w.ByteTable($"{id}_Table", $"{id}: output byte per pooled byte (raw bits): the rescale and clamp, folded; 16 rows of 16", layer.Table.AsSpan(), 16);
            w.Line();
            w.Line($"/// <summary>{id}: the table applied to 32 bytes with the runtime's Lookup256 (byte b is row b &gt;&gt; 4, entry b &amp; 15, vpshufb per row).</summary>");
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            w.Line($"private static {V256}<byte> {id}_Lookup({V256}<byte> v) => new global::KernelGen.Simd.Lookup256({id}_Table).Apply(v);");
            w.Line();
        }
        if (layer.IsAverage)
        {
            string real = layer.FloatDivision ? "float" : "double";
            w.Line($"/// <summary>{id}: sign(sum) * floor((|sum| + half) / count) per lane, exact in {real} (see the header).</summary>");
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            using (w.Block($"private static {V256}<int> {id}_Divide({V256}<int> sum, {V256}<int> half, {V256}<{real}> count)"))
            {
                string n = layer.Signed ? $"{Avx2}.Add({V256}.AsInt32({Avx2}.Abs(sum)), half)" : $"{Avx2}.Add(sum, half)";
                w.Line($"{V256}<int> n = {n};");
                if (layer.FloatDivision)
                {
                    w.Line($"{V256}<int> q = {Avx}.ConvertToVector256Int32WithTruncation({Avx}.Divide({Avx}.ConvertToVector256Single(n), count));");
                }
                else
                {
                    w.Line($"global::System.Runtime.Intrinsics.Vector128<int> low = {Avx}.ConvertToVector128Int32WithTruncation({Avx}.Divide({Avx}.ConvertToVector256Double({V256}.GetLower(n)), count));");
                    w.Line($"global::System.Runtime.Intrinsics.Vector128<int> high = {Avx}.ConvertToVector128Int32WithTruncation({Avx}.Divide({Avx}.ConvertToVector256Double({V256}.GetUpper(n)), count));");
                    w.Line($"{V256}<int> q = {V256}.Create(low, high);");
                }
                w.Line(layer.Signed ? $"return {Avx2}.Sign(q, sum);" : "return q;");
            }
            w.Line();
        }
    }

    public static void EmitSimd(SourceWriter w, PoolLayerPlan layer, IsaPath path)
    {
        string id = layer.Identifier;
        w.Line($"/// <summary>{id} on {path.Name}: {layer.Height}x{layer.Width}x{layer.Channels} at <paramref name=\"x\"/> to {layer.OutputHeight}x{layer.OutputWidth}x{layer.Channels} at <paramref name=\"y\"/>.</summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        using (w.Block($"internal static void {id}_{path.Name}(ref byte x, ref byte y)"))
        {
            if (path != IsaPath.Avx2)
            {
                w.Line($"// No dot product in a pool: the AVX2 kernel.");
                w.Line($"{id}_{IsaPath.Avx2.Name}(ref x, ref y);");
            }
            else if (layer.Channels < 32)
            {
                w.Line($"// {layer.Channels} channels, fewer than one vector of 32: the scalar fallback.");
                w.Line($"{id}_{IsaPath.Scalar.Name}(ref x, ref y);");
            }
            else
            {
                SimdBody(w, layer);
            }
        }
        w.Line();
    }

    private static void SimdBody(SourceWriter w, PoolLayerPlan layer)
    {
        int c = layer.Channels;
        int blocks = (c + 31) / 32;
        int wc = layer.Width * c;
        List<(int From, int To, int Lo, int Hi)> rows = Groups(layer.OutputHeight, layer.StrideHeight, layer.PadTop, layer.WindowHeight, layer.Height);
        List<(int From, int To, int Lo, int Hi)> columns = Groups(layer.OutputWidth, layer.StrideWidth, layer.PadLeft, layer.WindowWidth, layer.Width);
        int origin = layer.PadTop * wc + layer.PadLeft * c;
        bool first = true;
        foreach (var r in rows)
        {
            foreach (var col in columns)
            {
                int taps = (r.Hi - r.Lo) * (col.Hi - col.Lo);
                if (!first)
                    w.Line();
                first = false;
                w.Line($"// Output rows {r.From}..{r.To - 1} x columns {col.From}..{col.To - 1}: window rows {r.Lo}..{r.Hi - 1}, columns {col.Lo}..{col.Hi - 1} inside the input ({Plural(taps, "tap")}).");
                using (w.Block($"for (int oy = {r.From}; oy < {r.To}; oy++)"))
                using (w.Block($"for (int ox = {col.From}; ox < {col.To}; ox++)"))
                {
                    string originTerm = origin == 0 ? "" : $" - {origin}";
                    w.Line($"int src = oy * {layer.StrideHeight * wc} + ox * {layer.StrideWidth * c}{originTerm};");
                    w.Line($"int dst = (oy * {layer.OutputWidth} + ox) * {c};");
                    using (w.Block($"for (int b = 0; b < {blocks}; b++)"))
                    {
                        w.Line(c % 32 == 0
                            ? "int ch = b * 32;"
                            : $"int ch = b < {blocks - 1} ? b * 32 : {c - 32}; // the last block overlaps the one before it");
                        w.Line("int s = src + ch;");
                        if (layer.IsAverage)
                            AverageBlock(w, layer, r.Lo, r.Hi, col.Lo, col.Hi, wc);
                        else
                            MaxBlock(w, layer, r.Lo, r.Hi, col.Lo, col.Hi, wc);
                        Finish(w, layer);
                    }
                }
            }
        }
    }

    public static void EmitScalar(SourceWriter w, PoolLayerPlan layer)
    {
        string id = layer.Identifier;
        w.Line($"/// <summary>{id} on the runtime's scalar fallback, over the same constants.</summary>");
        using (w.Block($"internal static void {id}_Scalar(ref byte x, ref byte y)"))
        {
            string method = layer.IsAverage ? "Average" : "Max";
            string table = layer.Rescaled ? id + "_Table" : Global.ReadOnlySpan + "<byte>.Empty";
            w.Line($"global::KernelGen.Kernels.ScalarPool.{method}(");
            w.Line($"    {layer.Height}, {layer.Width}, {layer.Channels}, {layer.WindowHeight}, {layer.WindowWidth}, {layer.StrideHeight}, {layer.StrideWidth},");
            w.Line($"    {layer.PadTop}, {layer.PadLeft}, {layer.OutputHeight}, {layer.OutputWidth}, signed: {(layer.Signed ? "true" : "false")},");
            w.Line($"    table: {table}, clampMin: {layer.ClampMin}, clampMax: {layer.ClampMax},");
            w.Line($"    {Global.MemoryMarshal}.CreateReadOnlySpan(ref x, {layer.Height * layer.Width * layer.Channels}),");
            w.Line($"    {Global.MemoryMarshal}.CreateSpan(ref y, {layer.OutputHeight * layer.OutputWidth * layer.Channels}));");
        }
        w.Line();
    }

    public static string ReferenceLayer(PoolLayerPlan layer)
    {
        string type = $"{Global.QuantType}.{(layer.Signed ? "Int8" : "UInt8")}";
        string quant = $"type: {type}, inputScale: {SourceWriter.Float(layer.InputScale)}, inputZeroPoint: {layer.InputZeroPoint}, "
            + $"outputScale: {SourceWriter.Float(layer.OutputScale)}, outputZeroPoint: {layer.OutputZeroPoint},\n"
            + $"    activation: {Global.Activation}.{layer.Activation}, scheme: global::KernelGen.RequantizationScheme.{layer.Scheme})";
        if (layer.Kind == PoolKind.GlobalAverage)
        {
            return $"new global::KernelGen.Reference.GlobalAveragePoolReferenceLayer(\n"
                + $"    inputHeight: {layer.Height}, inputWidth: {layer.Width}, channels: {layer.Channels},\n"
                + $"    {quant}";
        }
        string cls = layer.Kind == PoolKind.Max ? "MaxPoolReferenceLayer" : "AveragePoolReferenceLayer";
        return $"new global::KernelGen.Reference.{cls}(\n"
            + $"    inputHeight: {layer.Height}, inputWidth: {layer.Width}, channels: {layer.Channels}, windowHeight: {layer.WindowHeight}, windowWidth: {layer.WindowWidth},\n"
            + $"    strides: new int[] {{ {layer.StrideHeight}, {layer.StrideWidth} }}, pads: new int[] {{ {layer.PadTop}, {layer.PadLeft}, {layer.PadBottom}, {layer.PadRight} }},\n"
            + $"    {quant}";
    }

    /// <summary>Consecutive outputs along one axis with the same in-bounds window range [Lo, Hi).</summary>
    private static List<(int From, int To, int Lo, int Hi)> Groups(int outputs, int stride, int pad, int window, int input)
    {
        var groups = new List<(int From, int To, int Lo, int Hi)>();
        for (int o = 0; o < outputs; o++)
        {
            int start = o * stride - pad;
            int lo = Math.Max(0, -start), hi = Math.Min(window, input - start);
            if (groups.Count > 0 && groups[groups.Count - 1].Lo == lo && groups[groups.Count - 1].Hi == hi)
                groups[groups.Count - 1] = (groups[groups.Count - 1].From, o + 1, lo, hi);
            else
                groups.Add((o, o + 1, lo, hi));
        }
        return groups;
    }

    /// <summary>Emits <paramref name="tap"/> once per in-bounds tap with its byte offset from s: constant offsets for
    /// small windows, loops with constant bounds for large ones.</summary>
    private static void Taps(SourceWriter w, int i0, int i1, int j0, int j1, int wc, int c, Action<string> tap)
    {
        if ((i1 - i0) * (j1 - j0) <= UnrolledTaps)
        {
            for (int i = i0; i < i1; i++)
            {
                for (int j = j0; j < j1; j++)
                {
                    int offset = i * wc + j * c;
                    tap(offset == 0 ? "s" : $"s + {offset}");
                }
            }
            return;
        }
        using (w.Block($"for (int i = {i0}; i < {i1}; i++)"))
        {
            w.Line($"int si = s + i * {wc};");
            using (w.Block($"for (int j = {j0}; j < {j1}; j++)"))
                tap($"si + j * {c}");
        }
    }

    private static string Load(string offset) => $"{V256}.LoadUnsafe(ref {Unsafe}.Add(ref x, {offset}))";

    private static void MaxBlock(SourceWriter w, PoolLayerPlan layer, int i0, int i1, int j0, int j1, int wc)
    {
        if (layer.Signed)
        {
            w.Line($"{V256}<sbyte> m = {V256}.Create((sbyte)-128);");
            Taps(w, i0, i1, j0, j1, wc, layer.Channels, o => w.Line($"m = {V256}.Max(m, {V256}.AsSByte({Load(o)}));"));
            w.Line($"{V256}<byte> v = {V256}.AsByte(m);");
        }
        else
        {
            w.Line($"{V256}<byte> v = {V256}<byte>.Zero;");
            Taps(w, i0, i1, j0, j1, wc, layer.Channels, o => w.Line($"v = {V256}.Max(v, {Load(o)});"));
        }
    }

    private static void AverageBlock(SourceWriter w, PoolLayerPlan layer, int i0, int i1, int j0, int j1, int wc)
    {
        int taps = (i1 - i0) * (j1 - j0);
        int limit = layer.Signed ? 255 : 257;
        bool narrow = taps <= limit;
        string element = layer.Signed ? "sbyte" : "byte";
        string load(string o) => layer.Signed ? $"{V256}.AsSByte({Load(o)})" : Load(o);
        if (narrow)
        {
            string sum = layer.Signed ? "short" : "ushort";
            w.Line($"// int16 sums: {taps} x {(layer.Signed ? "[-128, 127]" : "255")} fits {sum}.");
            w.Line($"{V256}<{sum}> lo = {V256}<{sum}>.Zero, hi = {V256}<{sum}>.Zero;");
            Taps(w, i0, i1, j0, j1, wc, layer.Channels, o =>
            {
                w.Line($"{{ {V256}<{element}> t = {load(o)}; lo = {V256}.Add(lo, {V256}.WidenLower(t)); hi = {V256}.Add(hi, {V256}.WidenUpper(t)); }}");
            });
            string I(string e) => layer.Signed ? e : $"{V256}.AsInt32({e})";
            w.Line($"{V256}<int> a0 = {I($"{V256}.WidenLower(lo)")}, a1 = {I($"{V256}.WidenUpper(lo)")}, a2 = {I($"{V256}.WidenLower(hi)")}, a3 = {I($"{V256}.WidenUpper(hi)")};");
        }
        else if (j1 - j0 <= limit)
        {
            // More taps than int16 holds, but one window row fits: int16 sums per row, added into int32 after each.
            string sum = layer.Signed ? "short" : "ushort";
            string I(string e) => layer.Signed ? e : $"{V256}.AsInt32({e})";
            w.Line($"// int16 sums per window row ({j1 - j0} x {(layer.Signed ? "[-128, 127]" : "255")} fits {sum}), int32 across rows.");
            w.Line($"{V256}<int> a0 = {V256}<int>.Zero, a1 = {V256}<int>.Zero, a2 = {V256}<int>.Zero, a3 = {V256}<int>.Zero;");
            using (w.Block($"for (int i = {i0}; i < {i1}; i++)"))
            {
                w.Line($"int si = s + i * {wc};");
                w.Line($"{V256}<{sum}> lo = {V256}<{sum}>.Zero, hi = {V256}<{sum}>.Zero;");
                using (w.Block($"for (int j = {j0}; j < {j1}; j++)"))
                    w.Line($"{{ {V256}<{element}> t = {load($"si + j * {layer.Channels}")}; lo = {V256}.Add(lo, {V256}.WidenLower(t)); hi = {V256}.Add(hi, {V256}.WidenUpper(t)); }}");
                w.Line($"a0 = {V256}.Add(a0, {I($"{V256}.WidenLower(lo)")}); a1 = {V256}.Add(a1, {I($"{V256}.WidenUpper(lo)")});");
                w.Line($"a2 = {V256}.Add(a2, {I($"{V256}.WidenLower(hi)")}); a3 = {V256}.Add(a3, {I($"{V256}.WidenUpper(hi)")});");
            }
        }
        else
        {
            string mid = layer.Signed ? "short" : "ushort";
            string I(string e) => layer.Signed ? e : $"{V256}.AsInt32({e})";
            w.Line($"{V256}<int> a0 = {V256}<int>.Zero, a1 = {V256}<int>.Zero, a2 = {V256}<int>.Zero, a3 = {V256}<int>.Zero;");
            Taps(w, i0, i1, j0, j1, wc, layer.Channels, o =>
            {
                w.Line($"{V256}<{element}> t = {load(o)};");
                w.Line($"{V256}<{mid}> tl = {V256}.WidenLower(t), th = {V256}.WidenUpper(t);");
                w.Line($"a0 = {V256}.Add(a0, {I($"{V256}.WidenLower(tl)")}); a1 = {V256}.Add(a1, {I($"{V256}.WidenUpper(tl)")});");
                w.Line($"a2 = {V256}.Add(a2, {I($"{V256}.WidenLower(th)")}); a3 = {V256}.Add(a3, {I($"{V256}.WidenUpper(th)")});");
            });
        }
        if (taps == 1)
        {
            w.Line("// One tap: the average is the value.");
            w.Line($"{V256}<byte> v = {V256}.AsByte({V256}.Narrow({V256}.Narrow(a0, a1), {V256}.Narrow(a2, a3)));");
            return;
        }
        string real = layer.FloatDivision ? "float" : "double";
        string count = layer.FloatDivision ? $"{taps}f" : $"{taps}d";
        w.Line($"{V256}<int> half = {V256}.Create({taps / 2});");
        w.Line($"{V256}<{real}> count = {V256}.Create({count});");
        w.Line($"{V256}<short> n01 = {V256}.Narrow({layer.Identifier}_Divide(a0, half, count), {layer.Identifier}_Divide(a1, half, count));");
        w.Line($"{V256}<short> n23 = {V256}.Narrow({layer.Identifier}_Divide(a2, half, count), {layer.Identifier}_Divide(a3, half, count));");
        w.Line($"// Averages are in the type's range: narrowing keeps their raw bytes.");
        w.Line($"{V256}<byte> v = {V256}.AsByte({V256}.Narrow(n01, n23));");
    }

    private static void Finish(SourceWriter w, PoolLayerPlan layer)
    {
        if (layer.Rescaled)
        {
            w.Line($"v = {layer.Identifier}_Lookup(v);");
        }
        else
        {
            int typeMin = layer.Signed ? -128 : 0, typeMax = layer.Signed ? 127 : 255;
            string element = layer.Signed ? "sbyte" : "byte";
            string value = layer.Signed ? $"{V256}.AsSByte(v)" : "v";
            string clamped = value;
            if (layer.ClampMin > typeMin)
                clamped = $"{V256}.Max({clamped}, {V256}.Create(({element}){layer.ClampMin}))";
            if (layer.ClampMax < typeMax)
                clamped = $"{V256}.Min({clamped}, {V256}.Create(({element}){layer.ClampMax}))";
            if (clamped != value)
                w.Line($"v = {(layer.Signed ? $"{V256}.AsByte({clamped})" : clamped)};");
        }
        w.Line($"{V256}.StoreUnsafe(v, ref {Unsafe}.Add(ref y, dst + ch));");
    }

    private static void Header(SourceWriter w, PoolLayerPlan layer)
    {
        string type = layer.Signed ? "int8" : "uint8";
        w.Line("// ------------------------------------------------------------------------------------------------");
        string op = layer.Kind switch { PoolKind.Max => "MaxPool", PoolKind.Average => "AveragePool", _ => "GlobalAveragePool" };
        string window = layer.Kind == PoolKind.GlobalAverage
            ? $"whole map ({layer.Height}x{layer.Width})"
            : $"{layer.WindowHeight}x{layer.WindowWidth} window, stride {layer.StrideHeight}x{layer.StrideWidth}, pads {{top {layer.PadTop}, left {layer.PadLeft}, bottom {layer.PadBottom}, right {layer.PadRight}}}";
        w.Line($"// {layer.Name}: {op}, {window}: {layer.Height}x{layer.Width}x{layer.Channels} -> {layer.OutputHeight}x{layer.OutputWidth}x{layer.Channels} {type}");
        if (layer.Kind != PoolKind.GlobalAverage)
            w.Line($"//   padded positions are left out{(layer.IsAverage ? " of the sum and the count (count per output: a compile-time constant per border group)" : " of the max")}");
        if (layer.IsAverage)
        {
            long taps = (long)layer.WindowHeight * layer.WindowWidth;
            long nMax = (layer.Signed ? 128 : 255) * taps + taps / 2;
            w.Line($"//   average: sign(sum) * floor((|sum| + count / 2) / count) (TFLite, half away from zero); N <= {nMax}, count <= {taps}:");
            w.Line(layer.FloatDivision
                ? $"//   N + count <= {nMax + taps} < 2^24, so the truncated float quotient is exact"
                : $"//   N + count >= 2^24: the quotient is taken in double (exact below 2^53)");
        }
        string activation = layer.Activation switch { Activation.Relu => "ReLU", Activation.Relu6 => "ReLU6", _ => "no activation" };
        if (layer.Rescaled)
        {
            w.Line($"//   rescale ({layer.Scheme}): scale {SourceWriter.Float(layer.InputScale)}, zero point {layer.InputZeroPoint} -> scale {SourceWriter.Float(layer.OutputScale)}, zero point {layer.OutputZeroPoint}, {activation}:");
            w.Line($"//   Rescale.Apply clamped to [{layer.ClampMin}, {layer.ClampMax}], folded into a 256-entry table{(layer.Kind == PoolKind.Max ? " applied after the max (monotone)" : "")}");
        }
        else
        {
            w.Line($"//   output keeps the input's scale {SourceWriter.Float(layer.InputScale)} and zero point {layer.InputZeroPoint} (no rescale); {activation}: clamp [{layer.ClampMin}, {layer.ClampMax}]");
        }
        w.Line(layer.Channels < 32
            ? $"//   SIMD: {layer.Channels} channels are fewer than a vector of 32: the scalar fallback"
            : $"//   SIMD: 32 channels per Vector256{(layer.Channels % 32 != 0 ? $"; the last block starts at channel {layer.Channels - 32} (overlapping)" : "")}");
        w.Line("// ------------------------------------------------------------------------------------------------");
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
