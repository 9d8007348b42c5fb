using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// The plugged primitive of the GEMM kernel template (<see cref="GemmEmitter"/>): how one broadcast of four input bytes
/// (one int32 lane's worth of k) is multiplied with one slot of packed weights (a vector of 8 or 16 columns) and added to
/// that slot's int32 accumulators, and how the accumulators become one Vector256&lt;int&gt; per block of 8 columns.
/// Everything else (tiles, row blocks, loops, requantization, stores) is shared by every instruction set.
/// </summary>
/// <remarks>
/// Names in the emitted code: the broadcast of row r is "x{r}" (per group; "x{r}n" its low 256 bits for a 256-bit slot
/// in a 512-bit kernel), the accumulators of row r and slot s are "a{r}_{s}" (or "l{r}_{s}" and "h{r}_{s}" for the
/// widening steps, which keep column halves apart), the weight operand of slot s for a group is "w{s}" (or "wl{s}" and
/// "wh{s}") when several rows share it, and the finished accumulators of row r and block b are "acc{r}_{b}".
/// </remarks>
internal abstract class DotProductStep
{
    private const string V256 = "global::System.Runtime.Intrinsics.Vector256";
    private const string V512 = "global::System.Runtime.Intrinsics.Vector512";
    private const string V128 = "global::System.Runtime.Intrinsics.Vector128";
    private const string Avx2 = "global::System.Runtime.Intrinsics.X86.Avx2";
    private const string Bw = "global::System.Runtime.Intrinsics.X86.Avx512BW";
    private const string Avx512F = "global::System.Runtime.Intrinsics.X86.Avx512F";
    private const string Sse41 = "global::System.Runtime.Intrinsics.X86.Sse41";
    private const string U = "global::System.Runtime.CompilerServices.Unsafe";

    public static readonly DotProductStep Vnni256 = new VnniStep();
    public static readonly DotProductStep Bytes256 = new BytesStep(256);
    public static readonly DotProductStep Bytes512 = new BytesStep(512);
    public static readonly DotProductStep Widen256 = new WidenStep(256, preWidened: false);
    public static readonly DotProductStep Widen512 = new WidenStep(512, preWidened: false);
    public static readonly DotProductStep Int16x256 = new WidenStep(256, preWidened: true);
    public static readonly DotProductStep Int16x512 = new WidenStep(512, preWidened: true);

    protected DotProductStep(int bits, int rowsPerBlock, int slotsPerPass)
    {
        Bits = bits;
        RowsPerBlock = rowsPerBlock;
        SlotsPerPass = slotsPerPass;
    }

    /// <summary>Vector width of one slot: 256 (8 columns) or 512 (16 columns).</summary>
    public int Bits { get; }

    /// <summary>Blocks of 8 columns per slot.</summary>
    public int SlotBlocks => Bits / 256;

    /// <summary>
    /// MR: rows multiplied together with each loaded weight vector, chosen so that MR x NR accumulators, the NR weight
    /// operands, one broadcast and the step's temporaries fit the path's vector registers (16 ymm, 32 zmm).
    /// </summary>
    public int RowsPerBlock { get; }

    /// <summary>NR: slots (weight vectors) per pass when several rows run together; one row takes the whole tile.</summary>
    public int SlotsPerPass { get; }

    /// <summary>Columns one pass of a row block covers: NR slots of 8 or 16.</summary>
    public int PassColumns => SlotsPerPass * SlotBlocks * KernelGen.Kernels.DensePacking.BlockColumns;

    /// <summary>The weight operand in kernel names: "Vnni", "Madd" (vpmaddubsw), "Widen" (vpmovsxbw), "I16".</summary>
    public abstract string OperandName { get; }

    /// <summary>One line for the kernel's header comment.</summary>
    public abstract string Description { get; }

    /// <summary>The weights are read through the int16 copy ("ref short w16") rather than the int8 operand.</summary>
    public virtual bool PreWidened => false;

    /// <summary>The step for a lone 8-column block in a kernel of this step (itself for 256-bit steps).</summary>
    public abstract DotProductStep Narrow { get; }

    /// <summary>Locals the step needs once per kernel (constant vectors).</summary>
    public virtual void DeclareConstants(SourceWriter w)
    {
    }

    /// <summary>Declares row <paramref name="row"/>'s accumulators of slot <paramref name="slot"/>, zeroed.</summary>
    public abstract void DeclareAccumulators(SourceWriter w, int row, int slot);

    /// <summary>Declares <paramref name="name"/>: the four input bytes in <paramref name="bits"/> in every int32 lane, in the
    /// form the step multiplies.</summary>
    public abstract void Broadcast(SourceWriter w, string name, string bits);

    /// <summary>
    /// The step multiplies int16 inputs, so a row block's input bytes can be widened to int16 once (<see cref="WidenRow"/>)
    /// and each group's broadcast read from that copy with one vpbroadcastq (<see cref="BroadcastWidened"/>) instead of
    /// a move, a zero extension and a broadcast per row and group.
    /// </summary>
    public virtual bool WidensInputs => false;

    /// <summary>Writes the <paramref name="k"/> input bytes at the ref byte local <paramref name="source"/> +
    /// <paramref name="sourceOffset"/> as int16 to the ref short local <paramref name="destination"/> +
    /// <paramref name="destinationOffset"/>, sign bits flipped for int8 inputs (x ^ 0x80 = x + 128), then zeros up to the
    /// whole group.</summary>
    public virtual void WidenRow(SourceWriter w, string source, int sourceOffset, string destination, int destinationOffset, int k, bool signed)
    {
    }

    /// <summary>"<paramref name="offset"/> + <paramref name="index"/>", or the index alone at offset 0.</summary>
    protected static string Plus(int offset, string index) => offset == 0 ? index : $"{offset} + {index}";

    /// <summary>Declares <paramref name="name"/>: the four int16 inputs at <paramref name="shortRef"/> (a ref short
    /// expression) in every int32 lane pair, as <see cref="Broadcast"/> would from their bytes.</summary>
    public virtual void BroadcastWidened(SourceWriter w, string name, string shortRef)
    {
    }

    /// <summary>Element type of the broadcast vector ("byte" or "short").</summary>
    protected abstract string BroadcastElement { get; }

    /// <summary>Declares <paramref name="name"/>, the low 256 bits of this 512-bit step's broadcast <paramref name="wide"/>,
    /// for a lone block's 256-bit twin.</summary>
    public void NarrowBroadcast(SourceWriter w, string name, string wide)
        => w.Line($"{V256}<{BroadcastElement}> {name} = {V512}.GetLower({wide});");

    /// <summary>
    /// Adds the products of broadcast <paramref name="x"/> and the slot's weights for the group to row
    /// <paramref name="row"/>'s accumulators of <paramref name="slot"/>: from the locals <see cref="LoadWeights"/> declared
    /// when <paramref name="shared"/>, else read in place at <paramref name="weightsRef"/> + <paramref name="offset"/> (int8
    /// bytes; the int16 copy, "{weightsRef}16", at the same element offset).
    /// </summary>
    public abstract void MultiplyAdd(SourceWriter w, int row, int slot, string x, bool shared, string weightsRef, int offset);

    /// <summary>Declares the weight operand of <paramref name="slot"/> for one group, shared by several rows.</summary>
    public abstract void LoadWeights(SourceWriter w, int slot, string weightsRef, int offset);

    /// <summary>Turns row <paramref name="row"/>'s accumulators of <paramref name="slot"/> (first block
    /// <paramref name="block"/>) into one Vector256&lt;int&gt; "acc{row}_{b}" per block, in column order.</summary>
    public abstract void Finish(SourceWriter w, int row, int slot, int block);

    /// <summary>Adds Σ of the four bytes in <paramref name="bits"/> to every lane of <paramref name="sum"/> (a Vector256&lt;int&gt;).</summary>
    public virtual void AccumulateInputSum(SourceWriter w, string sum, string bits)
        => w.Line($"{sum} = {Avx2}.Add({sum}, {Avx2}.MultiplyAddAdjacent({Avx2}.MultiplyAddAdjacent({V256}.AsByte({V256}.Create({bits})), {V256}.Create((sbyte)1)), {V256}.Create((short)1)));");

    protected string Vector => Bits == 512 ? V512 : V256;

    protected static string Load(string vector, string weightsRef, int offset)
        => offset == 0
            ? $"global::System.Runtime.Intrinsics.{vector}.LoadUnsafe(ref {weightsRef})"
            : $"global::System.Runtime.Intrinsics.{vector}.LoadUnsafe(ref {U}.Add(ref {weightsRef}, {offset}))";

    /// <summary>AVX-VNNI: vpdpbusd adds four exact u8 * s8 products per int32 lane in one instruction.</summary>
    private sealed class VnniStep : DotProductStep
    {
        public VnniStep() : base(256, rowsPerBlock: 4, slotsPerPass: 2)
        {
        }

        public override string OperandName => "Vnni";

        public override string Description => "AVX-VNNI: one vpdpbusd per slot, row and k group (exact, no intermediate saturation)";

        public override DotProductStep Narrow => this;

        protected override string BroadcastElement => "byte";

        public override void DeclareAccumulators(SourceWriter w, int row, int slot)
            => w.Line($"{V256}<int> acc{row}_{slot} = {V256}<int>.Zero;");

        public override void Broadcast(SourceWriter w, string name, string bits)
            => w.Line($"{V256}<byte> {name} = {V256}.AsByte({V256}.Create({bits}));");

        public override void LoadWeights(SourceWriter w, int slot, string weightsRef, int offset)
            => w.Line($"{V256}<sbyte> w{slot} = {Load("Vector256", weightsRef, offset)};");

        public override void MultiplyAdd(SourceWriter w, int row, int slot, string x, bool shared, string weightsRef, int offset)
            => w.Line($"acc{row}_{slot} = {Global.AvxVnni}.MultiplyWideningAndAdd(acc{row}_{slot}, {x}, {(shared ? $"w{slot}" : Load("Vector256", weightsRef, offset))});");

        public override void Finish(SourceWriter w, int row, int slot, int block)
        {
            // The accumulators are already acc{row}_{slot} with slot == block (256-bit slots).
        }

        public override void AccumulateInputSum(SourceWriter w, string sum, string bits)
            => w.Line($"{sum} = {Global.AvxVnni}.MultiplyWideningAndAdd({sum}, {V256}.AsByte({V256}.Create({bits})), {V256}.Create((sbyte)1));");
    }

    /// <summary>Where the weights prove it exact: vpmaddubsw (u8 * s8 pairs to int16), vpmaddwd by 1, vpaddd.</summary>
    private sealed class BytesStep : DotProductStep
    {
        public BytesStep(int bits)
            : base(bits, rowsPerBlock: bits == 512 ? 8 : 4, slotsPerPass: 2)
        {
        }

        public override string OperandName => "Madd";

        public override string Description => Bits == 512
            ? "AVX-512BW: vpmaddubsw + vpmaddwd(1) + vpaddd per 16-column slot, row and k group (proven free of int16 saturation)"
            : "AVX2: vpmaddubsw + vpmaddwd(1) + vpaddd per 8-column slot, row and k group (proven free of int16 saturation)";

        public override DotProductStep Narrow => Bits == 512 ? Bytes256 : this;

        private string Isa => Bits == 512 ? Bw : Avx2;

        protected override string BroadcastElement => "byte";

        private string Ones => Bits == 512 ? "ones512" : "ones";

        public override void DeclareConstants(SourceWriter w)
        {
            w.Line($"{V256}<short> ones = {V256}.Create((short)1);");
            if (Bits == 512)
                w.Line($"{V512}<short> ones512 = {V512}.Create((short)1);");
        }

        public override void DeclareAccumulators(SourceWriter w, int row, int slot)
            => w.Line(Bits == 512 ? $"{V512}<int> a{row}_{slot} = {V512}<int>.Zero;" : $"{V256}<int> acc{row}_{slot} = {V256}<int>.Zero;");

        public override void Broadcast(SourceWriter w, string name, string bits)
            => w.Line($"{Vector}<byte> {name} = {Vector}.AsByte({Vector}.Create({bits}));");

        public override void LoadWeights(SourceWriter w, int slot, string weightsRef, int offset)
            => w.Line($"{Vector}<sbyte> w{slot} = {Load(Bits == 512 ? "Vector512" : "Vector256", weightsRef, offset)};");

        public override void MultiplyAdd(SourceWriter w, int row, int slot, string x, bool shared, string weightsRef, int offset)
        {
            string acc = Bits == 512 ? $"a{row}_{slot}" : $"acc{row}_{slot}";
            string weights = shared ? $"w{slot}" : Load(Bits == 512 ? "Vector512" : "Vector256", weightsRef, offset);
            w.Line($"{acc} = {Vector}.Add({acc}, {Isa}.MultiplyAddAdjacent({Isa}.MultiplyAddAdjacent({x}, {weights}), {Ones}));");
        }

        public override void Finish(SourceWriter w, int row, int slot, int block)
        {
            if (Bits != 512)
                return;
            w.Line($"{V256}<int> acc{row}_{block} = {V512}.GetLower(a{row}_{slot});");
            w.Line($"{V256}<int> acc{row}_{block + 1} = {V512}.GetUpper(a{row}_{slot});");
        }
    }

    /// <summary>
    /// Exact for any weights: the weights as int16 (widened in the kernel with vpmovsxbw, or read from the int16 copy) and
    /// the four inputs as int16, multiplied with vpmaddwd, which cannot overflow (2 * 255 * 128 fits int32). Each slot keeps
    /// two accumulators, its first and second half of columns (4 or 8), each lane holding a half of a column's group;
    /// vphaddd and a cross-lane permute put each block's columns back in order.
    /// </summary>
    private sealed class WidenStep : DotProductStep
    {
        private readonly bool _preWidened;

        public WidenStep(int bits, bool preWidened)
            : base(bits, rowsPerBlock: bits == 512 ? 4 : 1, slotsPerPass: bits == 512 ? 2 : 4)
        {
            _preWidened = preWidened;
        }

        public override string OperandName => _preWidened ? "I16" : "Widen";

        public override bool PreWidened => _preWidened;

        public override string Description => (Bits == 512 ? "AVX-512BW exact: " : "AVX2 exact: ")
            + (_preWidened
                ? "int16 weights (widened once at class initialization) straight from memory, vpmaddwd + vpaddd per half slot, row and k group"
                : "vpmovsxbw weights to int16, vpmaddwd + vpaddd per half slot, row and k group");

        public override DotProductStep Narrow => Bits == 256 ? this : _preWidened ? Int16x256 : Widen256;

        private string Isa => Bits == 512 ? Bw : Avx2;

        protected override string BroadcastElement => "short";

        public override void DeclareAccumulators(SourceWriter w, int row, int slot)
        {
            w.Line($"{Vector}<int> l{row}_{slot} = {Vector}<int>.Zero;");
            w.Line($"{Vector}<int> h{row}_{slot} = {Vector}<int>.Zero;");
        }

        public override void Broadcast(SourceWriter w, string name, string bits)
        {
            string widened = $"{V128}.AsUInt64({Sse41}.ConvertToVector128Int16({V128}.AsByte({V128}.CreateScalarUnsafe({bits}))))";
            w.Line(Bits == 512
                ? $"{V512}<short> {name} = {V512}.AsInt16({Avx512F}.BroadcastScalarToVector512({widened}));"
                : $"{V256}<short> {name} = {V256}.AsInt16({Avx2}.BroadcastScalarToVector256({widened}));");
        }

        public override bool WidensInputs => true;

        public override void WidenRow(SourceWriter w, string source, int sourceOffset, string destination, int destinationOffset, int k, bool signed)
        {
            // 32 bytes to one Vector512<short> (vpmovzxbw), or 16 to one Vector256<short>.
            int chunk = Bits / 16;
            int vectored = k / chunk * chunk;
            string narrow = Bits == 512 ? V256 : V128;
            string convert = Bits == 512 ? $"{Bw}.ConvertToVector512Int16" : $"{Avx2}.ConvertToVector256Int16";
            string load = $"{narrow}.LoadUnsafe(ref {U}.Add(ref {source}, {Plus(sourceOffset, "i")}))";
            if (signed)
                load = $"{narrow}.Xor({load}, {narrow}.Create((byte)0x80))";
            if (vectored > 0)
            {
                w.Line($"for (int i = 0; i < {vectored}; i += {chunk})");
                w.Line($"    {Vector}.StoreUnsafe({convert}({load}), ref {U}.Add(ref {destination}, {Plus(destinationOffset, "i")}));");
            }
            string flip = signed ? " ^ 0x80" : "";
            if (k - vectored > 0)
            {
                w.Line($"for (int i = {vectored}; i < {k}; i++)");
                w.Line($"    {U}.Add(ref {destination}, {Plus(destinationOffset, "i")}) = (short)({U}.Add(ref {source}, {Plus(sourceOffset, "i")}){flip});");
            }
            for (int i = k; i % 4 != 0; i++)
                w.Line($"{U}.Add(ref {destination}, {destinationOffset + i}) = 0;");
        }

        public override void BroadcastWidened(SourceWriter w, string name, string shortRef)
            => w.Line($"{Vector}<short> {name} = {Vector}.AsInt16({Vector}.Create({U}.ReadUnaligned<ulong>(ref {U}.As<short, byte>(ref {shortRef}))));");

        /// <summary>The two halves of the slot's weights as int16 vectors.</summary>
        private (string Low, string High) Operands(string weightsRef, int offset)
        {
            int half = Bits / 16;
            if (_preWidened)
            {
                string vector = Bits == 512 ? "Vector512" : "Vector256";
                return (Load(vector, weightsRef + "16", offset), Load(vector, weightsRef + "16", offset + half));
            }
            string narrow = Bits == 512 ? "Vector256" : "Vector128";
            string convert = Bits == 512 ? $"{Bw}.ConvertToVector512Int16" : $"{Avx2}.ConvertToVector256Int16";
            return ($"{convert}({Load(narrow, weightsRef, offset)})", $"{convert}({Load(narrow, weightsRef, offset + half)})");
        }

        public override void LoadWeights(SourceWriter w, int slot, string weightsRef, int offset)
        {
            (string low, string high) = Operands(weightsRef, offset);
            w.Line($"{Vector}<short> wl{slot} = {low};");
            w.Line($"{Vector}<short> wh{slot} = {high};");
        }

        public override void MultiplyAdd(SourceWriter w, int row, int slot, string x, bool shared, string weightsRef, int offset)
        {
            (string low, string high) = shared ? ($"wl{slot}", $"wh{slot}") : Operands(weightsRef, offset);
            w.Line($"l{row}_{slot} = {Vector}.Add(l{row}_{slot}, {Isa}.MultiplyAddAdjacent({low}, {x}));");
            w.Line($"h{row}_{slot} = {Vector}.Add(h{row}_{slot}, {Isa}.MultiplyAddAdjacent({high}, {x}));");
        }

        public override void Finish(SourceWriter w, int row, int slot, int block)
        {
            if (Bits == 256)
            {
                w.Line($"{V256}<int> acc{row}_{block} = {Pairs($"l{row}_{slot}", $"h{row}_{slot}")};");
                return;
            }
            // Low half: the slot's first block (its columns 0..3 in the low 256 bits, 4..7 in the high); high half: the second.
            w.Line($"{V256}<int> acc{row}_{block} = {Pairs($"{V512}.GetLower(l{row}_{slot})", $"{V512}.GetUpper(l{row}_{slot})")};");
            w.Line($"{V256}<int> acc{row}_{block + 1} = {Pairs($"{V512}.GetLower(h{row}_{slot})", $"{V512}.GetUpper(h{row}_{slot})")};");
        }

        /// <summary>Columns 0..3 (two lanes each) and 4..7 to one lane per column, in order.</summary>
        private static string Pairs(string low, string high)
            => $"{V256}.AsInt32({Avx2}.Permute4x64({V256}.AsInt64({Avx2}.HorizontalAdd({low}, {high})), 0b11_01_10_00))";
    }
}
