using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen.Benchmarks;

/// <summary>
/// Times the benchmark suite's MLP (MlpModels.cs, same declaration and weights) in a plain loop, so a NativeAOT
/// binary can be measured: BenchmarkDotNet drives JIT processes only.
///
///   dotnet publish benchmarks/KernelGen.AotTiming -c Release -r linux-x64 -o /tmp/kg-aot &amp;&amp; /tmp/kg-aot/KernelGen.AotTiming
///   dotnet run -c Release --project benchmarks/KernelGen.AotTiming       (the same loop under the JIT)
///
/// Per model and batch: a warm-up of at least 0.5 s (under the JIT, tiering reaches its final code), then 15 rounds
/// of about 0.1 s each; it prints the median and the fastest round's ns per call. Runs single-threaded, allocates nothing
/// in the loop, and checks Run against RunReference first.
/// </summary>
public static class Program
{
    private static readonly int[] Batches = [1, 64, 256];

    public static int Main(string[] args)
    {
        int[] batches = args.Length > 0 ? args.Select(int.Parse).ToArray() : Batches;
        // Not RuntimeFeature.IsDynamicCodeSupported: PublishAot=true sets that switch to false under `dotnet run` too.
        // A NativeAOT binary has no JIT, so it has compiled no method.
        string runtime = JitInfo.GetCompiledMethodCount() > 0 ? "JIT" : "NativeAOT";
        Console.WriteLine($"KernelGen MLP timing loop: {runtime}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSArchitecture}, " +
            $"{Environment.ProcessorCount} logical CPUs");
        Console.WriteLine($"Mlp64x32x10.ActivePath = {Mlp64x32x10.ActivePath}; Mlp64x32x10Narrow.ActivePath = {Mlp64x32x10Narrow.ActivePath}");
        bool ok = true;
        foreach (int batch in batches)
        {
            ok &= Time("Mlp64x32x10", "±127 (exact)", batch, Mlp64x32x10.InputSize, Mlp64x32x10.OutputSize,
                static (i, o) => Mlp64x32x10.Run(i, o), static (i, o) => Mlp64x32x10.RunReference(i, o));
            ok &= Time("Mlp64x32x10Narrow", "±63 (proof)", batch, Mlp64x32x10Narrow.InputSize, Mlp64x32x10Narrow.OutputSize,
                static (i, o) => Mlp64x32x10Narrow.Run(i, o), static (i, o) => Mlp64x32x10Narrow.RunReference(i, o));
        }
        return ok ? 0 : 1;
    }

    private delegate void Kernel(ReadOnlySpan<byte> input, Span<byte> output);

    private static bool Time(string name, string weights, int batch, int inputSize, int outputSize, Kernel run, Kernel reference)
    {
        var random = new Random(20261124);
        var input = new byte[batch * inputSize];
        random.NextBytes(input);
        var output = new byte[batch * outputSize];
        var expected = new byte[output.Length];
        run(input, output);
        reference(input, expected);
        if (!output.AsSpan().SequenceEqual(expected))
        {
            Console.WriteLine($"{name}: Run differs from RunReference at batch {batch}");
            return false;
        }

        // Warm-up: at least 0.5 s, and calls per round sized so one round takes about 0.1 s.
        long calls = 1;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            Loop(run, input, output, calls);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (watch.Elapsed.TotalSeconds >= 0.5 && seconds >= 0.05)
            {
                calls = Math.Max(1, (long)(calls * 0.1 / seconds));
                break;
            }
            if (seconds < 0.05)
                calls *= 2;
        }

        var rounds = new double[15];
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < rounds.Length; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Loop(run, input, output, calls);
            rounds[r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls;
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Array.Sort(rounds);
        long macs = (long)batch * (64 * 32 + 32 * 10);
        Console.WriteLine($"{name,-18} {weights,-13} batch {batch,4}: median {rounds[rounds.Length / 2],10:F1} ns/call, fastest {rounds[0],10:F1} ns/call, " +
            $"{macs / rounds[rounds.Length / 2],6:F1} GMAC/s, {allocated} B allocated in {rounds.Length * calls} calls");
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Loop(Kernel run, byte[] input, byte[] output, long calls)
    {
        for (long i = 0; i < calls; i++)
            run(input, output);
    }
}
