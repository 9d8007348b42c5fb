using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;

namespace KernelGen.Benchmarks;

/// <summary>
/// A register-only limit: which instruction set a sequence needs, what it is, and how many int8 multiply-adds one
/// step of it does per vector. MACs per call = <see cref="RegisterLimitBenchmarks.Steps"/> * <see cref="RegisterLimitBenchmarks.Chains"/> * <see cref="MacsPerStep"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RegisterLimitAttribute(string isa, string sequence, int macsPerStep) : Attribute
{
    /// <summary>The KernelPath-style name of the instruction set the sequence needs: Avx2, AvxVnni or Avx512BW.</summary>
    public string Isa { get; } = isa;

    public string Sequence { get; } = sequence;

    public int MacsPerStep { get; } = macsPerStep;

    public long MacsPerCall => (long)RegisterLimitBenchmarks.Steps * RegisterLimitBenchmarks.Chains * MacsPerStep;
}

/// <summary>
/// The register-only limit: for each multiply-add sequence a KernelGen path uses, a loop of that sequence alone, with
/// no loads or stores, giving the int8 multiply-adds per second this CPU gives .NET code. The table's "% of limit"
/// column divides each KernelGen row's GMAC/s by the GMAC/s of the row here for the sequence its path and weights use
/// (see <see cref="LimitColumn"/>).
///
/// How the loop is built: <see cref="Chains"/> (12) independent accumulators, each step of each one computing its
/// products from the accumulator itself (<c>a = a + madd(a, w)</c>). The products must depend on something that
/// changes in the loop: with loop-invariant operands the JIT hoists the multiplies out of the loop (checked: it did, and
/// the loop then ran only the adds). Twelve chains cover the latency of one step (vpmaddubsw + vpmaddwd + vpaddd: 7
/// cycles on Zen 4, 11 on recent Intel cores) times the two multiply pipes, so the loop is bound by multiply throughput,
/// not latency (measured on Zen 4: 10 chains already reach vpmaddubsw's plateau; vpmaddwd + vpaddd gains 3 % from 12 to
/// 20 chains). 12 accumulators plus two operands fit the 16 vector registers of an AVX2-only CPU, so nothing spills.
/// The values overflow and are meaningless; the sum is returned so the work cannot be dropped.
///
/// Each method returns at once when its instruction set is not supported (the config also filters those rows out, so
/// the table only lists what this CPU runs). These rows run only in the native job: no KernelGen knob changes them.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
[CategoriesColumn]
[BenchmarkCategory("Register-only limit")]
public class RegisterLimitBenchmarks
{
    /// <summary>Loop trips per call.</summary>
    public const int Steps = 1024;

    /// <summary>Independent accumulators.</summary>
    public const int Chains = 12;

    /// <summary>AVX2, weights the proof accepts: vpmaddubsw (32 u8 x s8 products, pairs added to int16), vpmaddwd by ones (to int32), vpaddd: 32 MACs per 3 instructions.</summary>
    [Benchmark, RegisterLimit("Avx2", "vpmaddubsw + vpmaddwd + vpaddd", 32)]
    public int Avx2_Maddubs()
    {
        if (!Avx2.IsSupported)
            return 0; // not this CPU: the config filters this row out, so it only returns here if run by hand
        Vector256<sbyte> w = Vector256.Create((sbyte)3);
        Vector256<short> ones = Vector256<short>.One;
        Vector256<int> a0 = Vector256.Create(1), a1 = Vector256.Create(2), a2 = Vector256.Create(3), a3 = Vector256.Create(4), a4 = Vector256.Create(5), a5 = Vector256.Create(6),
            a6 = Vector256.Create(7), a7 = Vector256.Create(8), a8 = Vector256.Create(9), a9 = Vector256.Create(10), a10 = Vector256.Create(11), a11 = Vector256.Create(12);
        for (int s = 0; s < Steps; s++)
        {
            a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a0.AsByte(), w), ones));
            a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a1.AsByte(), w), ones));
            a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a2.AsByte(), w), ones));
            a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a3.AsByte(), w), ones));
            a4 = Avx2.Add(a4, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a4.AsByte(), w), ones));
            a5 = Avx2.Add(a5, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a5.AsByte(), w), ones));
            a6 = Avx2.Add(a6, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a6.AsByte(), w), ones));
            a7 = Avx2.Add(a7, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a7.AsByte(), w), ones));
            a8 = Avx2.Add(a8, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a8.AsByte(), w), ones));
            a9 = Avx2.Add(a9, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a9.AsByte(), w), ones));
            a10 = Avx2.Add(a10, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a10.AsByte(), w), ones));
            a11 = Avx2.Add(a11, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a11.AsByte(), w), ones));
        }
        return a0.ToScalar() ^ a1.ToScalar() ^ a2.ToScalar() ^ a3.ToScalar() ^ a4.ToScalar() ^ a5.ToScalar()
            ^ a6.ToScalar() ^ a7.ToScalar() ^ a8.ToScalar() ^ a9.ToScalar() ^ a10.ToScalar() ^ a11.ToScalar();
    }

    /// <summary>AVX2 exact, operands already int16: vpmaddwd (16 int16 products, pairs added to int32), vpaddd: 16 MACs per 2 instructions.</summary>
    [Benchmark, RegisterLimit("Avx2", "vpmaddwd + vpaddd", 16)]
    public int Avx2_Int16()
    {
        if (!Avx2.IsSupported)
            return 0; // not this CPU: the config filters this row out, so it only returns here if run by hand
        Vector256<short> w = Vector256.Create((short)3);
        Vector256<int> a0 = Vector256.Create(1), a1 = Vector256.Create(2), a2 = Vector256.Create(3), a3 = Vector256.Create(4), a4 = Vector256.Create(5), a5 = Vector256.Create(6),
            a6 = Vector256.Create(7), a7 = Vector256.Create(8), a8 = Vector256.Create(9), a9 = Vector256.Create(10), a10 = Vector256.Create(11), a11 = Vector256.Create(12);
        for (int s = 0; s < Steps; s++)
        {
            a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(a0.AsInt16(), w));
            a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(a1.AsInt16(), w));
            a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(a2.AsInt16(), w));
            a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(a3.AsInt16(), w));
            a4 = Avx2.Add(a4, Avx2.MultiplyAddAdjacent(a4.AsInt16(), w));
            a5 = Avx2.Add(a5, Avx2.MultiplyAddAdjacent(a5.AsInt16(), w));
            a6 = Avx2.Add(a6, Avx2.MultiplyAddAdjacent(a6.AsInt16(), w));
            a7 = Avx2.Add(a7, Avx2.MultiplyAddAdjacent(a7.AsInt16(), w));
            a8 = Avx2.Add(a8, Avx2.MultiplyAddAdjacent(a8.AsInt16(), w));
            a9 = Avx2.Add(a9, Avx2.MultiplyAddAdjacent(a9.AsInt16(), w));
            a10 = Avx2.Add(a10, Avx2.MultiplyAddAdjacent(a10.AsInt16(), w));
            a11 = Avx2.Add(a11, Avx2.MultiplyAddAdjacent(a11.AsInt16(), w));
        }
        return a0.ToScalar() ^ a1.ToScalar() ^ a2.ToScalar() ^ a3.ToScalar() ^ a4.ToScalar() ^ a5.ToScalar()
            ^ a6.ToScalar() ^ a7.ToScalar() ^ a8.ToScalar() ^ a9.ToScalar() ^ a10.ToScalar() ^ a11.ToScalar();
    }

    /// <summary>AVX2 exact, widening int8 to int16 from a register first: vpmovsxbw, vpmaddwd, vpaddd: 16 MACs per 3 instructions.</summary>
    [Benchmark, RegisterLimit("Avx2", "vpmovsxbw + vpmaddwd + vpaddd", 16)]
    public int Avx2_WidenInt16()
    {
        if (!Avx2.IsSupported)
            return 0; // not this CPU: the config filters this row out, so it only returns here if run by hand
        Vector256<short> w = Vector256.Create((short)3);
        Vector256<int> a0 = Vector256.Create(1), a1 = Vector256.Create(2), a2 = Vector256.Create(3), a3 = Vector256.Create(4), a4 = Vector256.Create(5), a5 = Vector256.Create(6),
            a6 = Vector256.Create(7), a7 = Vector256.Create(8), a8 = Vector256.Create(9), a9 = Vector256.Create(10), a10 = Vector256.Create(11), a11 = Vector256.Create(12);
        for (int s = 0; s < Steps; s++)
        {
            a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a0.GetLower().AsSByte()), w));
            a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a1.GetLower().AsSByte()), w));
            a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a2.GetLower().AsSByte()), w));
            a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a3.GetLower().AsSByte()), w));
            a4 = Avx2.Add(a4, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a4.GetLower().AsSByte()), w));
            a5 = Avx2.Add(a5, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a5.GetLower().AsSByte()), w));
            a6 = Avx2.Add(a6, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a6.GetLower().AsSByte()), w));
            a7 = Avx2.Add(a7, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a7.GetLower().AsSByte()), w));
            a8 = Avx2.Add(a8, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a8.GetLower().AsSByte()), w));
            a9 = Avx2.Add(a9, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a9.GetLower().AsSByte()), w));
            a10 = Avx2.Add(a10, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a10.GetLower().AsSByte()), w));
            a11 = Avx2.Add(a11, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(a11.GetLower().AsSByte()), w));
        }
        return a0.ToScalar() ^ a1.ToScalar() ^ a2.ToScalar() ^ a3.ToScalar() ^ a4.ToScalar() ^ a5.ToScalar()
            ^ a6.ToScalar() ^ a7.ToScalar() ^ a8.ToScalar() ^ a9.ToScalar() ^ a10.ToScalar() ^ a11.ToScalar();
    }

    /// <summary>AVX2 int32 lanes, the depthwise kernel's step: vpmulld, vpaddd: 8 MACs per 2 instructions.</summary>
    [Benchmark, RegisterLimit("Avx2", "vpmulld + vpaddd", 8)]
    public int Avx2_Int32Mullo()
    {
        if (!Avx2.IsSupported)
            return 0; // not this CPU: the config filters this row out, so it only returns here if run by hand
        Vector256<int> w = Vector256.Create(3);
        Vector256<int> a0 = Vector256.Create(1), a1 = Vector256.Create(2), a2 = Vector256.Create(3), a3 = Vector256.Create(4), a4 = Vector256.Create(5), a5 = Vector256.Create(6),
            a6 = Vector256.Create(7), a7 = Vector256.Create(8), a8 = Vector256.Create(9), a9 = Vector256.Create(10), a10 = Vector256.Create(11), a11 = Vector256.Create(12);
        for (int s = 0; s < Steps; s++)
        {
            a0 = Avx2.Add(a0, Avx2.MultiplyLow(a0, w));
            a1 = Avx2.Add(a1, Avx2.MultiplyLow(a1, w));
            a2 = Avx2.Add(a2, Avx2.MultiplyLow(a2, w));
            a3 = Avx2.Add(a3, Avx2.MultiplyLow(a3, w));
            a4 = Avx2.Add(a4, Avx2.MultiplyLow(a4, w));
            a5 = Avx2.Add(a5, Avx2.MultiplyLow(a5, w));
            a6 = Avx2.Add(a6, Avx2.MultiplyLow(a6, w));
            a7 = Avx2.Add(a7, Avx2.MultiplyLow(a7, w));
            a8 = Avx2.Add(a8, Avx2.MultiplyLow(a8, w));
            a9 = Avx2.Add(a9, Avx2.MultiplyLow(a9, w));
            a10 = Avx2.Add(a10, Avx2.MultiplyLow(a10, w));
            a11 = Avx2.Add(a11, Avx2.MultiplyLow(a11, w));
        }
        return a0.ToScalar() ^ a1.ToScalar() ^ a2.ToScalar() ^ a3.ToScalar() ^ a4.ToScalar() ^ a5.ToScalar()
            ^ a6.ToScalar() ^ a7.ToScalar() ^ a8.ToScalar() ^ a9.ToScalar() ^ a10.ToScalar() ^ a11.ToScalar();
    }

    /// <summary>AVX-VNNI (VEX, 256-bit): vpdpbusd (32 u8 x s8 products, groups of 4 added into int32 lanes): 32 MACs per instruction.</summary>
    [Benchmark, RegisterLimit("AvxVnni", "vpdpbusd", 32)]
    public int AvxVnni_Dpbusd()
    {
        if (!AvxVnni.IsSupported)
            return 0; // not this CPU: the config filters this row out, so it only returns here if run by hand
        Vector256<byte> x = Vector256.Create((byte)5);
        Vector256<sbyte> w = Vector256.Create((sbyte)3);
        Vector256<int> a0 = Vector256.Create(1), a1 = Vector256.Create(2), a2 = Vector256.Create(3), a3 = Vector256.Create(4), a4 = Vector256.Create(5), a5 = Vector256.Create(6),
            a6 = Vector256.Create(7), a7 = Vector256.Create(8), a8 = Vector256.Create(9), a9 = Vector256.Create(10), a10 = Vector256.Create(11), a11 = Vector256.Create(12);
        for (int s = 0; s < Steps; s++)
        {
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, w);
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, w);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, w);
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, w);
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, x, w);
            a5 = AvxVnni.MultiplyWideningAndAdd(a5, x, w);
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x, w);
            a7 = AvxVnni.MultiplyWideningAndAdd(a7, x, w);
            a8 = AvxVnni.MultiplyWideningAndAdd(a8, x, w);
            a9 = AvxVnni.MultiplyWideningAndAdd(a9, x, w);
            a10 = AvxVnni.MultiplyWideningAndAdd(a10, x, w);
            a11 = AvxVnni.MultiplyWideningAndAdd(a11, x, w);
        }
        return a0.ToScalar() ^ a1.ToScalar() ^ a2.ToScalar() ^ a3.ToScalar() ^ a4.ToScalar() ^ a5.ToScalar()
            ^ a6.ToScalar() ^ a7.ToScalar() ^ a8.ToScalar() ^ a9.ToScalar() ^ a10.ToScalar() ^ a11.ToScalar();
    }

    /// <summary>AVX-512BW, weights the proof accepts: the Avx2_Maddubs sequence on Vector512: 64 MACs per 3 instructions.</summary>
    [Benchmark, RegisterLimit("Avx512BW", "vpmaddubsw + vpmaddwd + vpaddd (zmm)", 64)]
    public int Avx512BW_Maddubs()
    {
        if (!Avx512BW.IsSupported)
            return 0; // not this CPU: the config filters this row out, so it only returns here if run by hand
        Vector512<sbyte> w = Vector512.Create((sbyte)3);
        Vector512<short> ones = Vector512<short>.One;
        Vector512<int> a0 = Vector512.Create(1), a1 = Vector512.Create(2), a2 = Vector512.Create(3), a3 = Vector512.Create(4), a4 = Vector512.Create(5), a5 = Vector512.Create(6),
            a6 = Vector512.Create(7), a7 = Vector512.Create(8), a8 = Vector512.Create(9), a9 = Vector512.Create(10), a10 = Vector512.Create(11), a11 = Vector512.Create(12);
        for (int s = 0; s < Steps; s++)
        {
            a0 = Avx512F.Add(a0, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a0.AsByte(), w), ones));
            a1 = Avx512F.Add(a1, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a1.AsByte(), w), ones));
            a2 = Avx512F.Add(a2, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a2.AsByte(), w), ones));
            a3 = Avx512F.Add(a3, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a3.AsByte(), w), ones));
            a4 = Avx512F.Add(a4, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a4.AsByte(), w), ones));
            a5 = Avx512F.Add(a5, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a5.AsByte(), w), ones));
            a6 = Avx512F.Add(a6, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a6.AsByte(), w), ones));
            a7 = Avx512F.Add(a7, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a7.AsByte(), w), ones));
            a8 = Avx512F.Add(a8, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a8.AsByte(), w), ones));
            a9 = Avx512F.Add(a9, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a9.AsByte(), w), ones));
            a10 = Avx512F.Add(a10, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a10.AsByte(), w), ones));
            a11 = Avx512F.Add(a11, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a11.AsByte(), w), ones));
        }
        return a0.ToScalar() ^ a1.ToScalar() ^ a2.ToScalar() ^ a3.ToScalar() ^ a4.ToScalar() ^ a5.ToScalar()
            ^ a6.ToScalar() ^ a7.ToScalar() ^ a8.ToScalar() ^ a9.ToScalar() ^ a10.ToScalar() ^ a11.ToScalar();
    }

    /// <summary>AVX-512BW exact, int16 operands: the Avx2_Int16 sequence on Vector512: 32 MACs per 2 instructions.</summary>
    [Benchmark, RegisterLimit("Avx512BW", "vpmaddwd + vpaddd (zmm)", 32)]
    public int Avx512BW_Int16()
    {
        if (!Avx512BW.IsSupported)
            return 0; // not this CPU: the config filters this row out, so it only returns here if run by hand
        Vector512<short> w = Vector512.Create((short)3);
        Vector512<int> a0 = Vector512.Create(1), a1 = Vector512.Create(2), a2 = Vector512.Create(3), a3 = Vector512.Create(4), a4 = Vector512.Create(5), a5 = Vector512.Create(6),
            a6 = Vector512.Create(7), a7 = Vector512.Create(8), a8 = Vector512.Create(9), a9 = Vector512.Create(10), a10 = Vector512.Create(11), a11 = Vector512.Create(12);
        for (int s = 0; s < Steps; s++)
        {
            a0 = Avx512F.Add(a0, Avx512BW.MultiplyAddAdjacent(a0.AsInt16(), w));
            a1 = Avx512F.Add(a1, Avx512BW.MultiplyAddAdjacent(a1.AsInt16(), w));
            a2 = Avx512F.Add(a2, Avx512BW.MultiplyAddAdjacent(a2.AsInt16(), w));
            a3 = Avx512F.Add(a3, Avx512BW.MultiplyAddAdjacent(a3.AsInt16(), w));
            a4 = Avx512F.Add(a4, Avx512BW.MultiplyAddAdjacent(a4.AsInt16(), w));
            a5 = Avx512F.Add(a5, Avx512BW.MultiplyAddAdjacent(a5.AsInt16(), w));
            a6 = Avx512F.Add(a6, Avx512BW.MultiplyAddAdjacent(a6.AsInt16(), w));
            a7 = Avx512F.Add(a7, Avx512BW.MultiplyAddAdjacent(a7.AsInt16(), w));
            a8 = Avx512F.Add(a8, Avx512BW.MultiplyAddAdjacent(a8.AsInt16(), w));
            a9 = Avx512F.Add(a9, Avx512BW.MultiplyAddAdjacent(a9.AsInt16(), w));
            a10 = Avx512F.Add(a10, Avx512BW.MultiplyAddAdjacent(a10.AsInt16(), w));
            a11 = Avx512F.Add(a11, Avx512BW.MultiplyAddAdjacent(a11.AsInt16(), w));
        }
        return a0.ToScalar() ^ a1.ToScalar() ^ a2.ToScalar() ^ a3.ToScalar() ^ a4.ToScalar() ^ a5.ToScalar()
            ^ a6.ToScalar() ^ a7.ToScalar() ^ a8.ToScalar() ^ a9.ToScalar() ^ a10.ToScalar() ^ a11.ToScalar();
    }

    /// <summary>AVX-512BW exact, widening from a register: the Avx2_WidenInt16 sequence on Vector512 (vpmovsxbw ymm -> zmm): 32 MACs per 3 instructions.</summary>
    [Benchmark, RegisterLimit("Avx512BW", "vpmovsxbw + vpmaddwd + vpaddd (zmm)", 32)]
    public int Avx512BW_WidenInt16()
    {
        if (!Avx512BW.IsSupported)
            return 0; // not this CPU: the config filters this row out, so it only returns here if run by hand
        Vector512<short> w = Vector512.Create((short)3);
        Vector512<int> a0 = Vector512.Create(1), a1 = Vector512.Create(2), a2 = Vector512.Create(3), a3 = Vector512.Create(4), a4 = Vector512.Create(5), a5 = Vector512.Create(6),
            a6 = Vector512.Create(7), a7 = Vector512.Create(8), a8 = Vector512.Create(9), a9 = Vector512.Create(10), a10 = Vector512.Create(11), a11 = Vector512.Create(12);
        for (int s = 0; s < Steps; s++)
        {
            a0 = Avx512F.Add(a0, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a0.GetLower().AsSByte()), w));
            a1 = Avx512F.Add(a1, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a1.GetLower().AsSByte()), w));
            a2 = Avx512F.Add(a2, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a2.GetLower().AsSByte()), w));
            a3 = Avx512F.Add(a3, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a3.GetLower().AsSByte()), w));
            a4 = Avx512F.Add(a4, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a4.GetLower().AsSByte()), w));
            a5 = Avx512F.Add(a5, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a5.GetLower().AsSByte()), w));
            a6 = Avx512F.Add(a6, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a6.GetLower().AsSByte()), w));
            a7 = Avx512F.Add(a7, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a7.GetLower().AsSByte()), w));
            a8 = Avx512F.Add(a8, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a8.GetLower().AsSByte()), w));
            a9 = Avx512F.Add(a9, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a9.GetLower().AsSByte()), w));
            a10 = Avx512F.Add(a10, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a10.GetLower().AsSByte()), w));
            a11 = Avx512F.Add(a11, Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(a11.GetLower().AsSByte()), w));
        }
        return a0.ToScalar() ^ a1.ToScalar() ^ a2.ToScalar() ^ a3.ToScalar() ^ a4.ToScalar() ^ a5.ToScalar()
            ^ a6.ToScalar() ^ a7.ToScalar() ^ a8.ToScalar() ^ a9.ToScalar() ^ a10.ToScalar() ^ a11.ToScalar();
    }

    /// <summary>AVX-512 int32 lanes (the depthwise step on Vector512): vpmulld, vpaddd: 16 MACs per 2 instructions.</summary>
    [Benchmark, RegisterLimit("Avx512BW", "vpmulld + vpaddd (zmm)", 16)]
    public int Avx512F_Int32Mullo()
    {
        if (!Avx512F.IsSupported)
            return 0; // not this CPU: the config filters this row out, so it only returns here if run by hand
        Vector512<int> w = Vector512.Create(3);
        Vector512<int> a0 = Vector512.Create(1), a1 = Vector512.Create(2), a2 = Vector512.Create(3), a3 = Vector512.Create(4), a4 = Vector512.Create(5), a5 = Vector512.Create(6),
            a6 = Vector512.Create(7), a7 = Vector512.Create(8), a8 = Vector512.Create(9), a9 = Vector512.Create(10), a10 = Vector512.Create(11), a11 = Vector512.Create(12);
        for (int s = 0; s < Steps; s++)
        {
            a0 = Avx512F.Add(a0, Avx512F.MultiplyLow(a0, w));
            a1 = Avx512F.Add(a1, Avx512F.MultiplyLow(a1, w));
            a2 = Avx512F.Add(a2, Avx512F.MultiplyLow(a2, w));
            a3 = Avx512F.Add(a3, Avx512F.MultiplyLow(a3, w));
            a4 = Avx512F.Add(a4, Avx512F.MultiplyLow(a4, w));
            a5 = Avx512F.Add(a5, Avx512F.MultiplyLow(a5, w));
            a6 = Avx512F.Add(a6, Avx512F.MultiplyLow(a6, w));
            a7 = Avx512F.Add(a7, Avx512F.MultiplyLow(a7, w));
            a8 = Avx512F.Add(a8, Avx512F.MultiplyLow(a8, w));
            a9 = Avx512F.Add(a9, Avx512F.MultiplyLow(a9, w));
            a10 = Avx512F.Add(a10, Avx512F.MultiplyLow(a10, w));
            a11 = Avx512F.Add(a11, Avx512F.MultiplyLow(a11, w));
        }
        return a0.ToScalar() ^ a1.ToScalar() ^ a2.ToScalar() ^ a3.ToScalar() ^ a4.ToScalar() ^ a5.ToScalar()
            ^ a6.ToScalar() ^ a7.ToScalar() ^ a8.ToScalar() ^ a9.ToScalar() ^ a10.ToScalar() ^ a11.ToScalar();
    }
}
