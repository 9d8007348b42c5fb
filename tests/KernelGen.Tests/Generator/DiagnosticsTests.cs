extern alias generator;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using generator::KernelGen.Generator;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Tests.Generator;

/// <summary>
/// Every bad declaration yields its KGnnnn error at the offending attribute argument (or field), with a message that
/// names the layer, no generated source for that model, and no exception from the generator.
/// </summary>
public sealed class DiagnosticsTests
{
    private const string Fields = """
        static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8 };
        static readonly int[] B = { 10, -10 };
    """;

    private static string Model(string model, string layers, string body = Fields, string keyword = "partial class")
        => $$"""
        using KernelGen;
        namespace D;
        [{{model}}]
        {{layers}}
        public {{keyword}} M
        {
        {{body}}
        }
        """;

    private const string Input = "QuantizedModel(4, InputScale = 0.5f, InputZeroPoint = 3)";

    private const string Map = "QuantizedModel(4, 4, 2, InputScale = 0.5f, InputZeroPoint = 3)";

    private static string Dense(string extra = "") => $"Dense(4, 2, Name = \"fc1\", Weights = nameof(W), Bias = nameof(B), WeightScale = 0.25f, OutputScale = 0.5f{extra})";

    public static TheoryData<string, string, string> Cases => new()
    {
        { "KG0001", Model(Input, $"[{Dense()}]", keyword: "class").Replace("public class M", "public class [|M|]"), "'M'" },
        { "KG0002", Model($"[|{Input}|]", ""), "declares no layers" },
        { "KG0003", Model("QuantizedModel(4, InputScale = 0.5f, [|ActivationType = QuantType.Int32|])", $"[{Dense()}]"), "the input is UInt8, Int8, or Float32" },
        { "KG0003", Model(Input, $"[{Dense(", [|WeightType = QuantType.Int32|]")}]"), "Dense layer 'fc1'" },
        { "KG0003", Model(Input, $"[{Dense()}]", "static readonly float[] [|W|] = { 1, 2, 3, 4, 5, 6, 7, 8 }; static readonly int[] B = { 1, 2 };"), "float" },
        { "KG0004", Model("QuantizedModel(4, [|InputScale = -1f|])", $"[{Dense()}]"), "InputScale is -1" },
        { "KG0004", Model("QuantizedModel(4, [|InputScale = float.NaN|])", $"[{Dense()}]"), "InputScale is NaN" },
        { "KG0004", Model(Input, "[Dense(4, 2, Name = \"fc1\", Weights = nameof(W), [|WeightScales = new[] { 0.5f, float.PositiveInfinity }|], OutputScale = 0.5f)]"), "WeightScales[1]" },
        { "KG0004", Model(Input, "[Dense(4, 2, Name = \"fc1\", Weights = nameof(W), WeightScale = 1f, [|OutputScale = 0f|])]"), "OutputScale is 0" },
        { "KG0005", Model("QuantizedModel(4, InputScale = 0.5f, [|InputZeroPoint = 256|])", $"[{Dense()}]"), "outside the UInt8 range [0, 255]" },
        { "KG0005", Model(Input, $"[{Dense(", [|WeightZeroPoint = 128|]")}]"), "outside the Int8 range [-128, 127]" },
        { "KG0005", Model(Input, $"[{Dense(", [|OutputZeroPoint = -1|]")}]"), "OutputZeroPoint is -1" },
        { "KG0006", Model(Input, $"[{Dense()}]\n[Dense([|3|], 1, Weights = nameof(W3), WeightScale = 1f, OutputScale = 1f)]", Fields + "static readonly sbyte[] W3 = { 1, 2, 3 };"), "reads 3 inputs, but Dense layer 'fc1' produces 2" },
        { "KG0025", Model(Map, "[MaxPool([|5|], 2, Name = \"pool\")]"), "MaxPool layer 'pool': height: The dilated kernel (5) is larger than the padded input" },
        { "KG0025", Model(Map, "[AveragePool(2, 2, [|Strides = new[] { 0, 1 }|])]"), "the strides (0, 1) must be positive" },
        { "KG0025", Model(Map, "[MaxPool(2, 2, [|Pads = new[] { 2, 0, 0, 0 }|])]"), "must be smaller than the window" },
        { "KG0025", Model(Input, "[MaxPool([|2|], 2)]"), "a feature map (height x width x channels) is required, but the model input gives a vector of 4" },
        { "KG0025", Model(Input, "[[|GlobalAveragePool|]]"), "GlobalAveragePool layer 'GlobalAveragePool0': a feature map" },
        { "KG0004", Model(Map, "[AveragePool(2, 2, [|OutputScale = -1f|])]"), "OutputScale is -1" },
        { "KG0004", Model(Map, "[GlobalAveragePool([|OutputScale = float.NaN|])]"), "OutputScale is NaN" },
        { "KG0005", Model(Map, "[GlobalAveragePool([|OutputZeroPoint = 300|])]"), "OutputZeroPoint is 300" },
        { "KG0019", Model(Map, "[MaxPool(2, 2, [|Activation = (Activation)7|])]"), "MaxPool layer 'MaxPool0'" },
        { "KG0003", Model("QuantizedModel(4, 4, 2, ActivationType = QuantType.Float32)", "[MaxPool([|2|], 2)]"), "pools read and write UInt8 or Int8" },
        { "KG0024", Model(Input, $"[{Dense()}]\n[Dense(2, 2, Name = \"fc2\", [|Input = \"fc9\"|], Weights = nameof(W2), WeightScale = 1f, OutputScale = 1f)]", Fields + "static readonly sbyte[] W2 = { 1, 2, 3, 4 };"), "reads 'fc9', which is neither" },
        { "KG0007", Model(Input, $"[{Dense()}]", "static readonly sbyte[] W = { 1, 2, 3 }; static readonly int[] B = { 1, 2 };").Replace("Weights = nameof(W)", "[|Weights = nameof(W)|]"), "holds 3 weights; 4 inputs x 2 outputs needs 8" },
        { "KG0008", Model(Input, $"[{Dense()}]", "static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8 }; static readonly int[] B = { 1 };").Replace("Bias = nameof(B)", "[|Bias = nameof(B)|]"), "holds 1 bias values; the layer has 2 outputs" },
        { "KG0009", Model(Input, "[Dense(4, 2, Name = \"fc1\", Weights = nameof(W), [|WeightScales = new[] { 0.5f }|], OutputScale = 0.5f)]"), "WeightScales has 1 entries" },
        { "KG0009", Model(Input, $"[{Dense(", [|WeightZeroPoints = new[] { 1, 2, 3 }|]").Replace("WeightScale = 0.25f, ", "WeightScale = 0.25f, ")}]"), "WeightZeroPoints has 3 entries" },
        { "KG0010", Model(Input, "[Dense(4, 2, Name = \"fc1\", [|Weights = \"Missing\"|], WeightScale = 1f, OutputScale = 1f)]"), "no field of that name" },
        { "KG0011", Model(Input, $"[{Dense()}]", "static sbyte[] [|W|] = { 1, 2, 3, 4, 5, 6, 7, 8 }; static readonly int[] B = { 1, 2 };"), "must be static readonly" },
        { "KG0011", Model(Input, $"[{Dense()}]", "static readonly sbyte[] [|W|] = Make(); static sbyte[] Make() => new sbyte[8]; static readonly int[] B = { 1, 2 };"), "has no array initializer" },
        { "KG0011", Model(Input, $"[{Dense()}]", "static int v = 3; static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, [|(sbyte)v|] }; static readonly int[] B = { 1, 2 };"), "has element 7 that is not a compile-time constant" },
        { "KG0011", Model(Input, $"[{Dense()}]", "static readonly sbyte[,] [|W|] = { { 1 } }; static readonly int[] B = { 1, 2 };"), "one-dimensional array" },
        { "KG0012", Model(Input, "[Dense(4, 2, Name = \"fc1\", [|WeightsFile = \"absent.bin\"|], WeightScale = 1f, OutputScale = 1f)]"), "matches no AdditionalFiles item" },
        { "KG0013", Model(Input, "[Dense(4, 2, Name = \"fc1\", [|WeightsFile = \"seven.bin\"|], WeightScale = 1f, OutputScale = 1f)]"), "has 7 bytes; 4 inputs x 2 outputs of one byte needs 8 bytes" },
        { "KG0013", Model(Input, "[Dense(4, 2, Name = \"fc1\", Weights = nameof(W), [|BiasFile = \"seven.bin\"|], WeightScale = 1f, OutputScale = 1f)]"), "2 little-endian int32 bias values needs 8 bytes" },
        { "KG0014", Model(Input, "[Dense(4, 2, Name = \"fc1\", Weights = nameof(W), [|WeightsFile = \"seven.bin\"|], WeightScale = 1f, OutputScale = 1f)]"), "not both" },
        { "KG0014", Model(Input, "[[|Dense(4, 2, Name = \"fc1\", WeightScale = 1f, OutputScale = 1f)|]]"), "no weights" },
        { "KG0014", Model(Input, "[Dense(4, 2, Name = \"fc1\", Weights = nameof(W), WeightScale = 1f, [|WeightScales = new[] { 1f, 1f }|], OutputScale = 1f)]"), "not both" },
        { "KG0014", Model(Input, "[[|Dense(4, 2, Name = \"fc1\", Weights = nameof(W), OutputScale = 1f)|]]"), "no weight scale" },
        { "KG0014", Model("QuantizedModel(4, InputScale = 0.5f, [|Requantization = (RequantizationScheme)7|])", $"[{Dense()}]"), "Requantization is (RequantizationScheme)7; it is RequantizationScheme.FixedPoint or RequantizationScheme.Float" },
        { "KG0014", Model("QuantizedModel(4, InputScale = 0.5f, [|Layout = (TensorLayout)5|])", $"[{Dense()}]"), "Layout is (TensorLayout)5; it is TensorLayout.Nhwc or TensorLayout.Nchw" },
        { "KG0015", Model("QuantizedModel(4, InputScale = 1e6f)", "[Dense(4, 2, Name = \"fc1\", Weights = nameof(W), WeightScale = 1e6f, [|OutputScale = 1e-4f|])]"), "must be below 2^31" },
        // The float scheme has the same bound; an infinite scale (float overflow) was emitted as the literal "Infinityf".
        { "KG0015", Model("QuantizedModel(4, InputScale = 1e6f, Requantization = RequantizationScheme.Float)", "[Dense(4, 2, Name = \"fc1\", Weights = nameof(W), WeightScale = 1e6f, [|OutputScale = 1e-4f|])]"), "of output 0 is 1E+16; it must be below 2^31" },
        { "KG0015", Model("QuantizedModel(4, InputScale = 1f, Requantization = RequantizationScheme.Float)", "[Dense(4, 2, Name = \"fc1\", Weights = nameof(W), WeightScales = new[] { 0.5f, 1f }, [|OutputScale = 1e-44f|])]"), "of output 0 is Infinity; it must be below 2^31" },
        { "KG0016", Model(Input, "[Dense([|0|], 2, Name = \"fc1\", Weights = nameof(W), WeightScale = 1f, OutputScale = 1f)]"), "Inputs is 0" },
        { "KG0016", Model("QuantizedModel([|70000|], InputScale = 1f)", $"[{Dense()}]"), "InputSize is 70000" },
        { "KG0017", Model(Input, "[Dense(4, 2, [|Name = \"1st\"|], Weights = nameof(W), WeightScale = 1f, OutputScale = 1f)]"), "'1st' is not a valid C# identifier" },
        { "KG0017", Model(Input, $"[{Dense()}]\n[Dense(2, 2, [|Name = \"Fc1\"|], Weights = nameof(W2), WeightScale = 1f, OutputScale = 1f)]", Fields + "static readonly sbyte[] W2 = { 1, 2, 3, 4 };"), "used by an earlier layer" },
        // C# ignores formatting characters in identifiers: "fc\u00ADx" (with a soft hyphen) is the identifier fcx.
        { "KG0017", Model(Input, $"[{Dense().Replace("fc1", "fcx")}]\n[Dense(2, 2, [|Name = \"fc\\u00ADx\"|], Weights = nameof(W2), WeightScale = 1f, OutputScale = 1f)]", Fields + "static readonly sbyte[] W2 = { 1, 2, 3, 4 };"), "used by an earlier layer" },
        { "KG0019", Model(Input, $"[{Dense(", [|Activation = (Activation)7|]")}]"), "Activation value 7" },
        // Tensor ops: [Add], [Concat], [Reshape], [Flatten], [Quantize], [Dequantize].
        { "KG0024", Model(Input, $"[{Dense()}]\n[Add(\"fc1\", [|\"fc9\"|], OutputScale = 1f)]"), "Add layer 'Add1' reads 'fc9'" },
        { "KG0024", Model(Input, $"[{Dense()}]\n[Add([|\"nope\"|], \"fc1\", OutputScale = 1f)]"), "reads 'nope'" },
        { "KG0024", Model(Input, $"[{Dense()}]\n[Concat(\"fc1\", \"input\", [|\"fc7\"|])]"), "Concat layer 'Concat1' reads 'fc7'" },
        { "KG0025", Model(Input, $"[{Dense()}]\n[Add(\"input\", [|\"fc1\"|], OutputScale = 1f)]"), "the operands have different shapes (4 uint8 from the model input, 2 uint8 from Dense layer 'fc1')" },
        { "KG0025", Model("QuantizedModel(2, 2, 1, InputScale = 0.5f)", "[Reshape(4, 1, 1, Name = \"tall\")]\n[Concat(\"input\", [|\"tall\"|])]"), "must have one height and width" },
        { "KG0025", Model(Input, "[Reshape([|3|], 2, 1)]"), "has 6 values but its input (the model input) has 4 uint8, 4 values" },
        { "KG0025", Model(Input, "[Reshape([|2|], 2)]"), "the shape has 2 dimensions" },
        { "KG0016", Model(Input, "[Reshape(4, [|0|], 1)]"), "shape[1] is 0" },
        { "KG0003", Model(Input, "[[|Quantize(Scale = 0.1f)|]]"), "Quantize reads Float32 values" },
        { "KG0003", Model("QuantizedModel(4, ActivationType = QuantType.Float32)", "[[|Dequantize|]]"), "Dequantize reads UInt8, Int8 or Int32" },
        { "KG0003", Model("QuantizedModel(4, ActivationType = QuantType.Float32)", "[Quantize(Scale = 0.1f, [|OutputType = QuantType.Int32|])]"), "Quantize writes UInt8 or Int8" },
        { "KG0003", Model("QuantizedModel(4, ActivationType = QuantType.Float32)", "[Add(\"input\", [|\"input\"|], OutputScale = 1f)]").Replace("[Add(\"input\", [|\"input\"|]", "[Add([|\"input\"|], \"input\""), "Add reads UInt8 or Int8" },
        { "KG0004", Model("QuantizedModel(4, ActivationType = QuantType.Float32)", "[Quantize([|Scale = 0f|])]"), "Scale is 0" },
        { "KG0004", Model(Input, "[Add(\"input\", \"input\", [|OutputScale = -2f|])]"), "OutputScale is -2" },
        { "KG0004", Model(Input, "[[|Add(\"input\", \"input\")|]]"), "OutputScale is 0" },
        { "KG0005", Model("QuantizedModel(4, ActivationType = QuantType.Float32)", "[Quantize(Scale = 1f, OutputType = QuantType.Int8, [|ZeroPoint = 200|])]"), "outside the Int8 range" },
        { "KG0005", Model(Input, "[Concat(\"input\", \"input\", OutputScale = 1f, [|OutputZeroPoint = 300|])]"), "OutputZeroPoint is 300" },
        { "KG0019", Model(Input, "[Add(\"input\", \"input\", OutputScale = 1f, [|Activation = (Activation)9|])]"), "Activation value 9" },
        { "KG0014", Model(Input, "[Add(\"input\", \"input\", [|OutputScale = 1e-9f|])]"), "the scales give no valid Add" },
        { "KG0020", Model(Input, $"[{Dense()}]") + "\n[[|QuantizedModel(4, InputScale = 0.5f)|]] public partial class M { }", "more than one of its partial declarations" },
        { "KG0021", Model(Input, $"[{Dense()}]", Fields + "public static int [|InputSize|] => 3;"), "Property 'InputSize' of model 'M' collides with the constant InputSize" },
        { "KG0021", Model(Input, $"[{Dense()}]", Fields + "public static void [|Run|](System.ReadOnlySpan<byte> a, System.Span<byte> b) { }"), "Method 'Run'" },
        { "KG0021", Model(Input, $"[{Dense()}]", Fields + "private class [|KernelGenKernels|] { }"), "nested class KernelGenKernels" },
        { "KG0021", Model(Input, $"[{Dense()}]").Replace("public partial class M", "public partial class [|OutputSize|]"), "The type 'OutputSize'" },
        { "KG0022", Model(Input, $"[{Dense()}]").Replace("public partial class M", "file partial class [|M|]"), "a file-local type" },
        { "KG0022", Model(Input, $"[{Dense()}]").Replace("public partial class M", "public partial interface [|M|]"), "an interface" },
        // Fields of more than 4096 elements are read from syntax alone (cached per file): literals only, in range.
        { "KG0011", Model(Large, "[Dense(100, 50, Name = \"fc1\", Weights = nameof(W), WeightScale = 1f, OutputScale = 1f)]",
            "const sbyte V = 1; static readonly sbyte[] W = { " + string.Join(", ", Enumerable.Repeat("1", 4000)) + ", [|V|], " + string.Join(", ", Enumerable.Repeat("-1", 999)) + " };"),
            "has element 4000 that is not an integer literal" },
        { "KG0011", Model(Large, "[Dense(100, 50, Name = \"fc1\", [|Weights = nameof(W)|], WeightScale = 1f, OutputScale = 1f)]",
            "static readonly sbyte[] W = { " + string.Join(", ", Enumerable.Repeat("(sbyte)1", 4999)) + ", 200 };"),
            "has element 4999 = 200, outside the sbyte range [-128, 127]" },
        { "KG0007", Model(Large, "[Dense(100, 50, Name = \"fc1\", [|Weights = nameof(W)|], WeightScale = 1f, OutputScale = 1f)]",
            "static readonly sbyte[] W = { " + string.Join(", ", Enumerable.Repeat("unchecked((sbyte)0xFF)", 5001)) + " };"),
            "holds 5001 weights; 100 inputs x 50 outputs needs 5000" },
        // [DepthwiseConv2D] on a 4x4x2 feature map: geometry is KG0025 at the argument that breaks it.
        { "KG0025", Model(FeatureMap, $"[{Depthwise(", [|Strides = new[] { 0, 1 }|]")}]"), "the stride {0, 1} must be positive" },
        { "KG0025", Model(FeatureMap, $"[{Depthwise(", [|Dilations = new[] { 1, 1, 1 }|]")}]"), "Dilations has 3 entries" },
        { "KG0025", Model(FeatureMap, $"[{Depthwise(", [|Pads = new[] { 1, 1 }|]")}]"), "Pads has 2 entries" },
        { "KG0025", Model(FeatureMap, $"[{Depthwise(", [|Pads = new[] { 0, -1, 0, 0 }|]")}]"), "must not be negative" },
        { "KG0025", Model(FeatureMap, $"[{Depthwise(", [|Padding = (Padding)5|]")}]"), "Padding value 5" },
        { "KG0025", Model(FeatureMap, $"[{Depthwise().Replace("DepthwiseConv2D(2, 2", "DepthwiseConv2D([|5|], 2")}]"), "Height: The dilated kernel (5) is larger than the padded input (4 + 0 + 0 = 4)" },
        { "KG0025", Model(FeatureMap, $"[{Depthwise(", [|Dilations = new[] { 1, 4 }|]")}]"), "Width: The dilated kernel (5) is larger than the padded input" },
        { "KG0025", Model(Input, $"[[|{Depthwise()}|]]"), "needs a feature map (height x width x channels), but its input (the model input) is a vector of 4" },
        { "KG0007", Model(FeatureMap, $"[{Depthwise()}]", "static readonly sbyte[] W = { 1, 2, 3 }; static readonly int[] B = { 1, 2 };").Replace("Weights = nameof(W)", "[|Weights = nameof(W)|]"), "holds 3 weights; a 2x2 kernel x 2 output channels needs 8" },
        { "KG0008", Model(FeatureMap, $"[{Depthwise(", DepthMultiplier = 2")}]", "static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8 }; static readonly int[] B = { 1, 2 };").Replace("Bias = nameof(B)", "[|Bias = nameof(B)|]"), "the layer has 4 outputs" },
        { "KG0016", Model(FeatureMap, $"[{Depthwise(", [|DepthMultiplier = 0|]")}]"), "DepthMultiplier is 0" },
        { "KG0016", Model(FeatureMap, $"[{Depthwise().Replace("DepthwiseConv2D(2, 2", "DepthwiseConv2D(2, [|-1|]")}]"), "KernelWidth is -1" },
        { "KG0009", Model(FeatureMap, $"[{Depthwise(", [|WeightZeroPoints = new[] { 1, 2, 3 }|]")}]"), "WeightZeroPoints has 3 entries" },
        { "KG0024", Model(FeatureMap, $"[{Depthwise(", [|Input = \"nope\"|]")}]"), "reads 'nope'" },
        { "KG0025", Model(ConvMap, $"[{Conv("[|Strides = new[] { 0, 1 }|]")}]", ConvFields), "Strides {0, 1}: each stride must be in [1, 65536]" },
        { "KG0025", Model(ConvMap, "[Conv2D(8, [|7|], 3, Name = \"c\", Weights = nameof(C), WeightScale = 1f, OutputScale = 1f)]", ConvFields), "along the height: The dilated kernel (7) is larger than the padded input (5 + 0 + 0 = 5)" },
        { "KG0025", Model("QuantizedModel(5, 5, 3, InputScale = 0.5f)", $"[{Conv("[|Groups = 2|]")}]", ConvFields), "Groups (2) must divide the input channels (3) and the output channels (8)" },
        { "KG0025", Model(Input, $"[[|{Conv()}|]]", ConvFields), "a convolution reads a feature map (height x width x channels), but the model input produces a vector of 4 values" },
        { "KG0007", Model(ConvMap, $"[{Conv()}]", "static readonly sbyte[] C = { " + string.Join(", ", Enumerable.Repeat("1", 71)) + " };").Replace("Weights = nameof(C)", "[|Weights = nameof(C)|]"), "holds 71 weights; 8 filters of 3x3x1 needs 72" },
    };

    private const string FeatureMap = "QuantizedModel(4, 4, 2, InputScale = 0.5f, InputZeroPoint = 3)";
    private static string Depthwise(string extra = "") => $"DepthwiseConv2D(2, 2, Name = \"dw\", Weights = nameof(W), Bias = nameof(B), WeightScale = 0.25f, OutputScale = 0.5f{extra})";
    private const string ConvMap = "QuantizedModel(5, 5, 1, InputScale = 0.5f)";
    private static readonly string ConvFields = "static readonly sbyte[] C = { " + string.Join(", ", Enumerable.Repeat("1", 72)) + " };";
    private static string Conv(string extra = "") => $"Conv2D(8, 3, 3, Name = \"c\", Weights = nameof(C), WeightScale = 1f, OutputScale = 1f{(extra.Length > 0 ? ", " + extra : "")})";

    private const string Large = "QuantizedModel(100, InputScale = 0.5f)";

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadDeclaration_ReportsItsDiagnosticAtTheOffendingArgument(string id, string marked, string messageFragment)
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(marked);
        GeneratorRun run = GeneratorHarness.Run(source, Files());

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Contains(messageFragment, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(run.Files);
    }

    [Fact]
    public void AmbiguousWeightsFile_ReportsKG0012WithEveryMatch()
    {
        string dir1 = Directory.CreateTempSubdirectory("kg-a").FullName, dir2 = Directory.CreateTempSubdirectory("kg-b").FullName;
        File.WriteAllBytes(Path.Combine(dir1, "w.bin"), new byte[8]);
        File.WriteAllBytes(Path.Combine(dir2, "w.bin"), new byte[8]);
        string source = Model(Input, "[Dense(4, 2, Name = \"fc1\", WeightsFile = \"w.bin\", WeightScale = 1f, OutputScale = 1f)]");
        GeneratorRun run = GeneratorHarness.Run(source, new AdditionalText[]
        {
            new FileAdditionalText(Path.Combine(dir1, "w.bin")), new FileAdditionalText(Path.Combine(dir2, "w.bin")),
        });
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("KG0012", diagnostic.Id);
        Assert.Contains("matches 2 AdditionalFiles items", diagnostic.GetMessage());
    }

    [Fact]
    public void SeveralErrors_AreAllReportedInOneBuild()
    {
        string source = Model("QuantizedModel(4, InputScale = -1f, InputZeroPoint = 999)",
            "[Dense(4, 2, Name = \"fc1\", Weights = \"Nope\", WeightScale = 0f, OutputScale = 1f, OutputZeroPoint = 300)]");
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Equal(new[] { "KG0004", "KG0004", "KG0005", "KG0005", "KG0010" }, run.Diagnostics.Select(d => d.Id).OrderBy(i => i));
        Assert.Empty(run.Files);
    }

    [Fact]
    public void ContainingTypeNotPartial_ReportsKG0001()
    {
        string source = """
            using KernelGen;
            public class Outer
            {
                [QuantizedModel(4, InputScale = 1f)]
                [Dense(4, 2, Weights = nameof(W), WeightScale = 1f, OutputScale = 1f)]
                public partial class M { static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8 }; }
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Equal("KG0001", Assert.Single(run.Diagnostics).Id);
    }

    [Fact]
    public void CompilationWithoutHardwareIntrinsics_ReportsKG0018()
    {
        // Only KernelGen.Runtime is referenced, so System.Runtime.Intrinsics.X86.AvxVnni cannot be found.
        string source = Model(Input, $"[{Dense()}]");
        var compilation = CSharpCompilation.Create("NoIntrinsics",
            new[] { CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions) },
            new[] { MetadataReference.CreateFromFile(typeof(QuantizedModelAttribute).Assembly.Location) },
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        GeneratorDriverRunResult result = GeneratorHarness.Driver().RunGenerators(compilation).GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        Assert.Contains(result.Diagnostics, d => d.Id == "KG0018");
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void PlannerException_IsReportedAsKG9999InsteadOfThrown()
    {
        // A spec that parsing never produces (a null layer) makes the planner throw; the generator must turn that into
        // a diagnostic, because an exception from a generator breaks the user's build with a stack trace.
        var shape = new generator::KernelGen.Generator.Model.TypeShape("class", "Broken", generator::KernelGen.Generator.Model.EquatableArray<string>.Empty);
        var declaration = new generator::KernelGen.Generator.Model.ModelDeclaration(null,
            generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.TypeShape>.Empty, shape, "Broken",
            generator::KernelGen.Generator.Model.EquatableArray<string>.Empty, false, 1200);
        var spec = new generator::KernelGen.Generator.Model.ModelSpec(declaration, null,
            new generator::KernelGen.Generator.Model.InputSpec(4, generator::KernelGen.Generator.Model.EquatableArray<int>.Empty, 0, 1f, 0, 0, 0, null, generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.ArgumentLocation>.Empty),
            new generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.LayerSpec>(new generator::KernelGen.Generator.Model.LayerSpec[] { null! }),
            generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.DiagnosticInfo>.Empty);
        var inputs = new generator::KernelGen.Generator.Model.ModelInputs(spec,
            generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.FieldConstants>.Empty,
            generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.ConstantFile>.Empty);
        var plan = KernelGenGenerator.SafePlan(inputs, default);
        var diagnostic = Assert.Single(plan.Diagnostics).ToDiagnostic();
        Assert.Equal("KG9999", diagnostic.Id);
        Assert.Contains("Broken", diagnostic.GetMessage());
    }

    /// <summary>A layer kind that no op in the table handles, as a new op would be before its registration line.</summary>
    private sealed record UnregisteredLayer() : generator::KernelGen.Generator.Model.LayerSpec(0, "mystery", null,
        generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.ArgumentLocation>.Empty, generator::KernelGen.Generator.Model.EquatableArray<string>.Empty)
    {
        public override string Op => "Mystery";

        public override IEnumerable<generator::KernelGen.Generator.Model.ConstantSource> Constants() { yield break; }
    }

    private sealed record UnregisteredPlan() : generator::KernelGen.Generator.Planning.LayerPlan(0, "mystery", "Mystery",
        new generator::KernelGen.Generator.Model.EquatableArray<int>(new[] { 0 }), 1);

    [Fact]
    public void LayerKindWithoutAnOp_IsKG9999NamingTheLayer_NeverASilentlyMissingLayer()
    {
        var shape = new generator::KernelGen.Generator.Model.TypeShape("class", "M", generator::KernelGen.Generator.Model.EquatableArray<string>.Empty);
        var declaration = new generator::KernelGen.Generator.Model.ModelDeclaration(null,
            generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.TypeShape>.Empty, shape, "M",
            generator::KernelGen.Generator.Model.EquatableArray<string>.Empty, false, 1200);
        var spec = new generator::KernelGen.Generator.Model.ModelSpec(declaration, null,
            new generator::KernelGen.Generator.Model.InputSpec(4, generator::KernelGen.Generator.Model.EquatableArray<int>.Empty, 0, 1f, 0, 0, 0, null, generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.ArgumentLocation>.Empty),
            new generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.LayerSpec>(new generator::KernelGen.Generator.Model.LayerSpec[] { new UnregisteredLayer() }),
            generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.DiagnosticInfo>.Empty);
        var inputs = new generator::KernelGen.Generator.Model.ModelInputs(spec,
            generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.FieldConstants>.Empty,
            generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.ConstantFile>.Empty);
        Diagnostic planned = Assert.Single(KernelGenGenerator.SafePlan(inputs, default).Diagnostics).ToDiagnostic();
        Assert.Equal("KG9999", planned.Id);
        Assert.Contains("Mystery layer 'mystery'", planned.GetMessage());

        // The emitter likewise refuses a plan kind it has no op for (the generator reports that as KG9999 too).
        var vector = new generator::KernelGen.Generator.Model.EquatableArray<int>(new[] { 4 });
        var tensors = new generator::KernelGen.Generator.Planning.Tensor[]
        {
            new(0, "input", vector, generator::KernelGen.QuantType.UInt8, 1f, 0, "the model input"),
            new(1, "mystery", vector, generator::KernelGen.QuantType.UInt8, 1f, 0, "Mystery layer 'mystery'"),
        };
        var memory = generator::KernelGen.Generator.Planning.MemoryPlanner.Plan(
            new generator::KernelGen.Generator.Planning.LayerPlan[] { new UnregisteredPlan() }, new[] { 4, 4 });
        var plan = new generator::KernelGen.Generator.Planning.ModelPlan(declaration, new generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Planning.Tensor>(tensors),
            new generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Planning.LayerPlan>(new generator::KernelGen.Generator.Planning.LayerPlan[] { new UnregisteredPlan() }),
            memory, generator::KernelGen.TensorLayout.Nhwc, generator::KernelGen.RequantizationScheme.FixedPoint,
            generator::KernelGen.Generator.Model.EquatableArray<generator::KernelGen.Generator.Model.DiagnosticInfo>.Empty);
        var error = Assert.Throws<InvalidOperationException>(() => generator::KernelGen.Generator.Emitting.ModelEmitter.Emit(plan));
        Assert.Contains("layer 'mystery'", error.Message);
    }

    [Fact]
    public void EveryCatalogId_IsCoveredByATestAndListedInTheReadme()
    {
        string[] ids = typeof(KernelGenGenerator).Assembly.GetType("KernelGen.Generator.Diagnostics.DiagnosticDescriptors")!
            .GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .ToArray();
        // KG0023: HardeningTests; KG0100 comes from ConstantFieldWriteAnalyzer and is tested in ConstantFieldWriteAnalyzerTests.
        var tested = Cases.Select(c => (string)c[0]).Concat(new[] { "KG0018", "KG0023", "KG9999", "KG0100" }).ToHashSet();
        Assert.All(ids, id => Assert.Contains(id, tested));

        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        string unshipped = File.ReadAllText(Path.Combine(RepositoryRoot(), "generator", "KernelGen.Generator", "AnalyzerReleases.Unshipped.md"));
        Assert.All(ids, id => Assert.Contains($"| {id} |", readme));
        // Each help link points at the id's anchor in README's table.
        Assert.All(typeof(KernelGenGenerator).Assembly.GetType("KernelGen.Generator.Diagnostics.DiagnosticDescriptors")!
            .GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!), d =>
            {
                Assert.EndsWith("README.md#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
                Assert.Contains($"<a id=\"{d.Id.ToLowerInvariant()}\"></a>", readme);
            });
        Assert.All(ids, id => Assert.Contains(id + " |", unshipped));
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));

    private static IEnumerable<AdditionalText> Files()
    {
        string directory = Path.Combine(Path.GetTempPath(), "kernelgen-diagnostics");
        Directory.CreateDirectory(directory);
        string seven = Path.Combine(directory, "seven.bin");
        File.WriteAllBytes(seven, new byte[7]);
        return new[] { new FileAdditionalText(seven) };
    }
}
