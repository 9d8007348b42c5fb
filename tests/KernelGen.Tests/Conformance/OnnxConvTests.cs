using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen.Reference;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// The convolution and pool reference layers against the ONNX backend node tests that Debian's libonnx-testdata ships
/// (/usr/share/libonnx-testdata/data/node): test_qlinearconv (requantized in <see cref="RequantizationScheme.Float"/>, as
/// the ONNX reference and ONNX Runtime compute it), test_basic_convinteger, test_convinteger_with_padding and
/// test_convinteger_without_padding (Int32 output), and test_maxpool_2d_uint8. Each case's node attributes (kernel_shape,
/// strides, dilations, pads, group, auto_pad) and tensors are read from the files; NCHW data and OIHW weights are
/// transposed to the layers' NHWC and OHWI here, every output value is compared exactly. A missing package skips the
/// tests with the install command, or fails them under CI=true.
/// </summary>
public sealed class OnnxConvTests
{
    private static string CaseDirectory(string name)
    {
        string root = Environment.GetEnvironmentVariable("KERNELGEN_ONNX_NODE_TESTS") ?? OnnxQuantizeLinearTests.DefaultRoot;
        if (!Directory.Exists(root))
            ExternalOracle.Require($"The ONNX backend node tests are missing ({root}). Run: apt-get update && apt-get install -y libonnx-testdata.");
        string directory = Path.Combine(root, name);
        Assert.True(Directory.Exists(directory), $"{directory} is missing from the ONNX node tests");
        return directory;
    }

    /// <summary>One test_data_set_N of a case: its tensors by name (the file's name, or the graph's input / output name in order).</summary>
    private sealed record DataSet(string Name, Dictionary<string, OnnxProto.Tensor> Inputs, Dictionary<string, OnnxProto.Tensor> Outputs);

    private static (OnnxProto.Node Node, List<DataSet> Sets) Load(string caseName, string opType)
    {
        string directory = CaseDirectory(caseName);
        OnnxProto.Model model = OnnxProto.ReadModelFile(Path.Combine(directory, "model.onnx"));
        Assert.True(model.Graph.Nodes.Count == 1, $"{caseName}: expected one node, found {model.Graph.Nodes.Count}");
        OnnxProto.Node node = model.Graph.Nodes[0];
        Assert.Equal(opType, node.OpType);
        var sets = new List<DataSet>();
        foreach (string set in Directory.GetDirectories(directory, "test_data_set_*").OrderBy(d => d, StringComparer.Ordinal))
            sets.Add(new DataSet(Path.GetFileName(set), Tensors(set, "input_", model.Graph.Inputs), Tensors(set, "output_", model.Graph.Outputs)));
        Assert.NotEmpty(sets);
        return (node, sets);
    }

    private static Dictionary<string, OnnxProto.Tensor> Tensors(string directory, string prefix, List<string> names)
    {
        var tensors = new Dictionary<string, OnnxProto.Tensor>();
        for (int i = 0; File.Exists(Path.Combine(directory, $"{prefix}{i}.pb")); i++)
        {
            OnnxProto.Tensor tensor = OnnxProto.ReadTensorFile(Path.Combine(directory, $"{prefix}{i}.pb"));
            Assert.False(tensor.External, $"{directory}/{prefix}{i}.pb: external data");
            tensors[tensor.Name.Length > 0 ? tensor.Name : names[i]] = tensor;
        }
        return tensors;
    }

    /// <summary>Node input <paramref name="index"/> from the data set; null when the node leaves the optional input out.
    /// (These cases feed every input as a graph input; an initializer would fail here, not be skipped.)</summary>
    private static OnnxProto.Tensor? Input(OnnxProto.Node node, DataSet set, int index)
    {
        if (index >= node.Inputs.Count || node.Inputs[index].Length == 0)
            return null;
        Assert.True(set.Inputs.TryGetValue(node.Inputs[index], out OnnxProto.Tensor? tensor),
            $"{set.Name}: input {node.Inputs[index]} is not a graph input (initializers are not read)");
        return tensor;
    }

    private static OnnxProto.Attribute? Attribute(OnnxProto.Node node, string name) => node.Attributes.FirstOrDefault(a => a.Name == name);

    private static int[] Ints(OnnxProto.Node node, string name, int[] fallback)
    {
        OnnxProto.Attribute? attribute = Attribute(node, name);
        return attribute is null ? fallback : attribute.Ints.Select(v => checked((int)v)).ToArray();
    }

    private static QuantType Type(OnnxProto.Tensor tensor) => tensor.DataType switch
    {
        OnnxProto.UInt8 => QuantType.UInt8,
        OnnxProto.Int8 => QuantType.Int8,
        _ => throw new InvalidDataException($"{tensor.Name}: data_type {tensor.DataType} is not 8-bit"),
    };

    private static byte[] Bytes(OnnxProto.Tensor tensor) => tensor.EightBitValues().Select(v => unchecked((byte)v)).ToArray();

    private static int[] Int32s(OnnxProto.Tensor tensor)
    {
        if (tensor.DataType != OnnxProto.Int32) throw new InvalidDataException($"{tensor.Name}: data_type {tensor.DataType} is not INT32");
        if (tensor.RawData.Length == 0) return tensor.Int32Data;
        var values = new int[tensor.RawData.Length / 4];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(tensor.RawData.AsSpan(4 * i));
        return values;
    }

    /// <summary>Image <paramref name="n"/> of an NCHW tensor as NHWC bytes.</summary>
    private static byte[] Nhwc(byte[] nchw, int n, int channels, int height, int width)
    {
        var nhwc = new byte[channels * height * width];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    nhwc[(y * width + x) * channels + c] = nchw[((n * channels + c) * height + y) * width + x];
        return nhwc;
    }

    /// <summary>OIHW [O, I, kh, kw] weights as OHWI [O, kh, kw, I].</summary>
    private static byte[] Ohwi(byte[] oihw, int outputs, int inputs, int kernelHeight, int kernelWidth)
    {
        var ohwi = new byte[oihw.Length];
        for (int o = 0; o < outputs; o++)
            for (int c = 0; c < inputs; c++)
                for (int i = 0; i < kernelHeight; i++)
                    for (int j = 0; j < kernelWidth; j++)
                        ohwi[((o * kernelHeight + i) * kernelWidth + j) * inputs + c] = oihw[((o * inputs + c) * kernelHeight + i) * kernelWidth + j];
        return ohwi;
    }

    /// <summary>Explicit {top, left, bottom, right} from pads and auto_pad (ONNX Conv / pools, 2-D).</summary>
    private static int[] Pads(OnnxProto.Node node, int height, int width, int[] kernel, int[] strides, int[] dilations)
    {
        string autoPad = Attribute(node, "auto_pad")?.String ?? "NOTSET";
        switch (autoPad)
        {
            case "NOTSET":
                int[] pads = Ints(node, "pads", new int[4]);   // [x1_begin, x2_begin, x1_end, x2_end] = {top, left, bottom, right}
                Assert.Equal(4, pads.Length);
                return pads;
            case "VALID":
                return new int[4];
            case "SAME_UPPER":
            case "SAME_LOWER":
                ConvolutionGeometry.SamePadding(height, kernel[0], strides[0], dilations[0], out int top, out int bottom);
                ConvolutionGeometry.SamePadding(width, kernel[1], strides[1], dilations[1], out int left, out int right);
                // SAME_LOWER puts the odd one at the beginning.
                return autoPad == "SAME_UPPER" ? new[] { top, left, bottom, right } : new[] { bottom, right, top, left };
            default:
                throw new InvalidDataException($"auto_pad {autoPad}");
        }
    }

    private sealed record ConvCase(string Name, int Values);

    /// <summary>Runs a QLinearConv (requantized, float scheme) or ConvInteger (Int32) node on every data set of a case
    /// through <see cref="Conv2DReferenceLayer"/> and compares every output value.</summary>
    private static ConvCase RunConvolution(string caseName)
    {
        bool integer = caseName.Contains("convinteger", StringComparison.Ordinal);
        (OnnxProto.Node node, List<DataSet> sets) = Load(caseName, integer ? "ConvInteger" : "QLinearConv");
        int compared = 0;
        foreach (DataSet set in sets)
        {
            // QLinearConv: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B?
            // ConvInteger: x, w, x_zero_point?, w_zero_point?
            OnnxProto.Tensor x = Input(node, set, 0)!;
            OnnxProto.Tensor w = Input(node, set, integer ? 1 : 3)!;
            OnnxProto.Tensor? xZeroPoint = Input(node, set, integer ? 2 : 2);
            OnnxProto.Tensor? wZeroPoint = Input(node, set, integer ? 3 : 5);
            OnnxProto.Tensor y = set.Outputs[node.Outputs[0]];
            Assert.Equal(4, x.Dims.Length);
            Assert.Equal(4, w.Dims.Length);
            int batch = (int)x.Dims[0], channels = (int)x.Dims[1], height = (int)x.Dims[2], width = (int)x.Dims[3];
            int outputs = (int)w.Dims[0], groupInputs = (int)w.Dims[1], kernelHeight = (int)w.Dims[2], kernelWidth = (int)w.Dims[3];
            int group = (int)(Attribute(node, "group")?.Int ?? 1);
            Assert.Equal(channels, groupInputs * group);
            int[] kernel = Ints(node, "kernel_shape", new[] { kernelHeight, kernelWidth });
            Assert.Equal(new[] { kernelHeight, kernelWidth }, kernel);
            int[] strides = Ints(node, "strides", new[] { 1, 1 });
            int[] dilations = Ints(node, "dilations", new[] { 1, 1 });
            int[] pads = Pads(node, height, width, kernel, strides, dilations);

            QuantType inputType = Type(x), weightType = Type(w);
            int inputZeroPoint = xZeroPoint is null ? 0 : xZeroPoint.EightBitValues().Single();
            int[] weightZeroPoints = wZeroPoint is null ? new[] { 0 } : wZeroPoint.EightBitValues();
            byte[] weights = Ohwi(Bytes(w), outputs, groupInputs, kernelHeight, kernelWidth);

            Conv2DReferenceLayer layer;
            if (integer)
            {
                Assert.Equal(OnnxProto.Int32, y.DataType);
                // ConvInteger has no scales: the layer ignores them for an Int32 output.
                layer = new Conv2DReferenceLayer(height, width, channels, outputs, kernelHeight, kernelWidth, strides, dilations, pads,
                    group, inputType, 1f, inputZeroPoint, weightType, weights, new[] { 1f }, weightZeroPoints, null, 1f, 0,
                    Activation.None, outputType: QuantType.Int32);
            }
            else
            {
                float inputScale = Input(node, set, 1)!.Floats().Single();
                float[] weightScales = Input(node, set, 4)!.Floats();
                float outputScale = Input(node, set, 6)!.Floats().Single();
                OnnxProto.Tensor yZeroPoint = Input(node, set, 7)!;
                OnnxProto.Tensor? bias = Input(node, set, 8);
                Assert.Equal(yZeroPoint.DataType, y.DataType);
                // ONNX QLinearConv: w_scale of shape [O] is per output channel, of one element per tensor (a one-element
                // array is per tensor, as the layer reads it by default; the float scheme computes both the same way).
                layer = new Conv2DReferenceLayer(height, width, channels, outputs, kernelHeight, kernelWidth, strides, dilations, pads,
                    group, inputType, inputScale, inputZeroPoint, weightType, weights, weightScales, weightZeroPoints,
                    bias is null ? null : Int32s(bias), outputScale, yZeroPoint.EightBitValues().Single(), Activation.None,
                    scheme: RequantizationScheme.Float, outputType: Type(y));
            }
            Assert.Equal(new long[] { batch, outputs, layer.OutputHeight, layer.OutputWidth }, y.Dims);
            int[] expected = integer ? Int32s(y) : y.EightBitValues();
            byte[] input = Bytes(x);

            for (int n = 0; n < batch; n++)
            {
                var output = new byte[layer.OutputBytes];
                layer.Run(new[] { Nhwc(input, n, channels, height, width) }, output);
                for (int o = 0; o < outputs; o++)
                {
                    for (int oy = 0; oy < layer.OutputHeight; oy++)
                    {
                        for (int ox = 0; ox < layer.OutputWidth; ox++)
                        {
                            int index = (oy * layer.OutputWidth + ox) * outputs + o;
                            int actual = integer
                                ? BinaryPrimitives.ReadInt32LittleEndian(output.AsSpan(4 * index))
                                : ReferenceOps.Value(output[index], layer.OutputType);
                            int onnx = expected[((n * outputs + o) * layer.OutputHeight + oy) * layer.OutputWidth + ox];
                            Assert.True(actual == onnx, $"{caseName}/{set.Name} y[{n}, {o}, {oy}, {ox}] = {actual}, ONNX {onnx}");
                            compared++;
                        }
                    }
                }
            }
        }
        return new ConvCase(caseName, compared);
    }

    [SkippableFact]
    public void QLinearConv_MatchesOnnxBackendCaseInFloatScheme()
    {
        // x 1x1x7x7 uint8 (scale 0.00369..., zp 132), w 1x1x1x1 uint8 = 0 with zp 255 (so w - zp = -255), y scale 0.00162...,
        // zp 123: y = 123 + round_half_even((float)((x - 132) * -255) * (x_scale * w_scale / y_scale)).
        ConvCase result = RunConvolution("test_qlinearconv");
        Assert.Equal(49, result.Values);
    }

    [SkippableTheory]
    [InlineData("test_basic_convinteger", 4)]
    [InlineData("test_convinteger_without_padding", 4)]
    [InlineData("test_convinteger_with_padding", 16)]
    public void ConvInteger_MatchesOnnxBackendCases(string caseName, int values)
    {
        // x 1x1x3x3 uint8 [2..10] with x_zero_point 1, w 1x1x2x2 uint8 all 1; with_padding has pads 1 on every side.
        ConvCase result = RunConvolution(caseName);
        Assert.Equal(values, result.Values);
    }

    [SkippableFact]
    public void MaxPool_MatchesOnnxBackendUInt8Case()
    {
        // x 1x1x5x5 uint8 [1..25], kernel_shape 5x5, pads 2 on every side, strides 1 (ONNX's default): each output is the
        // max of the in-bounds part of a 5x5 window centred on it.
        (OnnxProto.Node node, List<DataSet> sets) = Load("test_maxpool_2d_uint8", "MaxPool");
        Assert.Equal(0, Attribute(node, "ceil_mode")?.Int ?? 0);
        Assert.Null(Attribute(node, "dilations"));
        Assert.Null(Attribute(node, "storage_order"));
        int compared = 0;
        foreach (DataSet set in sets)
        {
            OnnxProto.Tensor x = Input(node, set, 0)!;
            OnnxProto.Tensor y = set.Outputs[node.Outputs[0]];
            int batch = (int)x.Dims[0], channels = (int)x.Dims[1], height = (int)x.Dims[2], width = (int)x.Dims[3];
            int[] kernel = Ints(node, "kernel_shape", Array.Empty<int>());
            Assert.Equal(2, kernel.Length);
            int[] strides = Ints(node, "strides", new[] { 1, 1 });   // ONNX's default, not the window
            int[] pads = Pads(node, height, width, kernel, strides, new[] { 1, 1 });
            // A max pool on raw uint8 values: no quantization, so scale 1 and zero point 0 in and out (no rescale).
            var layer = new MaxPoolReferenceLayer(height, width, channels, kernel[0], kernel[1], strides, pads, Type(x), 1f, 0, 1f, 0);
            Assert.Equal(new long[] { batch, channels, layer.OutputHeight, layer.OutputWidth }, y.Dims);
            int[] expected = y.EightBitValues();
            byte[] input = Bytes(x);
            for (int n = 0; n < batch; n++)
            {
                var output = new byte[layer.OutputBytes];
                layer.Run(new[] { Nhwc(input, n, channels, height, width) }, output);
                for (int c = 0; c < channels; c++)
                    for (int oy = 0; oy < layer.OutputHeight; oy++)
                        for (int ox = 0; ox < layer.OutputWidth; ox++)
                        {
                            int actual = output[(oy * layer.OutputWidth + ox) * channels + c];
                            int onnx = expected[((n * channels + c) * layer.OutputHeight + oy) * layer.OutputWidth + ox];
                            Assert.True(actual == onnx, $"test_maxpool_2d_uint8/{set.Name} y[{n}, {c}, {oy}, {ox}] = {actual}, ONNX {onnx}");
                            compared++;
                        }
            }
        }
        Assert.Equal(25, compared);
    }

    [Fact]
    public void LayoutConversions_MoveChannelsLast()
    {
        // The ONNX cases above have one channel and 1x1 or all-ones filters, so they do not exercise these transposes.
        // NCHW [N = 2, C = 2, H = 1, W = 2]: image 1 is [c0: 5 6 | c1: 7 8] -> NHWC pixels (0,0) = [5 7], (0,1) = [6 8].
        Assert.Equal(new byte[] { 5, 7, 6, 8 }, Nhwc(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 1, 2, 1, 2));
        // OIHW [O = 2, I = 2, kh = 1, kw = 2]: o0 = [c0: 1 2 | c1: 3 4], o1 = [c0: 5 6 | c1: 7 8]
        // -> OHWI: o0 (j0) [1 3], (j1) [2 4]; o1 (j0) [5 7], (j1) [6 8].
        Assert.Equal(new byte[] { 1, 3, 2, 4, 5, 7, 6, 8 }, Ohwi(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 2, 2, 1, 2));
        // OIHW [1, 1, kh = 2, kw = 3] is already OHWI with I = 1.
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, Ohwi(new byte[] { 1, 2, 3, 4, 5, 6 }, 1, 1, 2, 3));
    }

    [Fact]
    public void AttributeReader_ParsesIntsStringAndInt()
    {
        // AttributeProto: name "pads" (1), ints packed [1, 2, 3, 4] (8), type INTS = 7 (20).
        byte[] packed = { 0x0A, 0x04, (byte)'p', (byte)'a', (byte)'d', (byte)'s', 0x42, 0x04, 0x01, 0x02, 0x03, 0x04, 0xA0, 0x01, 0x07 };
        // The same ints unpacked (one varint each, wire type 0: tag 0x40), then name "group"... as a separate attribute:
        byte[] unpacked = { 0x0A, 0x01, (byte)'s', 0x40, 0x02, 0x40, 0x83, 0x01, 0xA0, 0x01, 0x07 };   // [2, 131]
        // name "auto_pad", s = "SAME_UPPER" (4), type STRING = 3.
        byte[] text = new byte[] { 0x0A, 0x08 }.Concat("auto_pad"u8.ToArray()).Concat(new byte[] { 0x22, 0x0A })
            .Concat("SAME_UPPER"u8.ToArray()).Concat(new byte[] { 0xA0, 0x01, 0x03 }).ToArray();
        // name "group", i = 2 (3), type INT = 2.
        byte[] number = { 0x0A, 0x05, (byte)'g', (byte)'r', (byte)'o', (byte)'u', (byte)'p', 0x18, 0x02, 0xA0, 0x01, 0x02 };

        // NodeProto: op_type "Conv" (4) and the four attributes (5).
        var node = new List<byte> { 0x22, 0x04 };
        node.AddRange("Conv"u8.ToArray());
        foreach (byte[] attribute in new[] { packed, unpacked, text, number })
        {
            node.Add(0x2A);
            node.Add((byte)attribute.Length);
            node.AddRange(attribute);
        }
        // GraphProto with that node (1), in a ModelProto (graph = 7).
        var graph = new List<byte> { 0x0A, (byte)node.Count };
        graph.AddRange(node);
        var model = new List<byte> { 0x3A, (byte)graph.Count };
        model.AddRange(graph);

        OnnxProto.Node parsed = OnnxProto.ReadModel(model.ToArray()).Graph.Nodes.Single();
        Assert.Equal("Conv", parsed.OpType);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, parsed.Attributes[0].Ints);
        Assert.Equal(7, parsed.Attributes[0].Type);
        Assert.Equal(new long[] { 2, 131 }, parsed.Attributes[1].Ints);
        Assert.Equal(("auto_pad", "SAME_UPPER", 3), (parsed.Attributes[2].Name, parsed.Attributes[2].String, parsed.Attributes[2].Type));
        Assert.Equal(("group", 2L, 2), (parsed.Attributes[3].Name, parsed.Attributes[3].Int, parsed.Attributes[3].Type));
        Assert.Empty(parsed.Attributes[3].Ints);
        Assert.Null(parsed.Attributes[3].String);
    }
}
