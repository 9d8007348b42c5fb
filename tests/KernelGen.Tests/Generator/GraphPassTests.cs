extern alias generator;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KernelGen.Quantization;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>
/// The graph passes of Planning: an explicit [Requantize] is folded into the layer that produces its input, and
/// consecutive ones become one, so a model written with an explicit requantize compiles to the same kernels as one
/// without; where it cannot be folded it runs as its own table kernel, exact on every path.
/// </summary>
public sealed class GraphPassTests
{
    private const string Weights = """
            static readonly sbyte[] W1 = { 12, -7, 33, 90, -128, 5, 64, -20, 7, 7, -3, 100 };
            static readonly int[] B1 = { 300, -120, 45 };
            static readonly sbyte[] W2 = { 50, -60, 70, 1, 2, -3 };
        """;

    private static string Model(string layers) => $$"""
        using KernelGen;
        namespace P;
        [QuantizedModel(4, InputScale = 0.05f, InputZeroPoint = 10)]
        {{layers}}
        public static partial class M
        {
        {{Weights}}
        }
        """;

    private const string Fc1 = "Dense(4, 3, Name = \"fc1\", Weights = nameof(W1), Bias = nameof(B1), WeightScale = 0.01f";
    private const string Fc2 = "[Dense(3, 2, Name = \"fc2\", Weights = nameof(W2), WeightScale = 0.02f, OutputScale = 0.1f, OutputZeroPoint = 128)]";

    [Fact]
    public void ExplicitRequantize_AfterADense_CompilesToTheSameKernelsAsTheDenseDeclaredWithItsOutput()
    {
        string folded = Model($"[{Fc1}, OutputScale = 0.03f, OutputZeroPoint = 5, Activation = Activation.Relu)]\n[Requantize(Name = \"rq\", OutputScale = 0.07f, OutputZeroPoint = 20)]\n{Fc2}");
        string direct = Model($"[{Fc1}, OutputScale = 0.07f, OutputZeroPoint = 20, Activation = Activation.Relu)]\n{Fc2}");
        GeneratorRun a = GeneratorHarness.Run(folded), b = GeneratorHarness.Run(direct);
        Assert.Empty(a.Diagnostics);
        Assert.Empty(b.Diagnostics);
        Assert.Equal(b.Files.Single().Source, a.Files.Single().Source);
        Assert.DoesNotContain("Requantize", a.Files.Single().Source.Replace("RequantizationScheme", "").Replace("PackedRequantization", ""));
        // The pass, reviewable: the model declared with [Requantize] compiles to this file.
        Snapshot.Verify(a.Files.Single().Source);
    }

    [Fact]
    public void LayerNamingTheFoldedRequantize_ReadsTheProducersOutput()
    {
        // fc2 reads "rq" by name, with a layer in between that reads fc1 too: fc1 then has two readers and is not folded.
        string twoReaders = Model($"[{Fc1}, OutputScale = 0.03f)]\n[Requantize(Name = \"rq\", OutputScale = 0.07f, OutputZeroPoint = 20)]\n[Dense(3, 2, Name = \"side\", Input = \"fc1\", Weights = nameof(W2), WeightScale = 0.02f, OutputScale = 0.1f)]\n[Dense(3, 2, Name = \"fc2\", Input = \"rq\", Weights = nameof(W2), WeightScale = 0.02f, OutputScale = 0.1f, OutputZeroPoint = 128)]");
        GeneratorRun run = GeneratorHarness.Run(twoReaders);
        Assert.Empty(run.Diagnostics);
        Assert.Contains("Rq_Table", run.Files.Single().Source);
        CheckEveryPath(run, twoReaders, inputs: 4, outputs: 2);

        // With fc1 read by the Requantize alone, a later layer that names "rq" reads the folded fc1.
        string named = Model($"[{Fc1}, OutputScale = 0.03f)]\n[Requantize(Name = \"rq\", OutputScale = 0.07f, OutputZeroPoint = 20)]\n[Dense(3, 2, Name = \"fc2\", Input = \"rq\", Weights = nameof(W2), WeightScale = 0.02f, OutputScale = 0.1f, OutputZeroPoint = 128)]");
        GeneratorRun folded = GeneratorHarness.Run(named);
        Assert.Empty(folded.Diagnostics);
        Assert.DoesNotContain("Rq_", folded.Files.Single().Source);
        CheckEveryPath(folded, named, inputs: 4, outputs: 2);
    }

    [Fact]
    public void ConsecutiveRequantizes_MergeIntoOneTable()
    {
        // The model input has no producer to fold into: the two Requantize layers become one (the second's output).
        string source = Model($"[Requantize(Name = \"a\", OutputScale = 0.11f, OutputZeroPoint = 3)]\n[Requantize(Name = \"b\", OutputScale = 0.02f, OutputZeroPoint = 200)]\n[Dense(4, 3, Name = \"fc1\", Weights = nameof(W1), WeightScale = 0.01f, OutputScale = 0.04f)]");
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        string generated = run.Files.Single().Source;
        Assert.Contains("A_Table", generated);
        Assert.DoesNotContain("B_Table", generated);
        Assert.Contains("-> uint8 (scale 0.02f, zero point 200)", generated);
        CheckEveryPath(run, source, inputs: 4, outputs: 3);
    }

    public static TheoryData<string, string> Schemes => new()
    {
        { "uint8", "FixedPoint" }, { "uint8", "Float" }, { "int8", "FixedPoint" }, { "int8", "Float" },
    };

    [Theory]
    [MemberData(nameof(Schemes))]
    public void UnfoldedRequantize_IsItsTableOnEveryPath_AndTheDefinitionOnEveryValue(string type, string scheme)
    {
        // 300 values (9 whole vectors of 32 and a tail), every raw byte present: the kernels against the reference layer,
        // and the reference layer against Rescale's definition written out here.
        bool signed = type == "int8";
        string quant = signed ? "QuantType.Int8" : "QuantType.UInt8";
        string source = $$"""
            using KernelGen;
            namespace P;
            [QuantizedModel(300, ActivationType = {{quant}}, InputScale = 0.0371f, InputZeroPoint = {{(signed ? -7 : 131)}}, Requantization = RequantizationScheme.{{scheme}})]
            [Requantize(Name = "rq", OutputScale = 0.0173f, OutputZeroPoint = {{(signed ? 11 : 90)}})]
            public static partial class M { }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Contains("Rq_Table", run.Files.Single().Source);
        var input = new byte[300 * 2];
        for (int i = 0; i < input.Length; i++)
            input[i] = (byte)(i * 7 + 3);
        var expected = new byte[input.Length];
        var rescheme = scheme == "Float" ? RequantizationScheme.Float : RequantizationScheme.FixedPoint;
        int min = signed ? -128 : 0, max = signed ? 127 : 255;
        for (int i = 0; i < input.Length; i++)
        {
            int q = signed ? (sbyte)input[i] : input[i];
            int r;
            if (rescheme == RequantizationScheme.Float)
            {
                float real = (q - (signed ? -7 : 131)) * 0.0371f;
                r = (int)Math.Clamp(Math.Round((double)(real / 0.0173f), MidpointRounding.ToEven) + (signed ? 11 : 90), min, max);
            }
            else
            {
                QuantizationMath.QuantizeMultiplier((double)0.0371f / 0.0173f, out int m, out int shift);
                r = Math.Clamp(FixedPoint.MultiplyByQuantizedMultiplier(q - (signed ? -7 : 131), m, shift) + (signed ? 11 : 90), min, max);
            }
            expected[i] = (byte)r;
        }
        foreach (PinnedPath path in Enum.GetValues<PinnedPath>().Where(ModelLoader.CanRun))
        {
            Type model = ModelLoader.Load(run, new[] { source }, path).GetType("P.M")!;
            var actual = new byte[input.Length];
            var reference = new byte[input.Length];
            Invoke(model, "Run", input, actual, signed);
            Invoke(model, "RunReference", input, reference, signed);
            Assert.Equal(expected, reference);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData("", "Relu", "Relu")]
    [InlineData("", "Relu6", "Relu6")]
    [InlineData(", Activation = Activation.Relu", "Relu6", "Relu6")]
    [InlineData(", Activation = Activation.Relu6", "Relu", "Relu6")]
    public void StandaloneActivation_AfterADense_IsFusedIntoItsClamp(string declared, string layer, string fused)
    {
        string separate = Model($"[{Fc1}, OutputScale = 0.03f, OutputZeroPoint = 40{declared})]\n[{layer}(Name = \"act\")]\n{Fc2}");
        string direct = Model($"[{Fc1}, OutputScale = 0.03f, OutputZeroPoint = 40, Activation = Activation.{fused})]\n{Fc2}");
        GeneratorRun a = GeneratorHarness.Run(separate), b = GeneratorHarness.Run(direct);
        Assert.Empty(a.Diagnostics);
        Assert.Empty(b.Diagnostics);
        Assert.Equal(b.Files.Single().Source, a.Files.Single().Source);
        // One snapshot per fused result; the combinations that fuse to the same activation are the equality above.
        if (declared.Length == 0)
            Snapshot.Verify(a.Files.Single().Source, suffix: $"NoneThen{layer}");
    }

    [Theory]
    [InlineData("uint8", "Relu")]
    [InlineData("uint8", "Relu6")]
    [InlineData("int8", "Relu")]
    [InlineData("int8", "Relu6")]
    public void UnfusedActivation_ClampsOnEveryPath_ToTheTensorsActivationRange(string type, string layer)
    {
        // On the model input there is no producer to fuse into: a clamp kernel over 70 values (two vectors and a tail).
        bool signed = type == "int8";
        int zero = signed ? -20 : 30;
        string source = $$"""
            using KernelGen;
            namespace P;
            [QuantizedModel(70, ActivationType = {{(signed ? "QuantType.Int8" : "QuantType.UInt8")}}, InputScale = 0.05f, InputZeroPoint = {{zero}})]
            [{{layer}}(Name = "act")]
            public static partial class M { }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Contains("Act_Avx2", run.Files.Single().Source);
        var input = new byte[70 * 4];
        for (int i = 0; i < input.Length; i++)
            input[i] = (byte)(i * 37 + 11);
        // ReLU: below at the quantized 0 (the zero point); ReLU6: above at zero point + round(6 / 0.05) = zero point + 120.
        int min = zero, max = layer == "Relu6" ? Math.Min(zero + 120, signed ? 127 : 255) : (signed ? 127 : 255);
        byte[] expected = input.Select(b => (byte)Math.Clamp(signed ? (sbyte)b : b, min, max)).ToArray();
        foreach (PinnedPath path in Enum.GetValues<PinnedPath>().Where(ModelLoader.CanRun))
        {
            Type model = ModelLoader.Load(run, new[] { source }, path).GetType("P.M")!;
            var actual = new byte[input.Length];
            var reference = new byte[input.Length];
            Invoke(model, "Run", input, actual, signed);
            Invoke(model, "RunReference", input, reference, signed);
            Assert.Equal(expected, reference);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void ActivationOnATensorOthersRead_StaysAClamp_AndTheModelIsExact()
    {
        string source = Model($"[{Fc1}, OutputScale = 0.03f, OutputZeroPoint = 40)]\n[Relu(Name = \"act\")]\n[Dense(3, 2, Name = \"side\", Input = \"fc1\", Weights = nameof(W2), WeightScale = 0.02f, OutputScale = 0.1f)]\n[Dense(3, 2, Name = \"fc2\", Input = \"act\", Weights = nameof(W2), WeightScale = 0.02f, OutputScale = 0.1f, OutputZeroPoint = 128)]");
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Contains("Act_Avx2", run.Files.Single().Source);
        CheckEveryPath(run, source, inputs: 4, outputs: 2);
    }

    [Fact]
    public void DequantizeThenQuantizeWithEqualParameters_IsRemoved()
    {
        // fc1's uint8 output (scale 0.03, zero point 40) to float and back with the same parameters is the identity: the
        // pair disappears and fc2 reads fc1, exactly as in the model declared without it.
        string pair = Model($"[{Fc1}, OutputScale = 0.03f, OutputZeroPoint = 40)]\n[Dequantize(Name = \"dq\")]\n[Quantize(Name = \"q\", Scale = 0.03f, ZeroPoint = 40)]\n{Fc2}");
        string direct = Model($"[{Fc1}, OutputScale = 0.03f, OutputZeroPoint = 40)]\n{Fc2}");
        GeneratorRun a = GeneratorHarness.Run(pair), b = GeneratorHarness.Run(direct);
        Assert.Empty(a.Diagnostics);
        Assert.Empty(b.Diagnostics);
        Assert.Equal(b.Files.Single().Source, a.Files.Single().Source);
        Snapshot.Verify(a.Files.Single().Source);

        // Other parameters are a real round trip through float: both layers stay, and the model is exact on every path.
        string different = Model($"[{Fc1}, OutputScale = 0.03f, OutputZeroPoint = 40)]\n[Dequantize(Name = \"dq\")]\n[Quantize(Name = \"q\", Scale = 0.05f, ZeroPoint = 40)]\n{Fc2}");
        GeneratorRun c = GeneratorHarness.Run(different);
        Assert.Empty(c.Diagnostics);
        Assert.Contains("Dq_Avx2", c.Files.Single().Source);
        Assert.Contains("Q_Avx2", c.Files.Single().Source);
        CheckEveryPath(c, different, inputs: 4, outputs: 2);
    }

    [Fact]
    public void FoldingPass_RemovesTheRequantize_AndAliasesItsName()
    {
        var none = generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.ArgumentLocation>.Empty;
        var noInputs = generator::KernelGen.Generator.Model.EquatableArray<string>.Empty;
        var dense = new generator::KernelGen.Generator.Model.DenseLayerSpec(0, "fc1", null, none, noInputs, 4, 3,
            new generator::KernelGen.Generator.Model.WeightSpec(
                new generator::KernelGen.Generator.Model.ConstantSource("W1", null, null), generator::KernelGen.QuantType.Int8, 0.01f, null, null, null,
                new generator::KernelGen.Generator.Model.ConstantSource(null, null, null), 0.03f, 5, generator::KernelGen.Activation.Relu, null));
        var requantize = new generator::KernelGen.Generator.Model.RequantizeLayerSpec(1, "rq", null, none, noInputs, 0.07f, 20, null);
        var next = new generator::KernelGen.Generator.Model.RequantizeLayerSpec(2, "after", null, none, noInputs, 0.5f, 1, null);
        var aliases = new Dictionary<string, string>();
        var layers = generator::KernelGen.Generator.Planning.Passes.GraphPasses.Run(
            new generator::KernelGen.Generator.Model.LayerSpec[] { dense, requantize, next }, aliases);

        // rq folds into fc1; then "after" reads fc1 (named, since it read rq by position) and, fc1 now having one reader
        // ("after", the model output being "after"), folds into fc1 too.
        var only = Assert.Single(layers);
        var folded = Assert.IsType<generator::KernelGen.Generator.Model.DenseLayerSpec>(only);
        Assert.Equal("fc1", folded.Name);
        Assert.Equal(0.5f, folded.Weights.OutputScale);
        Assert.Equal(1, folded.Weights.OutputZeroPoint);
        Assert.Equal(generator::KernelGen.Activation.Relu, folded.Weights.Activation);
        Assert.Equal("fc1", generator::KernelGen.Generator.Planning.Passes.GraphPasses.Resolve("rq", aliases));
        Assert.Equal("fc1", generator::KernelGen.Generator.Planning.Passes.GraphPasses.Resolve("after", aliases));

        // An invalid Requantize is left for its planning rule to report at its own arguments.
        var invalid = requantize with { OutputScale = -1f };
        Assert.Equal(2, generator::KernelGen.Generator.Planning.Passes.GraphPasses.Run(
            new generator::KernelGen.Generator.Model.LayerSpec[] { dense, invalid }, new Dictionary<string, string>()).Count);
    }

    private static void CheckEveryPath(GeneratorRun run, string source, int inputs, int outputs)
    {
        var random = new Random(7);
        var input = new byte[inputs * 16];
        random.NextBytes(input);
        byte[]? first = null;
        foreach (PinnedPath path in Enum.GetValues<PinnedPath>().Where(ModelLoader.CanRun))
        {
            Type model = ModelLoader.Load(run, new[] { source }, path).GetType("P.M")!;
            var actual = new byte[outputs * 16];
            var reference = new byte[outputs * 16];
            Invoke(model, "Run", input, actual, signed: false);
            Invoke(model, "RunReference", input, reference, signed: false);
            Assert.Equal(reference, actual);
            first ??= actual;
            Assert.Equal(first, actual);
        }
    }

    private static void Invoke(Type model, string name, byte[] input, byte[] output, bool signed)
    {
        MethodInfo method = model.GetMethods().Single(m => m.Name == name && m.GetParameters().Length == 2);
        if (signed)
        {
            method.CreateDelegate<SByteModel>()(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(input),
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(output.AsSpan()));
        }
        else
        {
            method.CreateDelegate<ByteModel>()(input, output);
        }
    }
}
