using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>
/// The scratch side of the generated Run: <c>ScratchSize</c>, <c>Run(input, output, scratch)</c> with a caller-owned
/// buffer (checked length, no overlap, nothing written on error, no allocation at all), and <c>Run(input, output)</c> with
/// the calling thread's arena (one allocation per thread, then none).
/// </summary>
public sealed class ScratchContractTests
{
    private const string Source = """
        using KernelGen;
        namespace C;
        [QuantizedModel(6, InputScale = 0.05f, InputZeroPoint = 120)]
        [Dense(6, 70, Name = "fc0", Weights = nameof(W0), WeightScale = 0.01f, OutputScale = 0.02f, OutputZeroPoint = 128)]
        [Dense(70, 40, Name = "fc1", Weights = nameof(W1), WeightScale = 0.01f, OutputScale = 0.05f, OutputZeroPoint = 128)]
        [Dense(40, 3, Name = "fc2", Weights = nameof(W2), WeightScale = 0.02f, OutputScale = 0.1f, OutputZeroPoint = 100)]
        public partial class Three
        {
            static readonly sbyte[] W0 = Data.Make(6 * 70);
            static readonly sbyte[] W1 = Data.Make(70 * 40);
            static readonly sbyte[] W2 = Data.Make(40 * 3);
        }
        [QuantizedModel(5, ActivationType = QuantType.Int8, InputScale = 0.05f, Requantization = RequantizationScheme.Float)]
        [Dense(5, 9, Name = "fc0", Weights = nameof(W0), WeightScale = 0.01f, OutputScale = 0.02f)]
        [Dense(9, 4, Name = "fc1", Weights = nameof(W1), WeightZeroPoint = 3, OutputType = QuantType.Int32)]
        public partial class Accumulators
        {
            static readonly sbyte[] W0 = Data.Make(5 * 9);
            static readonly sbyte[] W1 = Data.Make(9 * 4);
        }
        [QuantizedModel(5, InputScale = 0.5f)]
        [Dense(5, 3, Weights = nameof(W), WeightScale = 0.25f, OutputScale = 0.5f)]
        public partial class Single
        {
            static readonly sbyte[] W = Data.Make(15);
        }
        """;

    /// <summary>The weights, as constant initializers (the generator reads them from the syntax).</summary>
    private static string Data(int count, int seed)
    {
        var random = new Random(seed);
        return "{ " + string.Join(", ", Enumerable.Range(0, count).Select(_ => random.Next(-128, 128))) + " }";
    }

    private static readonly string Declared = Expand(Source);

    private static string Expand(string source)
    {
        int seed = 0;
        return System.Text.RegularExpressions.Regex.Replace(source, @"Data\.Make\(([0-9 *]+)\)",
            m => Data(m.Groups[1].Value.Split('*').Select(v => int.Parse(v.Trim())).Aggregate(1, (a, b) => a * b), ++seed));
    }

    private static readonly Lazy<(Assembly Assembly, GeneratorRun Run)> Compiled = new(() =>
    {
        GeneratorRun run = GeneratorHarness.Run(Declared);
        Assert.Empty(run.Diagnostics);
        return (ModelLoader.Load(run, new[] { Declared }, PinnedPath.Native), run);
    });

    private static RawEntryPoints Model(string name) => new(Compiled.Value.Assembly, "C." + name);

    public static TheoryData<string> Models => new() { "Three", "Accumulators" };

    private static (byte[] Input, int InputBytes, int OutputBytes) Rows(RawEntryPoints model, int rows, int seed)
    {
        int inputSize = (int)model.Type.GetField("InputSize")!.GetRawConstantValue()!;
        int outputSize = (int)model.Type.GetField("OutputSize")!.GetRawConstantValue()!;
        int element = model.OutputElement == typeof(int) ? 4 : 1;
        byte[] input = new byte[rows * inputSize];
        new Random(seed).NextBytes(input);
        return (input, input.Length, rows * outputSize * element);
    }

    [Fact]
    public void ScratchSize_IsAConstant_TheArenaOfTheMemoryPlan()
    {
        // The arena holds a chunk of rows (up to 64, within 64 KB), each tensor its rows back to back, so these are the
        // per-row plans times the chunk, placed again: 7040 and 576 bytes; Single needs none.
        foreach ((string name, int bytes) in new[] { ("Three", 7040), ("Accumulators", 576), ("Single", 0) })
        {
            FieldInfo field = Model(name).Type.GetField("ScratchSize")!;
            Assert.True(field.IsLiteral && field.IsPublic && field.FieldType == typeof(int), name);
            Assert.Equal(bytes, field.GetRawConstantValue());
            string generated = Compiled.Value.Run.Files.Single(f => f.HintName.Contains("." + name + ".")).Source;
            Assert.Contains($"scratch arena of {bytes} bytes", generated);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ShortScratch_ThrowsNamingScratchSize_AndWritesNothing(string name)
    {
        RawEntryPoints model = Model(name);
        (byte[] input, _, int outputBytes) = Rows(model, 3, 1);
        foreach (int length in new[] { 0, 1, model.ScratchSize - 1 })
        {
            byte[] output = Enumerable.Repeat((byte)0xAB, outputBytes).ToArray();
            byte[] scratch = Enumerable.Repeat((byte)0xCD, length).ToArray();
            ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => model.RunWithScratch(input, output, scratch));
            Assert.Equal("scratch", e.ParamName);
            Assert.Contains($"Scratch length {length} is too short", e.Message);
            Assert.Contains($"ScratchSize = {model.ScratchSize}", e.Message);
            Assert.All(output, b => Assert.Equal(0xAB, b));
            Assert.All(scratch, b => Assert.Equal(0xCD, b));
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ScratchOverlappingInputOrOutput_Throws_AndWritesNothing(string name)
    {
        RawEntryPoints model = Model(name);
        (byte[] rows, int inputBytes, int outputBytes) = Rows(model, 2, 2);
        int scratchBytes = model.ScratchSize;

        // Scratch overlapping the input: one buffer, the scratch starting inside the input.
        byte[] shared = new byte[inputBytes + scratchBytes];
        rows.CopyTo(shared, 0);
        byte[] output = Enumerable.Repeat((byte)0xAB, outputBytes).ToArray();
        byte[] before = shared.ToArray();
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => model.RunWithScratch(shared.AsSpan(0, inputBytes), output, shared.AsSpan(inputBytes - 1)));
        Assert.Contains("overlaps", e.Message);
        Assert.Equal(before, shared);
        Assert.All(output, b => Assert.Equal(0xAB, b));

        // Scratch overlapping the output (the output's last byte is the scratch's first).
        byte[] both = Enumerable.Repeat((byte)0xAB, outputBytes + scratchBytes).ToArray();
        e = Assert.ThrowsAny<ArgumentException>(() => model.RunWithScratch(rows, both.AsSpan(0, outputBytes), both.AsSpan(outputBytes - 1)));
        Assert.Contains("overlaps", e.Message);
        Assert.All(both, b => Assert.Equal(0xAB, b));

        // Adjacent but not overlapping: accepted.
        model.RunWithScratch(rows, both.AsSpan(0, outputBytes), both.AsSpan(outputBytes));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void EitherOverload_AnyScratchContents_GiveTheSameResults(string name)
    {
        RawEntryPoints model = Model(name);
        (byte[] input, _, int outputBytes) = Rows(model, 9, 3);
        byte[] expected = new byte[outputBytes], reference = new byte[outputBytes];
        model.Run(input, expected);
        model.RunReference(input, reference);
        Assert.Equal(reference, expected);
        var random = new Random(4);
        foreach (int extra in new[] { 0, 1, 3, 100 })
        {
            for (int fill = 0; fill < 3; fill++)
            {
                byte[] scratch = new byte[model.ScratchSize + extra + 7];
                if (fill == 0) random.NextBytes(scratch); else Array.Fill(scratch, fill == 1 ? (byte)0xFF : (byte)0x80);
                byte[] actual = new byte[outputBytes];
                // An unaligned slice of a dirty buffer.
                model.RunWithScratch(input, actual, scratch.AsSpan(7 % (extra + 1), model.ScratchSize + extra));
                Assert.Equal(expected, actual);
            }
        }
        // The thread's arena, dirtied by the scratch runs' model and another model in between, still gives the same.
        RunOnce(Model(name == "Three" ? "Accumulators" : "Three"));
        byte[] again = new byte[outputBytes];
        model.Run(input, again);
        Assert.Equal(expected, again);
    }

    private static void RunOnce(RawEntryPoints model)
    {
        (byte[] input, _, int outputBytes) = Rows(model, 4, 5);
        model.Run(input, new byte[outputBytes]);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void RunWithThreadScratch_AllocatesOncePerThread_ThenNothing(string name)
    {
        RawEntryPoints model = Model(name);
        (byte[] input, _, int outputBytes) = Rows(model, 16, 6);
        byte[] output = new byte[outputBytes];
        // Warm: JIT and tiering done on this thread. The pause lets the background tier-1 compilation finish, so
        // the measured calls do not cross a tier transition (under a loaded full-suite run one made this flaky).
        for (int i = 0; i < 200; i++)
            model.Run(input, output);
        Thread.Sleep(200);
        for (int i = 0; i < 200; i++)
            model.Run(input, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            model.Run(input, output);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        // A new thread gets its own arena on its first call (one array of ScratchSize bytes), and nothing after.
        long first = -1, second = -1;
        var thread = new Thread(() =>
        {
            byte[] local = new byte[outputBytes];
            long start = GC.GetAllocatedBytesForCurrentThread();
            model.Run(input, local);
            first = GC.GetAllocatedBytesForCurrentThread() - start;
            start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
                model.Run(input, local);
            second = GC.GetAllocatedBytesForCurrentThread() - start;
        });
        thread.Start();
        thread.Join();
        Assert.InRange(first, model.ScratchSize, model.ScratchSize + 1024);
        Assert.Equal(0, second);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void RunWithCallerScratch_AllocatesNothingAtAll_EvenOnANewThread(string name)
    {
        RawEntryPoints model = Model(name);
        (byte[] input, _, int outputBytes) = Rows(model, 16, 7);
        byte[] output = new byte[outputBytes];
        byte[] warm = new byte[model.ScratchSize];
        for (int i = 0; i < 200; i++)
            model.RunWithScratch(input, output, warm);
        long allocated = -1;
        var thread = new Thread(() =>
        {
            byte[] local = new byte[outputBytes], scratch = new byte[model.ScratchSize];
            long start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
                model.RunWithScratch(input, local, scratch);
            allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        });
        thread.Start();
        thread.Join();
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ModelWithoutScratch_TakesAnyScratch_EvenEmpty()
    {
        RawEntryPoints model = Model("Single");
        (byte[] input, _, int outputBytes) = Rows(model, 2, 8);
        byte[] expected = new byte[outputBytes], actual = new byte[outputBytes];
        model.Run(input, expected);
        model.RunWithScratch(input, actual, Span<byte>.Empty);
        Assert.Equal(expected, actual);
    }
}
