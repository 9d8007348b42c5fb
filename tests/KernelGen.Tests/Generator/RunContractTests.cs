using System;
using System.Linq;
using System.Reflection;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>The generated entry point's contract: batches of whole rows, clear errors with nothing written, no allocation.</summary>
public sealed class RunContractTests
{
    private const string Source = """
        using KernelGen;
        namespace R;
        [QuantizedModel(5, InputScale = 0.5f, InputZeroPoint = 3)]
        [Dense(5, 3, Weights = nameof(W), Bias = nameof(B), WeightScale = 0.25f, OutputScale = 0.5f, OutputZeroPoint = 1, Activation = Activation.Relu)]
        public partial class U
        {
            static readonly sbyte[] W = { 1, -2, 3, -4, 5, 6, -7, 8, -9, 10, -11, 12, -13, 14, -15 };
            static readonly int[] B = { 5, -5, 50 };
        }
        [QuantizedModel(3, ActivationType = QuantType.Int8, InputScale = 0.5f)]
        [Dense(3, 2, Weights = nameof(W), WeightScale = 0.25f, OutputScale = 0.5f)]
        public partial class S
        {
            static readonly sbyte[] W = { 1, -2, 3, -4, 5, 6 };
        }
        """;

    private static readonly Lazy<Assembly> Assembly = new(() =>
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        Assert.Empty(run.Diagnostics);
        return ModelLoader.Load(run, new[] { Source }, PinnedPath.Native);
    });

    private static LoadedModel Model => new(Assembly.Value, "R.U", signed: false);

    [Fact]
    public void GeneratedSurface_HasSizesAndSpanTypesOfTheDeclaredTypes()
    {
        Type u = Assembly.Value.GetType("R.U")!, s = Assembly.Value.GetType("R.S")!;
        Assert.Equal(5, u.GetField("InputSize")!.GetRawConstantValue());
        Assert.Equal(3, u.GetField("OutputSize")!.GetRawConstantValue());
        Assert.Equal(typeof(ReadOnlySpan<byte>), u.GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 2).GetParameters()[0].ParameterType);
        Assert.Equal(typeof(ReadOnlySpan<sbyte>), s.GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 2).GetParameters()[0].ParameterType);
        Assert.Equal(typeof(Span<sbyte>), s.GetMethod("RunReference")!.GetParameters()[1].ParameterType);
    }

    [Theory]
    [InlineData(4, 3, "Input length 4 is not a whole number of rows: the model reads 5 values per row.")]
    [InlineData(10, 3, "Output length 3 does not match the input's 2 row(s): expected 6 (2 x 3 outputs).")]
    [InlineData(5, 4, "Output length 4 does not match the input's 1 row(s): expected 3 (1 x 3 outputs).")]
    [InlineData(0, 3, "Output length 3 does not match the input's 0 row(s): expected 0 (0 x 3 outputs).")]
    public void WrongLengths_ThrowArgumentExceptionNamingSizes_AndWriteNothing(int inputLength, int outputLength, string message)
    {
        byte[] input = new byte[inputLength], output = Enumerable.Repeat((byte)0xAB, outputLength).ToArray();
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => Model.Run(input, output));
        Assert.StartsWith(message, e.Message);
        Assert.All(output, b => Assert.Equal(0xAB, b));

        e = Assert.ThrowsAny<ArgumentException>(() => Model.RunReference(input, output));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void OverlappingSpans_AreRejected()
    {
        byte[] buffer = new byte[8];
        buffer.AsSpan(3, 3).Fill(0xCD);
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => Model.Run(buffer.AsSpan(0, 5), buffer.AsSpan(3, 3)));
        Assert.Contains("overlaps", e.Message);
        Assert.All(buffer.AsSpan(3, 3).ToArray(), b => Assert.Equal(0xCD, b));
    }

    [Fact]
    public void EmptyBatch_IsAccepted()
        => Model.Run(ReadOnlySpan<byte>.Empty, Span<byte>.Empty);

    [Fact]
    public void Batch_EqualsRowByRow()
    {
        var random = new Random(3);
        byte[] input = new byte[7 * 5];
        random.NextBytes(input);
        byte[] batch = new byte[7 * 3];
        Model.Run(input, batch);
        for (int r = 0; r < 7; r++)
        {
            byte[] row = new byte[3];
            Model.Run(input.AsSpan(r * 5, 5), row);
            Assert.Equal(batch.AsSpan(r * 3, 3).ToArray(), row);
        }
    }

    [Fact]
    public void Run_AllocatesNothing()
    {
        byte[] input = new byte[64 * 5], output = new byte[64 * 3];
        LoadedModel model = Model;
        for (int i = 0; i < 200; i++)
            model.Run(input, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            model.Run(input, output);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
