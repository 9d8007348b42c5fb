using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen.Quantization;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// LinearQuantization against the ONNX backend node tests that Debian's libonnx-testdata ships
/// (/usr/share/libonnx-testdata/data/node): test_quantizelinear*, test_dequantizelinear*, and the QuantizeLinear step
/// of test_dynamicquantizelinear* (y = saturate(round(x / y_scale) + y_zero_point) with the case's own y_scale and
/// y_zero_point outputs). Cases whose types KernelGen does not support (float8, int4, 16-bit, float16 scales, blocked
/// quantization) are filtered out and listed; a missing package skips the tests with the install command, or fails them under CI=true.
/// </summary>
public sealed class OnnxQuantizeLinearTests
{
    public const string DefaultRoot = "/usr/share/libonnx-testdata/data/node";

    internal static string Root()
    {
        string root = Environment.GetEnvironmentVariable("KERNELGEN_ONNX_NODE_TESTS") ?? DefaultRoot;
        if (!Directory.Exists(root))
            ExternalOracle.Require($"The ONNX backend node tests are missing ({root}). Run: apt-get update && apt-get install -y libonnx-testdata.");
        return root;
    }

    internal static string[] Cases(string prefix)
        => Directory.GetDirectories(Root(), prefix + "*")
            .Where(d => !Path.GetFileName(d).EndsWith("_expanded", StringComparison.Ordinal))   // same data, op decomposed
            .OrderBy(d => d, StringComparer.Ordinal)
            .ToArray();

    internal sealed record DataSet(string Name, Dictionary<string, OnnxProto.Tensor> Inputs, Dictionary<string, OnnxProto.Tensor> Outputs);

    internal static List<DataSet> DataSets(string caseDirectory, OnnxProto.Graph graph)
    {
        var sets = new List<DataSet>();
        foreach (string directory in Directory.GetDirectories(caseDirectory, "test_data_set_*").OrderBy(d => d, StringComparer.Ordinal))
        {
            sets.Add(new DataSet(Path.GetFileName(directory),
                Load(directory, "input_", graph.Inputs),
                Load(directory, "output_", graph.Outputs)));
        }
        return sets;
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
            string name = tensor.Name.Length > 0 ? tensor.Name : names[i];
            tensors[name] = tensor;
        }
        return tensors;
    }

    internal static OnnxProto.Node SingleNode(OnnxProto.Model model, string opType, string caseName)
    {
        Assert.True(model.Graph.Nodes.Count == 1, $"{caseName}: expected one node, found {model.Graph.Nodes.Count}");
        OnnxProto.Node node = model.Graph.Nodes[0];
        Assert.Equal(opType, node.OpType);
        return node;
    }

    internal static long? IntAttribute(OnnxProto.Node node, string name) => node.Attributes.FirstOrDefault(a => a.Name == name)?.Int;

    /// <summary>Per-tensor: null. Per-axis: the channel of each element along the (normalized) axis.</summary>
    private static int[]? Channels(long[] dims, long parameterCount, long? axisAttribute)
    {
        if (parameterCount == 1)
            return null;
        int rank = dims.Length;
        int axis = (int)(axisAttribute ?? 1);
        if (axis < 0) axis += rank;
        Assert.InRange(axis, 0, rank - 1);
        Assert.Equal(dims[axis], parameterCount);
        long inner = 1;
        for (int d = axis + 1; d < rank; d++) inner *= dims[d];
        long total = dims.Aggregate(1L, (a, b) => a * b);
        var channels = new int[total];
        for (long i = 0; i < total; i++)
            channels[i] = (int)(i / inner % dims[axis]);
        return channels;
    }

    private static bool IsEightBit(int dataType) => dataType == OnnxProto.UInt8 || dataType == OnnxProto.Int8;

    private static QuantType Type(int dataType) => dataType == OnnxProto.Int8 ? QuantType.Int8 : QuantType.UInt8;

    /// <summary>Quantizes per tensor with the span overloads, per axis with the scalar one.</summary>
    private static int[] Quantize(float[] x, float[] scales, int[] zeroPoints, QuantType type, int[]? channels)
    {
        var result = new int[x.Length];
        if (channels is null)
        {
            if (type == QuantType.UInt8)
            {
                var bytes = new byte[x.Length];
                LinearQuantization.Quantize(x, scales[0], (byte)zeroPoints[0], bytes);
                for (int i = 0; i < x.Length; i++) result[i] = bytes[i];
            }
            else
            {
                var sbytes = new sbyte[x.Length];
                LinearQuantization.Quantize(x, scales[0], (sbyte)zeroPoints[0], sbytes);
                for (int i = 0; i < x.Length; i++) result[i] = sbytes[i];
            }
            return result;
        }
        for (int i = 0; i < x.Length; i++)
            result[i] = LinearQuantization.Quantize(x[i], scales[channels[i]], zeroPoints[channels[i]], type);
        return result;
    }

    private static float[] Dequantize(int[] q, float[] scales, int[] zeroPoints, QuantType type, int[]? channels)
    {
        var result = new float[q.Length];
        if (channels is null)
        {
            if (type == QuantType.UInt8)
                LinearQuantization.Dequantize(q.Select(v => (byte)v).ToArray(), scales[0], (byte)zeroPoints[0], result);
            else
                LinearQuantization.Dequantize(q.Select(v => (sbyte)v).ToArray(), scales[0], (sbyte)zeroPoints[0], result);
            return result;
        }
        for (int i = 0; i < q.Length; i++)
            result[i] = LinearQuantization.Dequantize(q[i], scales[channels[i]], zeroPoints[channels[i]]);
        return result;
    }

    private static string Report(List<string> ran, List<string> skipped)
        => $"ran: [{string.Join(", ", ran)}]; skipped: [{string.Join(", ", skipped)}]";

    [SkippableFact]
    public void QuantizeLinear_MatchesOnnxBackendCases()
    {
        var ran = new List<string>();
        var skipped = new List<string>();
        bool perTensor = false, perAxis = false;
        foreach (string directory in Cases("test_quantizelinear"))
        {
            string caseName = Path.GetFileName(directory);
            OnnxProto.Model model = OnnxProto.ReadModelFile(Path.Combine(directory, "model.onnx"));
            OnnxProto.Node node = SingleNode(model, "QuantizeLinear", caseName);
            if (IntAttribute(node, "block_size") is long blockSize && blockSize != 0)
            {
                skipped.Add($"{caseName} (blocked)");
                continue;
            }
            foreach (DataSet set in DataSets(directory, model.Graph))
            {
                OnnxProto.Tensor x = set.Inputs[node.Inputs[0]];
                OnnxProto.Tensor scale = set.Inputs[node.Inputs[1]];
                OnnxProto.Tensor? zeroPoint = node.Inputs.Count > 2 && node.Inputs[2].Length > 0 ? set.Inputs[node.Inputs[2]] : null;
                OnnxProto.Tensor y = set.Outputs[node.Outputs[0]];
                if (x.DataType != OnnxProto.Float || scale.DataType != OnnxProto.Float || !IsEightBit(y.DataType)
                    || (zeroPoint is not null && zeroPoint.DataType != y.DataType) || x.External || y.External)
                {
                    skipped.Add($"{caseName} (x {x.DataType}, scale {scale.DataType}, y {y.DataType})");
                    continue;
                }

                float[] xs = x.Floats();
                float[] scales = scale.Floats();
                int[] zeroPoints = zeroPoint?.EightBitValues() ?? new int[scales.Length];
                int[]? channels = Channels(x.Dims, scales.Length, IntAttribute(node, "axis"));
                int[] expected = y.EightBitValues();
                Assert.Equal(x.Dims, y.Dims);
                Assert.Equal(xs.Length, expected.Length);
                Assert.Equal(scales.Length, zeroPoints.Length);

                int[] actual = Quantize(xs, scales, zeroPoints, Type(y.DataType), channels);
                for (int i = 0; i < expected.Length; i++)
                {
                    if (actual[i] != expected[i])
                    {
                        int c = channels?[i] ?? 0;
                        Assert.Fail($"{caseName}/{set.Name} element {i}: QuantizeLinear({xs[i]:R}, scale {scales[c]:R}, zero point {zeroPoints[c]}) " +
                            $"= {actual[i]}, ONNX {expected[i]}");
                    }
                }
                perTensor |= channels is null;
                perAxis |= channels is not null;
                ran.Add($"{caseName}/{set.Name} ({expected.Length} values)");
            }
        }
        Assert.True(ran.Count >= 2 && perTensor && perAxis, "Too few QuantizeLinear cases ran: " + Report(ran, skipped));
    }

    [SkippableFact]
    public void DequantizeLinear_MatchesOnnxBackendCasesBitForBit()
    {
        var ran = new List<string>();
        var skipped = new List<string>();
        bool perTensor = false, perAxis = false;
        foreach (string directory in Cases("test_dequantizelinear"))
        {
            string caseName = Path.GetFileName(directory);
            OnnxProto.Model model = OnnxProto.ReadModelFile(Path.Combine(directory, "model.onnx"));
            OnnxProto.Node node = SingleNode(model, "DequantizeLinear", caseName);
            if (IntAttribute(node, "block_size") is long blockSize && blockSize != 0)
            {
                skipped.Add($"{caseName} (blocked)");
                continue;
            }
            foreach (DataSet set in DataSets(directory, model.Graph))
            {
                OnnxProto.Tensor x = set.Inputs[node.Inputs[0]];
                OnnxProto.Tensor scale = set.Inputs[node.Inputs[1]];
                OnnxProto.Tensor? zeroPoint = node.Inputs.Count > 2 && node.Inputs[2].Length > 0 ? set.Inputs[node.Inputs[2]] : null;
                OnnxProto.Tensor y = set.Outputs[node.Outputs[0]];
                if (!IsEightBit(x.DataType) || scale.DataType != OnnxProto.Float || y.DataType != OnnxProto.Float
                    || (zeroPoint is not null && zeroPoint.DataType != x.DataType) || x.External || y.External)
                {
                    skipped.Add($"{caseName} (x {x.DataType}, scale {scale.DataType}, y {y.DataType})");
                    continue;
                }

                int[] xs = x.EightBitValues();
                float[] scales = scale.Floats();
                int[] zeroPoints = zeroPoint?.EightBitValues() ?? new int[scales.Length];
                int[]? channels = Channels(x.Dims, scales.Length, IntAttribute(node, "axis"));
                float[] expected = y.Floats();
                Assert.Equal(x.Dims, y.Dims);
                Assert.Equal(xs.Length, expected.Length);

                float[] actual = Dequantize(xs, scales, zeroPoints, Type(x.DataType), channels);
                for (int i = 0; i < expected.Length; i++)
                {
                    if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                    {
                        int c = channels?[i] ?? 0;
                        Assert.Fail($"{caseName}/{set.Name} element {i}: DequantizeLinear({xs[i]}, scale {scales[c]:R}, zero point {zeroPoints[c]}) " +
                            $"= {actual[i]:R}, ONNX {expected[i]:R}");
                    }
                }
                perTensor |= channels is null;
                perAxis |= channels is not null;
                ran.Add($"{caseName}/{set.Name} ({expected.Length} values)");
            }
        }
        Assert.True(ran.Count >= 2 && perTensor && perAxis, "Too few DequantizeLinear cases ran: " + Report(ran, skipped));
    }

    [SkippableFact]
    public void DynamicQuantizeLinear_QuantizeStepMatchesOnnxBackendCases()
    {
        var ran = new List<string>();
        foreach (string directory in Cases("test_dynamicquantizelinear"))
        {
            string caseName = Path.GetFileName(directory);
            OnnxProto.Model model = OnnxProto.ReadModelFile(Path.Combine(directory, "model.onnx"));
            OnnxProto.Node node = SingleNode(model, "DynamicQuantizeLinear", caseName);
            foreach (DataSet set in DataSets(directory, model.Graph))
            {
                float[] xs = set.Inputs[node.Inputs[0]].Floats();
                OnnxProto.Tensor y = set.Outputs[node.Outputs[0]];
                float[] scale = set.Outputs[node.Outputs[1]].Floats();
                int[] zeroPoint = set.Outputs[node.Outputs[2]].EightBitValues();
                Assert.Equal(OnnxProto.UInt8, y.DataType);
                Assert.Single(scale);
                Assert.Single(zeroPoint);
                int[] expected = y.EightBitValues();
                int[] actual = Quantize(xs, scale, zeroPoint, QuantType.UInt8, channels: null);
                for (int i = 0; i < expected.Length; i++)
                {
                    if (actual[i] != expected[i])
                        Assert.Fail($"{caseName}/{set.Name} element {i}: QuantizeLinear({xs[i]:R}, scale {scale[0]:R}, zero point {zeroPoint[0]}) = {actual[i]}, ONNX {expected[i]}");
                }
                ran.Add($"{caseName}/{set.Name} ({expected.Length} values)");
            }
        }
        Assert.True(ran.Count >= 3, "Too few DynamicQuantizeLinear cases ran: " + string.Join(", ", ran));
    }

    [SkippableFact]
    public void TensorReader_ParsesPackedUnpackedAndRawEncodings()
    {
        // dims [2, 3] packed; data_type FLOAT; float_data packed [1.5, -2]; name "t"; an unknown doc_string (12) skipped.
        byte[] packed =
        {
            0x0A, 0x02, 0x02, 0x03,
            0x10, 0x01,
            0x22, 0x08, 0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0,
            0x42, 0x01, (byte)'t',
            0x62, 0x02, (byte)'h', (byte)'i',
        };
        OnnxProto.Tensor a = OnnxProto.ReadTensor(packed);
        Assert.Equal("t", a.Name);
        Assert.Equal(new long[] { 2, 3 }, a.Dims);
        Assert.Equal(OnnxProto.Float, a.DataType);
        Assert.Equal(new[] { 1.5f, -2f }, a.Floats());

        // dims 4 and 1 unpacked; data_type INT8; int32_data unpacked [-1 (ten-byte varint), 5].
        byte[] unpacked =
        {
            0x08, 0x04, 0x08, 0x01,
            0x10, 0x03,
            0x28, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
            0x28, 0x05,
        };
        OnnxProto.Tensor b = OnnxProto.ReadTensor(unpacked);
        Assert.Equal(new long[] { 4, 1 }, b.Dims);
        Assert.Equal(new[] { -1, 5 }, b.EightBitValues());

        // data_type INT8 with raw_data [0x80, 0x7F, 0x01]; dims [3] (300 as a two-byte varint elsewhere is not needed).
        byte[] raw = { 0x0A, 0x01, 0x03, 0x10, 0x03, 0x4A, 0x03, 0x80, 0x7F, 0x01 };
        Assert.Equal(new[] { -128, 127, 1 }, OnnxProto.ReadTensor(raw).EightBitValues());
        // The same bytes as UINT8.
        raw[4] = 0x02;
        Assert.Equal(new[] { 128, 127, 1 }, OnnxProto.ReadTensor(raw).EightBitValues());

        // Truncated length is rejected, not read past the end.
        Assert.Throws<InvalidDataException>(() => OnnxProto.ReadTensor(new byte[] { 0x4A, 0x05, 0x00 }));
    }
}
