using System;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;
using KernelGen.Kernels;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// One GEMM row as a kernel body: K input bytes at the ref local <c>x</c> times the packed weight operand at the ref
/// local <c>w</c> (<see cref="DensePacking"/> layout) plus the folded bias, requantized by <see cref="RequantizeStep"/>,
/// to N outputs at the ref local <c>y</c>. Dense is one row; Conv2D is one row per output pixel and group (x its
/// gathered receptive field). The dot product is the plugged <see cref="DotProductStep"/>.
/// </summary>
/// <param name="Identifier">The layer's member prefix (its tables are "{Identifier}_Bias", ...).</param>
/// <param name="Inputs">K: bytes in the row.</param>
/// <param name="Outputs">N: outputs of the row.</param>
/// <param name="InputSigned">Int8 inputs: the operand is x ^ 0x80.</param>
/// <param name="WeightZeroPoints">z_w' per column in the tables' layout, or empty when all are 0.</param>
/// <param name="UniformWeightZeroPoint">Every column has WeightZeroPoints[0].</param>
internal sealed record GemmRow(
    string Identifier, int Inputs, int Outputs, bool InputSigned, EquatableArray<int> WeightZeroPoints, bool UniformWeightZeroPoint,
    RequantizationPlan Requantization)
{
    public bool HasWeightZeroPoints => WeightZeroPoints.Length != 0;
}

/// <summary>Emits <see cref="GemmRow"/>s: the Dense kernel template, shared by every op that is a GEMM.</summary>
/// <remarks>
/// Columns are processed in tiles of up to four blocks of eight (one Vector256&lt;int&gt; of accumulators per block).
/// For each group of four k, four input bytes are broadcast to every int32 lane and multiplied with each block's 32
/// packed weight bytes. Then each block is requantized in SIMD (folded bias, fixed-point multiply, rounding shift, zero
/// point, clamp) and narrowed to bytes.
/// </remarks>
internal static class GemmRowEmitter
{
    /// <summary>k groups handled per loop iteration; layers with at most <see cref="StraightGroups"/> groups are fully unrolled.</summary>
    private const int Unroll = 4;

    private const int StraightGroups = 8;

    /// <summary>
    /// The kernel prologue: the ref local <paramref name="weights"/> to the packed weights, <c>bias</c> (and the weight
    /// zero points) to the tables, the requantization step's and the dot-product step's constants.
    /// </summary>
    public static void DeclareConstants(SourceWriter w, GemmRow layer, DotProductStep step, string weights)
    {
        string id = layer.Identifier;
        w.Line($"ref sbyte {weights} = ref global::System.Runtime.CompilerServices.Unsafe.As<byte, sbyte>(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({id}_Weights));");
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
    }

    /// <summary>
    /// The row: x (K bytes) and w (its packed weights) to y. <paramref name="tableBase"/> is an int expression added to
    /// every constant-table offset (a group's first table column), or null.
    /// </summary>
    public static void EmitRow(SourceWriter w, GemmRow layer, DotProductStep step, string? tableBase)
    {
        int k = layer.Inputs;
        int n = layer.Outputs;
        int groups = DensePacking.Groups(k);
        int blocks = DensePacking.Blocks(n);

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
                Tile(w, layer, step, "c", 0, DensePacking.TileBlocks, n, tableBase);
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
                Tile(w, layer, step, null, column, width, n, tableBase);
            }
        }
    }

    private static void InputSum(SourceWriter w, GemmRow layer, DotProductStep step)
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
    private static void Tile(SourceWriter w, GemmRow layer, DotProductStep step, string? columnVariable, int column, int width, int n, string? tableBase)
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
            Requantize(w, layer, step, b, columnVariable, blockColumn, valid, tableBase);
        }
    }

    private static void Group(
        SourceWriter w, GemmRow layer, DotProductStep step, int width, string name,
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
    private static string Bits(GemmRow layer, string read, int bytes)
    {
        if (!layer.InputSigned)
            return read;
        string mask = bytes switch { 1 => "0x80u", 2 => "0x8080u", 3 => "0x808080u", _ => "0x80808080u" };
        return read.Contains("|") ? $"({read}) ^ {mask}" : $"{read} ^ {mask}";
    }

    private static string At(string reference, int offset)
        => offset == 0 ? reference : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {reference}, {offset})";

    private static void Requantize(SourceWriter w, GemmRow layer, DotProductStep step, int block, string? column, int blockColumn, int valid, string? tableBase)
    {
        string acc = $"acc{block}";
        // One int offset serves the constant tables (through Unsafe.Add in Load) and the output store.
        string at = Offsets.Int(column, blockColumn);
        // The constant tables may start elsewhere than the outputs (a convolution group's tables are padded to whole blocks).
        string tableAt = tableBase is null ? at : at == "0" ? tableBase : $"{tableBase} + {at}";

        w.Line($"// Columns {at} .. {Offsets.Int(column, blockColumn + valid - 1)}: requantize and store.");
        step.Finish(w, block);
        w.Line($"{acc} = global::System.Runtime.Intrinsics.X86.Avx2.Add({acc}, {Load("bias", tableAt)});");
        if (layer.HasWeightZeroPoints)
        {
            string zero = layer.UniformWeightZeroPoint ? "weightZeroPoint" : Load("weightZeroPoints", tableAt);
            w.Line($"{acc} = global::System.Runtime.Intrinsics.X86.Avx2.Subtract({acc}, global::System.Runtime.Intrinsics.X86.Avx2.MultiplyLow(inputSum, {zero}));");
        }
        RequantizeStep.Apply(w, layer.Requantization, acc, tableAt);
        RequantizeStep.Store(w, layer.Requantization, acc, "y", at, valid);
    }

    private static string Load(string reference, string offset)
        => offset == "0"
            ? $"global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {reference})"
            : $"global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {reference}, {offset}))";

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
