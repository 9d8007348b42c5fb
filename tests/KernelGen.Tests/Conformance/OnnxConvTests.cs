using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using KernelGen.Tests.Generator;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// [Conv2D] against the ONNX backend node tests (libonnx-testdata): test_qlinearconv (float scheme, as ONNX Runtime) and
/// ConvInteger (OutputType = Int32) with and without padding. Each case becomes a KernelGen declaration (NCHW input and
/// output transposed to NHWC, OIHW weights to OHWI by the test), is generated, compiled and run on every path: exact.
/// </summary>
public sealed class OnnxConvTests
{
    public static TheoryData<string> Cases => new() { "test_qlinearconv", "test_convinteger_with_padding", "test_convinteger_without_padding", "test_basic_convinteger" };

    private static string Root()
    {
        string root = Environment.GetEnvironmentVariable("KERNELGEN_ONNX_NODE_TESTS") ?? OnnxQuantizeLinearTests.DefaultRoot;
        if (!Directory.Exists(root))
            ExternalOracle.Require($"The ONNX backend node tests are missing ({root}). Run: apt-get update && apt-get install -y libonnx-testdata.");
        return root;
    }

    private static Dictionary<string, OnnxProto.Tensor> Load(string directory, string prefix, List<string> names)
    {
        var tensors = new Dictionary<string, OnnxProto.Tensor>();
        for (int i = 0; ; i++)
        {
            string path = Path.Combine(directory, $"{prefix}{i}.pb");
            if (!File.Exists(path))
                break;
            OnnxProto.Tensor tensor = OnnxProto.ReadTensorFile(path);
            tensors[tensor.Name.Length > 0 ? tensor.Name : names[i]] = tensor;
        }
        return tensors;
    }

    private static int[] Int32s(OnnxProto.Tensor t)
    {
        if (t.RawData.Length == 0) return t.Int32Data;
        var values = new int[t.RawData.Length / 4];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(t.RawData.AsSpan(4 * i));
        return values;
    }

    private static string TypeName(int dataType) => dataType == OnnxProto.Int8 ? "Int8" : "UInt8";

    private static string F(float v) => Conv2DKernelTests.F(v);

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxNodeTest_GeneratedConv2D_IsExact(string caseName)
    {
        string directory = Path.Combine(Root(), caseName);
        if (!Directory.Exists(directory))
            ExternalOracle.Require($"{directory} is missing from libonnx-testdata.");
        OnnxProto.Model model = OnnxProto.ReadModelFile(Path.Combine(directory, "model.onnx"));
        OnnxProto.Node node = Assert.Single(model.Graph.Nodes);
        bool qlinear = node.OpType == "QLinearConv";
        Assert.True(qlinear || node.OpType == "ConvInteger", node.OpType);
        Assert.DoesNotContain(node.Attributes, a => a.Name == "auto_pad");
        long[] Ints(string name, long[] fallback) => node.Attributes.FirstOrDefault(a => a.Name == name)?.Ints is { Length: > 0 } v ? v : fallback;
        long group = node.Attributes.FirstOrDefault(a => a.Name == "group")?.Int ?? 1;

        int checkedSets = 0;
        foreach (string set in Directory.GetDirectories(directory, "test_data_set_*").OrderBy(d => d, StringComparer.Ordinal))
        {
            Dictionary<string, OnnxProto.Tensor> inputs = Load(set, "input_", model.Graph.Inputs);
            OnnxProto.Tensor expectedTensor = Load(set, "output_", model.Graph.Outputs).Values.Single();
            OnnxProto.Tensor? Input(int i) => i < node.Inputs.Count && node.Inputs[i].Length > 0 ? inputs[node.Inputs[i]] : null;

            OnnxProto.Tensor x = Input(0)!;
            OnnxProto.Tensor w = Input(qlinear ? 3 : 1)!;
            int n = (int)x.Dims[0], c = (int)x.Dims[1], h = (int)x.Dims[2], wd = (int)x.Dims[3];
            int m = (int)w.Dims[0], cg = (int)w.Dims[1], kh = (int)w.Dims[2], kw = (int)w.Dims[3];
            long[] pads = Ints("pads", new long[4]);
            long[] strides = Ints("strides", new long[] { 1, 1 });
            long[] dilations = Ints("dilations", new long[] { 1, 1 });

            int[] xv = x.EightBitValues(), wv = w.EightBitValues();
            float inputScale = 1f, outputScale = 1f;
            int inputZero = 0, outputZero = 0;
            float[] weightScales = { 1f };
            int[] weightZeros = { 0 };
            int[]? bias = null;
            if (qlinear)
            {
                inputScale = Input(1)!.Floats()[0];
                inputZero = Input(2)!.EightBitValues()[0];
                weightScales = Input(4)!.Floats();
                weightZeros = Input(5)!.EightBitValues();
                outputScale = Input(6)!.Floats()[0];
                outputZero = Input(7)!.EightBitValues()[0];
                if (Input(8) is { } b) bias = Int32s(b);
            }
            else
            {
                if (Input(2) is { } xz) inputZero = xz.EightBitValues()[0];
                if (Input(3) is { } wz) weightZeros = wz.EightBitValues();
            }

            // OIHW -> OHWI.
            var ohwi = new int[wv.Length];
            for (int o = 0; o < m; o++)
                for (int ci = 0; ci < cg; ci++)
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++)
                            ohwi[((o * kh + i) * kw + j) * cg + ci] = wv[((o * cg + ci) * kh + i) * kw + j];

            string weightType = TypeName(w.DataType);
            var args = new List<string>
            {
                $"KernelGen.Conv2D({m}, {kh}, {kw}, Weights = nameof(W)",
                $"WeightType = KernelGen.QuantType.{weightType}",
                $"Pads = new[] {{ {pads[0]}, {pads[1]}, {pads[2]}, {pads[3]} }}",
                $"Strides = new[] {{ {strides[0]}, {strides[1]} }}",
                $"Dilations = new[] {{ {dilations[0]}, {dilations[1]} }}",
                $"Groups = {group}",
                weightZeros.Length == 1 ? $"WeightZeroPoint = {weightZeros[0]}" : $"WeightZeroPoints = new[] {{ {string.Join(", ", weightZeros)} }}",
            };
            if (qlinear)
            {
                args.Add(weightScales.Length == 1 ? $"WeightScale = {F(weightScales[0])}" : $"WeightScales = new[] {{ {string.Join(", ", weightScales.Select(F))} }}");
                args.Add($"OutputScale = {F(outputScale)}");
                args.Add($"OutputZeroPoint = {outputZero}");
                args.Add($"OutputType = KernelGen.QuantType.{TypeName(expectedTensor.DataType)}");
                if (bias is not null) args.Add("Bias = nameof(B)");
            }
            else
            {
                args.Add("OutputType = KernelGen.QuantType.Int32");
            }
            string inputType = TypeName(x.DataType);
            var source = new StringBuilder();
            source.Append("namespace Onnx;\n");
            source.Append($"[KernelGen.QuantizedModel({h}, {wd}, {c}, ActivationType = KernelGen.QuantType.{inputType}, InputScale = {F(inputScale)}, InputZeroPoint = {inputZero}, Requantization = KernelGen.RequantizationScheme.Float)]\n");
            source.Append('[').Append(string.Join(", ", args)).Append(")]\n");
            source.Append("public partial class M\n{\n");
            source.Append($"    static readonly {(weightType == "Int8" ? "sbyte" : "byte")}[] W = {{ {string.Join(", ", ohwi)} }};\n");
            if (qlinear && bias is not null)
                source.Append($"    static readonly int[] B = {{ {string.Join(", ", bias)} }};\n");
            source.Append("}\n");

            GeneratorRun run = GeneratorHarness.Run(source.ToString());
            Assert.Empty(run.Diagnostics);
            Assert.Empty(run.CompileErrors);

            // NCHW -> NHWC input rows.
            var input = new byte[xv.Length];
            for (int b = 0; b < n; b++)
                for (int ci = 0; ci < c; ci++)
                    for (int y = 0; y < h; y++)
                        for (int xx = 0; xx < wd; xx++)
                            input[((b * h + y) * wd + xx) * c + ci] = unchecked((byte)xv[((b * c + ci) * h + y) * wd + xx]);

            // Expected output, NCHW -> NHWC raw bytes.
            int oh = (int)expectedTensor.Dims[2], ow = (int)expectedTensor.Dims[3];
            int[] ev = expectedTensor.DataType == OnnxProto.Int32 ? Int32s(expectedTensor) : expectedTensor.EightBitValues();
            int elementBytes = expectedTensor.DataType == OnnxProto.Int32 ? 4 : 1;
            var expected = new byte[ev.Length * elementBytes];
            for (int b = 0; b < n; b++)
                for (int o = 0; o < m; o++)
                    for (int y = 0; y < oh; y++)
                        for (int xx = 0; xx < ow; xx++)
                        {
                            int value = ev[((b * m + o) * oh + y) * ow + xx];
                            int at = (((b * oh + y) * ow + xx) * m + o) * elementBytes;
                            if (elementBytes == 4) BinaryPrimitives.WriteInt32LittleEndian(expected.AsSpan(at), value);
                            else expected[at] = unchecked((byte)value);
                        }

            foreach (PinnedPath path in new[] { PinnedPath.Native, PinnedPath.EmulatedVnni, PinnedPath.Avx2, PinnedPath.Scalar })
            {
                if (!ModelLoader.CanRun(path))
                    continue;
                Assembly assembly = ModelLoader.Load(run, new[] { source.ToString() }, path);
                Type type = assembly.GetType("Onnx.M", throwOnError: true)!;
                var actual = new byte[expected.Length];
                Conv2DKernelTests.Invoke(type.GetMethods().Single(mi => mi.Name == "Run" && mi.GetParameters().Length == 2), input, actual);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{caseName} on {path}: Run differs from ONNX's output");
                var declared = new byte[expected.Length];
                Conv2DKernelTests.Invoke(type.GetMethod("RunReference")!, input, declared);
                Assert.True(expected.AsSpan().SequenceEqual(declared), $"{caseName}: RunReference differs from ONNX's output");
            }
            checkedSets++;
        }
        Assert.True(checkedSets > 0, $"{caseName} has no test data sets");
    }
}
