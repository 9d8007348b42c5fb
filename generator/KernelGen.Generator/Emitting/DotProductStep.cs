namespace KernelGen.Generator.Emitting;

/// <summary>
/// The plugged primitive of the Dense kernel template: how one broadcast of four input bytes (one int32 lane's worth of
/// k) is multiplied with a block's packed weights and added to its int32 accumulators. Everything else in the template
/// (tiling, loops, requantization, stores) is shared by every instruction set.
/// </summary>
internal abstract class DotProductStep
{
    /// <summary>Suffix of the generated kernel names, e.g. "AvxVnni".</summary>
    public abstract string Isa { get; }

    /// <summary>One line for the kernel's header comment.</summary>
    public abstract string Description { get; }

    /// <summary>Locals the step needs once per kernel (constant vectors).</summary>
    public virtual void DeclareConstants(SourceWriter w)
    {
    }

    /// <summary>Declares block <paramref name="block"/>'s accumulators, zeroed.</summary>
    public virtual void DeclareAccumulators(SourceWriter w, int block)
        => w.Line($"global::System.Runtime.Intrinsics.Vector256<int> acc{block} = global::System.Runtime.Intrinsics.Vector256<int>.Zero;");

    /// <summary>Declares <paramref name="name"/>: the four input bytes in <paramref name="bits"/> in every int32 lane, in
    /// the form the step multiplies (by default as bytes).</summary>
    public virtual void Broadcast(SourceWriter w, string name, string bits)
        => w.Line($"global::System.Runtime.Intrinsics.Vector256<byte> {name} = global::System.Runtime.Intrinsics.Vector256.AsByte(global::System.Runtime.Intrinsics.Vector256.Create({bits}));");

    /// <summary>Adds the products of broadcast <paramref name="x"/> and the 32 weight bytes at
    /// <paramref name="weightsRef"/> + <paramref name="offset"/> (a constant) to block <paramref name="block"/>.</summary>
    public abstract void MultiplyAdd(SourceWriter w, int block, string x, string weightsRef, int offset);

    /// <summary>Turns block <paramref name="block"/>'s accumulators into one Vector256&lt;int&gt; named acc{block} in column order.</summary>
    public virtual void Finish(SourceWriter w, int block)
    {
    }

    /// <summary>Adds Σ of the four bytes in <paramref name="bits"/> to every lane of <c>inputSum</c>.</summary>
    public abstract void AccumulateInputSum(SourceWriter w, string bits);

    /// <summary>AVX-VNNI: vpdpbusd adds four exact u8 * s8 products per int32 lane in one instruction.</summary>
    public sealed class Vnni : DotProductStep
    {
        public override string Isa => "AvxVnni";

        public override string Description => "AVX-VNNI: one vpdpbusd per block and k group (exact, no intermediate saturation)";

        public override void MultiplyAdd(SourceWriter w, int block, string x, string weightsRef, int offset)
            => w.Line($"acc{block} = global::System.Runtime.Intrinsics.X86.AvxVnni.MultiplyWideningAndAdd(acc{block}, {x}, {Load(weightsRef, offset)});");

        public override void AccumulateInputSum(SourceWriter w, string bits)
            => w.Line($"inputSum = global::System.Runtime.Intrinsics.X86.AvxVnni.MultiplyWideningAndAdd(inputSum, global::System.Runtime.Intrinsics.Vector256.AsByte(global::System.Runtime.Intrinsics.Vector256.Create({bits})), global::System.Runtime.Intrinsics.Vector256.Create((sbyte)1));");
    }

    /// <summary>AVX2 where the weights prove vpmaddubsw exact: vpmaddubsw (u8 * s8 pairs to int16) then vpmaddwd by 1.</summary>
    public sealed class MultiplyAddBytes : DotProductStep
    {
        public override string Isa => "Avx2";

        public override string Description => "AVX2: vpmaddubsw + vpmaddwd(1) + vpaddd per block and k group";

        public override void DeclareConstants(SourceWriter w)
            => w.Line("global::System.Runtime.Intrinsics.Vector256<short> ones = global::System.Runtime.Intrinsics.Vector256.Create((short)1);");

        public override void MultiplyAdd(SourceWriter w, int block, string x, string weightsRef, int offset)
            => w.Line($"acc{block} = global::System.Runtime.Intrinsics.X86.Avx2.Add(acc{block}, global::System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent(global::System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent({x}, {Load(weightsRef, offset)}), ones));");

        public override void AccumulateInputSum(SourceWriter w, string bits)
            => Avx2InputSum(w, bits);
    }

    /// <summary>
    /// AVX2 for weights where vpmaddubsw could saturate: both operands widened to int16 and multiplied with vpmaddwd,
    /// which cannot overflow (2 * 255 * 128 fits int32). Each block keeps two accumulators, columns 0..3 and 4..7, each
    /// lane holding a half of a column's group; vphaddd and a cross-lane permute put the columns back in order.
    /// </summary>
    public sealed class WidenToInt16 : DotProductStep
    {
        public override string Isa => "Avx2";

        public override string Description => "AVX2 exact: vpmovzxbw / vpmovsxbw to int16, vpmaddwd + vpaddd per half block and k group";

        public override void DeclareAccumulators(SourceWriter w, int block)
        {
            w.Line($"global::System.Runtime.Intrinsics.Vector256<int> lo{block} = global::System.Runtime.Intrinsics.Vector256<int>.Zero;");
            w.Line($"global::System.Runtime.Intrinsics.Vector256<int> hi{block} = global::System.Runtime.Intrinsics.Vector256<int>.Zero;");
        }

        public override void Broadcast(SourceWriter w, string name, string bits)
            => w.Line($"global::System.Runtime.Intrinsics.Vector256<short> {name} = global::System.Runtime.Intrinsics.Vector256.AsInt16(global::System.Runtime.Intrinsics.X86.Avx2.BroadcastScalarToVector256(global::System.Runtime.Intrinsics.Vector128.AsUInt64(global::System.Runtime.Intrinsics.X86.Sse41.ConvertToVector128Int16(global::System.Runtime.Intrinsics.Vector128.AsByte(global::System.Runtime.Intrinsics.Vector128.CreateScalarUnsafe({bits}))))));");

        public override void MultiplyAdd(SourceWriter w, int block, string x, string weightsRef, int offset)
        {
            w.Line($"lo{block} = global::System.Runtime.Intrinsics.X86.Avx2.Add(lo{block}, global::System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent(global::System.Runtime.Intrinsics.X86.Avx2.ConvertToVector256Int16({Load("Vector128", weightsRef, offset)}), {x}));");
            w.Line($"hi{block} = global::System.Runtime.Intrinsics.X86.Avx2.Add(hi{block}, global::System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent(global::System.Runtime.Intrinsics.X86.Avx2.ConvertToVector256Int16({Load("Vector128", weightsRef, offset + 16)}), {x}));");
        }

        public override void Finish(SourceWriter w, int block)
            => w.Line($"global::System.Runtime.Intrinsics.Vector256<int> acc{block} = global::System.Runtime.Intrinsics.Vector256.AsInt32(global::System.Runtime.Intrinsics.X86.Avx2.Permute4x64(global::System.Runtime.Intrinsics.Vector256.AsInt64(global::System.Runtime.Intrinsics.X86.Avx2.HorizontalAdd(lo{block}, hi{block})), 0b11_01_10_00));");

        public override void AccumulateInputSum(SourceWriter w, string bits)
            => Avx2InputSum(w, bits);

    }

    private static void Avx2InputSum(SourceWriter w, string bits)
        => w.Line($"inputSum = global::System.Runtime.Intrinsics.X86.Avx2.Add(inputSum, global::System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent(global::System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent(global::System.Runtime.Intrinsics.Vector256.AsByte(global::System.Runtime.Intrinsics.Vector256.Create({bits})), global::System.Runtime.Intrinsics.Vector256.Create((sbyte)1)), global::System.Runtime.Intrinsics.Vector256.Create((short)1)));");

    private static string Load(string weightsRef, int offset) => Load("Vector256", weightsRef, offset);

    /// <summary>
    /// An unaligned load of a Vector256 or Vector128 (<paramref name="vector"/>) at a constant offset. The offset goes
    /// through Unsafe.Add(ref, int): LoadUnsafe's own offset is a nuint, which C# 7.3 cannot convert to and a user type
    /// named nuint would capture.
    /// </summary>
    private static string Load(string vector, string weightsRef, int offset)
        => offset == 0
            ? $"global::System.Runtime.Intrinsics.{vector}.LoadUnsafe(ref {weightsRef})"
            : $"global::System.Runtime.Intrinsics.{vector}.LoadUnsafe(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {weightsRef}, {offset}))";
}
