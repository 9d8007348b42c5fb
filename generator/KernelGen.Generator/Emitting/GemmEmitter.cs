using System;
using System.Collections.Generic;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;
using KernelGen.Kernels;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// One GEMM as the kernels see it: rows of K input bytes times the packed weight operand (<see cref="DensePacking"/>
/// layout) plus the folded bias, requantized by <see cref="RequantizeStep"/>, to N outputs per row. Dense is a GEMM over
/// the batch's rows; Conv2D is one over output pixels (each row its gathered receptive field) per group.
/// </summary>
/// <param name="Identifier">The layer's member prefix (its tables are "{Identifier}_Bias", ...).</param>
/// <param name="Inputs">K: bytes in a row.</param>
/// <param name="Outputs">N: outputs of a row.</param>
/// <param name="InputSigned">Int8 inputs: the operand is x ^ 0x80.</param>
/// <param name="WeightZeroPoints">z_w' per column in the tables' layout, or empty when all are 0.</param>
/// <param name="UniformWeightZeroPoint">Every column has WeightZeroPoints[0].</param>
/// <param name="Operand">How the weights meet the inputs on the paths without VNNI.</param>
internal sealed record GemmRow(
    string Identifier, int Inputs, int Outputs, bool InputSigned, EquatableArray<int> WeightZeroPoints, bool UniformWeightZeroPoint,
    RequantizationPlan Requantization, WeightOperand Operand)
{
    public bool HasWeightZeroPoints => WeightZeroPoints.Length != 0;
}

/// <summary>
/// Emits <see cref="GemmRow"/> kernels: one template for every op that is a GEMM and every instruction set, with the
/// <see cref="DotProductStep"/> plugged in.
/// </summary>
/// <remarks>
/// <para>
/// Tiles: columns are packed in tiles of up to four blocks of eight (<see cref="DensePacking"/>). A tile is covered by
/// slots, one accumulator vector each: a block (256-bit steps) or two (512-bit steps; a lone last block takes the step's
/// 256-bit twin). For each group of four k, four input bytes of a row are broadcast to every int32 lane and multiplied
/// with each slot's weights.
/// </para>
/// <para>
/// Register blocking (XNNPACK's MRxNRc4): a block of MR rows runs NR slots at a time, so each weight vector loaded feeds
/// MR rows and each input broadcast NR slots; MR and NR are the step's (<see cref="DotProductStep.RowsPerBlock"/>,
/// <see cref="DotProductStep.SlotsPerPass"/>), sized to its path's registers. Rows left over, and batch 1, run one at a
/// time over the whole tile (1x32c4), the shape that is fastest for a single row. K is unrolled: layers of up to
/// <see cref="StraightGroups"/> groups are written out, longer ones loop <see cref="Unroll"/> groups per iteration.
/// Then each block of each row is requantized in SIMD (folded bias, fixed-point or float rescale, zero point, clamp)
/// and narrowed to bytes.
/// </para>
/// </remarks>
internal static class GemmEmitter
{
    private const string U = "global::System.Runtime.CompilerServices.Unsafe";

    /// <summary>
    /// Largest stack buffer (bytes) for a row block's inputs widened to int16 (<see cref="DotProductStep.WidensInputs"/>):
    /// MR rows of K values. Layers whose rows would need more broadcast from the bytes instead.
    /// </summary>
    private const int WidenedRowsBudget = 16 * 1024;

    /// <summary>The kernel widens each row block's inputs to int16 once ("xw", <see cref="DotProductStep.WidenRow"/>).</summary>
    private static bool WidensRows(GemmRow layer, DotProductStep step)
        => step.WidensInputs && step.RowsPerBlock * WidenedStride(layer) * 2 <= WidenedRowsBudget;

    /// <summary>int16 values per row in the widened copy: K rounded up to whole groups of four.</summary>
    private static int WidenedStride(GemmRow layer) => DensePacking.Groups(layer.Inputs) * DensePacking.GroupDepth;

    /// <summary>k groups handled per loop iteration; layers with at most <see cref="StraightGroups"/> groups are fully unrolled.</summary>
    private const int Unroll = 4;

    private const int StraightGroups = 8;

    /// <summary>The kernel name: op, tile (MR x columns c k-group), weight operand, requantization, path, as XNNPACK
    /// names its microkernels, e.g. "fc_Dense4x32c4_Madd_Gemmlowp_Avx2".</summary>
    public static string KernelName(string identifier, string op, GemmRow layer, IsaPath path)
    {
        if (!path.Simd)
            return $"{identifier}_{op}_Scalar";
        DotProductStep step = path.GemmStep(layer.Operand);
        string requantization = layer.Requantization switch
        {
            FixedPointRequantization => "Gemmlowp",
            FloatRequantizationPlan => "Fp32",
            _ => "Int32",
        };
        return $"{identifier}_{op}{step.RowsPerBlock}x{step.PassColumns}c4_{step.OperandName}_{requantization}_{path.Name}";
    }

    /// <summary>
    /// The sections of a packed weight table (<see cref="SourceWriter.ByteTable(string, string, System.ReadOnlySpan{byte}, IReadOnlyList{TableSection})"/>):
    /// per group of a grouped convolution (<paramref name="groupCount"/> of them), per tile, a comment naming its columns
    /// and one line per group of 4 k (the bytes of that group's 32-byte loads, one per block).
    /// </summary>
    public static List<TableSection> WeightSections(int inputs, int outputs, int groupCount)
    {
        int groups = DensePacking.Groups(inputs);
        int blocks = DensePacking.Blocks(outputs);
        var sections = new List<TableSection>();
        for (int group = 0; group < groupCount; group++)
        {
            for (int firstBlock = 0; firstBlock < blocks; firstBlock += DensePacking.TileBlocks)
            {
                int width = DensePacking.TileWidth(firstBlock, blocks);
                int first = firstBlock * DensePacking.BlockColumns;
                string which = groupCount == 1 ? "" : $"group {group}, ";
                sections.Add(new TableSection(
                    $"{which}columns {first}..{Math.Min(outputs, (firstBlock + width) * DensePacking.BlockColumns) - 1}: {Plural(groups, "line")} of {width * 32} bytes",
                    groups * width * 32, width * 32));
            }
        }
        return sections;
    }

    /// <summary>For <see cref="WeightOperand.Int16"/> layers: the int16 copy of "{id}_Weights", made once when the kernels'
    /// class initializes (the generated source and the assembly hold the int8 weights only).</summary>
    public static void EmitWidenedWeights(SourceWriter w, string id, WeightOperand operand)
    {
        if (operand != WeightOperand.Int16)
            return;
        w.Line($"/// <summary>{id}: the packed weights widened to int16, 64-byte aligned, for the exact path's vpmaddwd from memory.</summary>");
        w.Line($"private static readonly global::KernelGen.Kernels.WidenedWeights {id}_Weights16 = new global::KernelGen.Kernels.WidenedWeights({id}_Weights);");
    }

    /// <summary>
    /// The kernel prologue: the ref local <paramref name="weights"/> to the packed weights (and "weights16" to their int16
    /// copy), <c>bias</c> (and the weight zero points) to the tables, the requantization step's and the dot-product steps'
    /// constants.
    /// </summary>
    public static void DeclareConstants(SourceWriter w, GemmRow layer, DotProductStep step, string weights)
    {
        string id = layer.Identifier;
        w.Line($"ref sbyte {weights} = ref {U}.As<byte, sbyte>(ref {Global.MemoryMarshal}.GetReference({id}_Weights));");
        if (step.PreWidened)
            w.Line($"ref short {weights}16 = ref {id}_Weights16.Reference;");
        w.Line($"ref int bias = ref {Global.MemoryMarshal}.GetReference({id}_Bias);");
        if (layer.HasWeightZeroPoints)
        {
            if (layer.UniformWeightZeroPoint)
                w.Line($"global::System.Runtime.Intrinsics.Vector256<int> weightZeroPoint = global::System.Runtime.Intrinsics.Vector256.Create({layer.WeightZeroPoints[0]});");
            else
                w.Line($"ref int weightZeroPoints = ref {Global.MemoryMarshal}.GetReference({id}_WeightZeroPoints);");
        }
        RequantizeStep.DeclareConstants(w, id, layer.Requantization);
        step.DeclareConstants(w);
        if (WidensRows(layer, step))
        {
            w.Line($"// A row block's inputs widened to int16 once, {step.RowsPerBlock} rows of {WidenedStride(layer)}: each group's broadcast is one vpbroadcastq from here.");
            w.Line($"global::System.Span<short> widenedRows = stackalloc short[{step.RowsPerBlock * WidenedStride(layer)}];");
            w.Line($"ref short xw = ref {Global.MemoryMarshal}.GetReference(widenedRows);");
        }
    }

    /// <summary>
    /// Dense: <paramref name="rows"/> (an int expression) rows at the ref local <c>x</c> (K bytes apart) to <c>y</c> (N
    /// outputs apart), weights at <c>w</c>. Tiles outermost, so a tile's weights stay in cache while every row block uses
    /// them. With <paramref name="tileRange"/>, only the tiles in [<c>firstTile</c>, <c>endTile</c>) (int parameters) run.
    /// </summary>
    public static void EmitColumnMajor(SourceWriter w, GemmRow layer, DotProductStep step, string rows, bool tileRange)
    {
        ForEachTile(w, layer, step, tileRange, (columnVariable, column, width) =>
        {
            w.Line("int r = 0;");
            if (step.RowsPerBlock > 1)
            {
                using (w.Block($"for (; r <= {rows} - {step.RowsPerBlock}; r += {step.RowsPerBlock})"))
                    RowBlock(w, layer, step, step.RowsPerBlock, "x", "y", "r", layer.Inputs, layer.Outputs, columnVariable, column, width, null);
            }
            using (w.Block($"for (; r < {rows}; r++)"))
                RowBlock(w, layer, step, 1, "x", "y", "r", layer.Inputs, layer.Outputs, columnVariable, column, width, null);
        });
    }

    /// <summary>
    /// Conv2D: <paramref name="rowCount"/> (a constant) rows at the ref local <c>xb</c>, <paramref name="inputStride"/>
    /// bytes apart, to the ref local <c>yb</c>, <paramref name="outputStride"/> outputs apart, every tile; weights at
    /// <c>w</c>. <paramref name="tableBase"/> is an int expression added to every constant-table offset (a group's first
    /// table column), or null.
    /// </summary>
    public static void EmitRowMajor(SourceWriter w, GemmRow layer, DotProductStep step, int rowCount, int inputStride, int outputStride, string? tableBase)
        => ForEachTile(w, layer, step, tileRange: false, (columnVariable, column, width) =>
            RowBlock(w, layer, step, rowCount, "xb", "yb", null, inputStride, outputStride, columnVariable, column, width, tableBase));

    /// <summary>Tiles whose blocks are all full share one loop (c = first column, <c>wt</c> = the tile's weights); a last,
    /// narrower or partial tile is written out. With <paramref name="tileRange"/>, the loop and each written-out tile are
    /// bounded by the int parameters <c>firstTile</c> and <c>endTile</c>.</summary>
    private static void ForEachTile(SourceWriter w, GemmRow layer, DotProductStep step, bool tileRange, Action<string?, int, int> body)
    {
        int n = layer.Outputs;
        int groups = DensePacking.Groups(layer.Inputs);
        int blocks = DensePacking.Blocks(n);
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
            string loop = tileRange
                ? $"for (int t = firstTile; t < (endTile < {fullTiles} ? endTile : {fullTiles}); t++)"
                : $"for (int t = 0; t < {fullTiles}; t++)";
            using (w.Block(loop))
            {
                w.Line($"ref sbyte wt = ref {U}.Add(ref w, t * {tileBytes});");
                if (step.PreWidened)
                    w.Line($"ref short wt16 = ref {U}.Add(ref w16, t * {tileBytes});");
                w.Line($"int c = t * {tileColumns};");
                body("c", 0, DensePacking.TileBlocks);
            }
        }
        for (int first = fullTiles >= 2 ? fullTiles * DensePacking.TileBlocks : 0; first < blocks; first += DensePacking.TileBlocks)
        {
            int width = DensePacking.TileWidth(first, blocks);
            int column = first * DensePacking.BlockColumns;
            w.Line();
            int tile = first / DensePacking.TileBlocks;
            w.Line($"// Columns {column} .. {Math.Min(n, column + width * DensePacking.BlockColumns) - 1}: {Plural(width, "block")}{(tileRange ? $", tile {tile}" : "")}.");
            using (w.Block(tileRange ? $"if (firstTile <= {tile} && {tile} < endTile)" : ""))
            {
                int offset = first * groups * 32;
                w.Line(offset == 0 ? "ref sbyte wt = ref w;" : $"ref sbyte wt = ref {U}.Add(ref w, {offset});");
                if (step.PreWidened)
                    w.Line(offset == 0 ? "ref short wt16 = ref w16;" : $"ref short wt16 = ref {U}.Add(ref w16, {offset});");
                body(null, column, width);
            }
        }
    }

    /// <summary>One slot of a tile: its first block (its id) and the step that multiplies it.</summary>
    private readonly struct Slot
    {
        public Slot(int block, DotProductStep step, bool narrowed)
        {
            Block = block;
            Step = step;
            Narrowed = narrowed;
        }

        public int Block { get; }

        public DotProductStep Step { get; }

        /// <summary>A 256-bit slot in a 512-bit kernel: it takes the low half of the row's broadcast.</summary>
        public bool Narrowed { get; }
    }

    private static List<Slot> Slots(DotProductStep step, int width)
    {
        var slots = new List<Slot>();
        for (int b = 0; b < width;)
        {
            if (step.SlotBlocks == 2 && b + 1 < width)
            {
                slots.Add(new Slot(b, step, narrowed: false));
                b += 2;
            }
            else
            {
                slots.Add(new Slot(b, step.Narrow, narrowed: step.Narrow != step));
                b++;
            }
        }
        return slots;
    }

    /// <summary>
    /// Rows of one row block through one tile: <paramref name="rowCount"/> rows starting at <paramref name="rowBase"/>'s
    /// row (an int variable, or null: the refs are the block's own), passes of NR slots when several rows run together.
    /// </summary>
    private static void RowBlock(
        SourceWriter w, GemmRow layer, DotProductStep step, int rowCount, string x, string y, string? rowBase, int inputStride, int outputStride,
        string? columnVariable, int column, int width, string? tableBase)
    {
        if (rowBase is not null)
        {
            w.Line($"ref byte xb = ref {U}.Add(ref {x}, {rowBase} * {inputStride});");
            string bytes = layer.Requantization.OutputType == QuantType.Int32 ? $"{outputStride * 4}" : $"{outputStride}";
            w.Line($"ref byte yb = ref {U}.Add(ref {y}, {rowBase} * {bytes});");
        }
        if (layer.HasWeightZeroPoints)
        {
            for (int r = 0; r < rowCount; r++)
                InputSum(w, layer, step, r, r * inputStride);
        }
        if (WidensRows(layer, step) && rowCount <= step.RowsPerBlock)
        {
            for (int r = 0; r < rowCount; r++)
                step.WidenRow(w, "xb", r * inputStride, "xw", r * WidenedStride(layer), layer.Inputs, layer.InputSigned);
        }
        List<Slot> slots = Slots(step, width);
        int perPass = rowCount == 1 ? slots.Count : step.SlotsPerPass;
        for (int first = 0; first < slots.Count; first += perPass)
        {
            List<Slot> pass = slots.GetRange(first, Math.Min(perPass, slots.Count - first));
            // Several passes each get a scope, so their accumulator names can repeat.
            using (slots.Count > perPass ? w.Block("") : null)
                Pass(w, layer, step, rowCount, pass, inputStride, outputStride, columnVariable, column, width, tableBase);
        }
    }

    private static void Pass(
        SourceWriter w, GemmRow layer, DotProductStep step, int rowCount, List<Slot> slots, int inputStride, int outputStride,
        string? columnVariable, int column, int width, string? tableBase)
    {
        int k = layer.Inputs;
        int n = layer.Outputs;
        int fullGroups = k / 4;
        int groupBytes = width * 32;

        for (int r = 0; r < rowCount; r++)
        {
            foreach (Slot slot in slots)
                slot.Step.DeclareAccumulators(w, r, slot.Block);
        }

        // Inputs widened to int16 once per row block ("xw", rows WidenedStride apart), or read as bytes per group.
        bool widened = WidensRows(layer, step) && rowCount <= step.RowsPerBlock;
        int widenedStride = WidenedStride(layer);
        if (fullGroups > StraightGroups)
        {
            int looped = fullGroups / Unroll * Unroll;
            using (w.Block($"for (int g = 0; g < {looped}; g += {Unroll})"))
            {
                w.Line(widened ? $"ref short xwg = ref {U}.Add(ref xw, 4 * g);" : $"ref byte xg = ref {U}.Add(ref xb, 4 * g);");
                w.Line($"ref sbyte wg = ref {U}.Add(ref wt, g * {groupBytes});");
                if (step.PreWidened)
                    w.Line($"ref short wg16 = ref {U}.Add(ref wt16, g * {groupBytes});");
                for (int u = 0; u < Unroll; u++)
                {
                    Inputs inputs = widened ? new Inputs("xwg", u * 4, widenedStride, true) : new Inputs("xg", u * 4, inputStride, false);
                    Group(w, layer, step, rowCount, slots, inputs, "wg", u * groupBytes, 4);
                }
            }
            for (int g = looped; g < fullGroups; g++)
                Group(w, layer, step, rowCount, slots, RowInputs(widened, g * 4, inputStride, widenedStride), "wt", g * groupBytes, 4);
        }
        else
        {
            for (int g = 0; g < fullGroups; g++)
                Group(w, layer, step, rowCount, slots, RowInputs(widened, g * 4, inputStride, widenedStride), "wt", g * groupBytes, 4);
        }
        // The last k % 4 inputs: their widened copy is padded with zeros to a whole group.
        if (k % 4 != 0)
            Group(w, layer, step, rowCount, slots, RowInputs(widened, fullGroups * 4, inputStride, widenedStride), "wt", fullGroups * groupBytes, widened ? 4 : k % 4);

        for (int r = 0; r < rowCount; r++)
        {
            foreach (Slot slot in slots)
            {
                slot.Step.Finish(w, r, slot.Block, slot.Block);
                for (int b = slot.Block; b < slot.Block + slot.Step.SlotBlocks; b++)
                {
                    int blockColumn = column + b * DensePacking.BlockColumns;
                    // Inside the tile loop every block is full; a written-out tile knows how many columns its last block holds.
                    int valid = columnVariable is null ? Math.Min(DensePacking.BlockColumns, n - blockColumn) : DensePacking.BlockColumns;
                    Requantize(w, layer, r, b, columnVariable, blockColumn, r * outputStride, valid, tableBase);
                }
            }
        }
    }

    /// <summary>Where a group's inputs are: row 0's at <see cref="Reference"/> + <see cref="Offset"/>, the next rows
    /// <see cref="Stride"/> elements apart; bytes, or their int16 copy when <see cref="Widened"/>.</summary>
    private readonly struct Inputs
    {
        public Inputs(string reference, int offset, int stride, bool widened)
        {
            Reference = reference;
            Offset = offset;
            Stride = stride;
            Widened = widened;
        }

        public string Reference { get; }

        public int Offset { get; }

        public int Stride { get; }

        public bool Widened { get; }
    }

    private static Inputs RowInputs(bool widened, int offset, int inputStride, int widenedStride)
        => widened ? new Inputs("xw", offset, widenedStride, true) : new Inputs("xb", offset, inputStride, false);

    /// <summary>One group of four k for every row of the block: the slots' weights (loaded once when several rows share
    /// them), each row's broadcast, the multiply-adds. Scoped, so the names repeat per group.</summary>
    private static void Group(
        SourceWriter w, GemmRow layer, DotProductStep step, int rowCount, List<Slot> slots,
        Inputs inputs, string weightsRef, int weightOffset, int bytes)
    {
        using (w.Block(""))
        {
            bool shared = rowCount > 1;
            if (shared)
            {
                foreach (Slot slot in slots)
                    slot.Step.LoadWeights(w, slot.Block, weightsRef, weightOffset + slot.Block * 32);
            }
            bool narrowed = slots.Exists(s => s.Narrowed);
            bool wide = slots.Exists(s => !s.Narrowed);
            for (int r = 0; r < rowCount; r++)
            {
                int at = inputs.Offset + r * inputs.Stride;
                string read = bytes == 4
                    ? $"{U}.ReadUnaligned<uint>(ref {At(inputs.Reference, at)})"
                    : TailRead(inputs.Reference, at, bytes);
                string bits = Bits(layer, read, bytes);
                DotProductStep broadcaster = wide ? step : slots[0].Step;
                string name = wide ? $"x{r}" : $"x{r}n";
                if (inputs.Widened)
                    broadcaster.BroadcastWidened(w, name, At(inputs.Reference, at));
                else
                    broadcaster.Broadcast(w, name, bits);
                if (wide && narrowed)
                    step.NarrowBroadcast(w, $"x{r}n", $"x{r}");
                foreach (Slot slot in slots)
                {
                    string x = slot.Narrowed ? $"x{r}n" : $"x{r}";
                    slot.Step.MultiplyAdd(w, r, slot.Block, x, shared, weightsRef, weightOffset + slot.Block * 32);
                }
            }
        }
    }

    private static void InputSum(SourceWriter w, GemmRow layer, DotProductStep step, int row, int offset)
    {
        int fullGroups = layer.Inputs / 4;
        string sum = $"inputSum{row}";
        w.Line($"// Σ_k u_k of row {row} in every lane, for the weight zero-point term z_w' * Σu.");
        w.Line($"global::System.Runtime.Intrinsics.Vector256<int> {sum} = global::System.Runtime.Intrinsics.Vector256<int>.Zero;");
        if (fullGroups > 0)
        {
            using (w.Block($"for (int g = 0; g < {fullGroups}; g++)"))
                step.Narrow.AccumulateInputSum(w, sum, Bits(layer, $"{U}.ReadUnaligned<uint>(ref {U}.Add(ref xb, {(offset == 0 ? "" : offset + " + ")}4 * g))", 4));
        }
        if (layer.Inputs % 4 != 0)
            step.Narrow.AccumulateInputSum(w, sum, Bits(layer, TailRead("xb", offset + fullGroups * 4, layer.Inputs % 4), layer.Inputs % 4));
    }

    /// <summary>Reads the last k % 4 input bytes of a row (at <paramref name="at"/>) without reading past it; the missing
    /// bytes meet zero weights.</summary>
    private static string TailRead(string reference, int at, int bytes) => bytes switch
    {
        1 => $"(uint){At(reference, at)}",
        2 => $"(uint){U}.ReadUnaligned<ushort>(ref {At(reference, at)})",
        _ => $"(uint){U}.ReadUnaligned<ushort>(ref {At(reference, at)}) | (uint){At(reference, at + 2)} << 16",
    };

    /// <summary>The uint8 operand's bits: int8 inputs get their sign bits flipped (x ^ 0x80 = x + 128), real bytes only.</summary>
    private static string Bits(GemmRow layer, string read, int bytes)
    {
        if (!layer.InputSigned)
            return read;
        string mask = bytes switch { 1 => "0x80u", 2 => "0x8080u", 3 => "0x808080u", _ => "0x80808080u" };
        return read.Contains("|") ? $"({read}) ^ {mask}" : $"{read} ^ {mask}";
    }

    private static string At(string reference, int offset)
        => offset == 0 ? reference : $"{U}.Add(ref {reference}, {offset})";

    private static void Requantize(SourceWriter w, GemmRow layer, int row, int block, string? column, int blockColumn, int rowOffset, int valid, string? tableBase)
    {
        string acc = $"acc{row}_{block}";
        // One int offset serves the constant tables (through Unsafe.Add in Load); the output adds the row's offset.
        string at = Offsets.Int(column, blockColumn);
        string outputAt = Offsets.Int(column, rowOffset + blockColumn);
        // The constant tables may start elsewhere than the outputs (a convolution group's tables are padded to whole blocks).
        string tableAt = tableBase is null ? at : at == "0" ? tableBase : $"{tableBase} + {at}";

        w.Line($"// Row {row}, columns {at} .. {Offsets.Int(column, blockColumn + valid - 1)}: requantize and store.");
        w.Line($"{acc} = global::System.Runtime.Intrinsics.X86.Avx2.Add({acc}, {Load("bias", tableAt)});");
        if (layer.HasWeightZeroPoints)
        {
            string zero = layer.UniformWeightZeroPoint ? "weightZeroPoint" : Load("weightZeroPoints", tableAt);
            w.Line($"{acc} = global::System.Runtime.Intrinsics.X86.Avx2.Subtract({acc}, global::System.Runtime.Intrinsics.X86.Avx2.MultiplyLow(inputSum{row}, {zero}));");
        }
        RequantizeStep.Apply(w, layer.Requantization, acc, tableAt);
        RequantizeStep.Store(w, layer.Requantization, acc, "yb", outputAt, valid);
    }

    private static string Load(string reference, string offset)
        => offset == "0"
            ? $"global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {reference})"
            : $"global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {U}.Add(ref {reference}, {offset}))";

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
