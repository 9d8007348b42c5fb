using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen.Reference;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// <see cref="QuantizeReferenceLayer"/> and <see cref="DequantizeReferenceLayer"/> against the ONNX backend node tests
/// test_quantizelinear, test_quantizelinear_axis, test_dequantizelinear and test_dequantizelinear_axis from Debian's
/// libonnx-testdata, through the layers' byte interface (float32 as four little-endian bytes). A layer has one scale and
/// zero point, so a per-axis case runs one layer per channel: the elements of channel c along the axis are gathered
/// into one vector, run through a layer with that channel's scale and zero point, and scattered back. Cases this layer
/// cannot express (blocked quantization, types other than uint8/int8 and float) are skipped and listed; a missing
/// package skips the tests, or fails them under CI=true (<see cref="OnnxQuantizeLinearTests"/>).
/// </summary>
public sealed class OnnxQuantizeLayerTests
{
    private static readonly string[] QuantizeCases = { "test_quantizelinear", "test_quantizelinear_axis" };
    private static readonly string[] DequantizeCases = { "test_dequantizelinear", "test_dequantizelinear_axis" };

    private static QuantType Type(int dataType) => dataType switch
    {
        OnnxProto.UInt8 => QuantType.UInt8,
        OnnxProto.Int8 => QuantType.Int8,
        _ => throw new InvalidDataException($"data_type {dataType} is not 8-bit"),
    };

    /// <summary>The flat indices of each channel: one group (all elements) per tensor, or one per channel along the axis.</summary>
    private static int[][] ChannelSlices(long[] dims, int parameterCount, long? axisAttribute)
    {
        int total = (int)dims.Aggregate(1L, (a, b) => a * b);
        if (parameterCount == 1)
            return new[] { Enumerable.Range(0, total).ToArray() };
        int axis = (int)(axisAttribute ?? 1);
        if (axis < 0) axis += dims.Length;
        Assert.Equal(dims[axis], parameterCount);
        long inner = 1;
        for (int d = axis + 1; d < dims.Length; d++) inner *= dims[d];
        var slices = new List<int>[parameterCount];
        for (int c = 0; c < parameterCount; c++) slices[c] = new List<int>();
        for (int i = 0; i < total; i++)
            slices[(int)(i / inner % dims[axis])].Add(i);
        return slices.Select(s => s.ToArray()).ToArray();
    }

    private static (OnnxProto.Node Node, List<OnnxQuantizeLinearTests.DataSet> Sets) Load(string caseName, string opType)
    {
        string directory = Path.Combine(OnnxQuantizeLinearTests.Root(), caseName);
        Assert.True(Directory.Exists(directory), $"{caseName} is missing from {OnnxQuantizeLinearTests.Root()}");
        OnnxProto.Model model = OnnxProto.ReadModelFile(Path.Combine(directory, "model.onnx"));
        OnnxProto.Node node = OnnxQuantizeLinearTests.SingleNode(model, opType, caseName);
        Assert.True(OnnxQuantizeLinearTests.IntAttribute(node, "block_size") is null or 0, $"{caseName} is blocked");
        return (node, OnnxQuantizeLinearTests.DataSets(directory, model.Graph));
    }

    [SkippableFact]
    public void QuantizeLayer_MatchesOnnxBackendCases()
    {
        OnnxQuantizeLinearTests.Root();
        var ran = new List<string>();
        foreach (string caseName in QuantizeCases)
        {
            (OnnxProto.Node node, List<OnnxQuantizeLinearTests.DataSet> sets) = Load(caseName, "QuantizeLinear");
            foreach (OnnxQuantizeLinearTests.DataSet set in sets)
            {
                OnnxProto.Tensor x = set.Inputs[node.Inputs[0]];
                float[] scales = set.Inputs[node.Inputs[1]].Floats();
                OnnxProto.Tensor y = set.Outputs[node.Outputs[0]];
                int[] zeroPoints = node.Inputs.Count > 2 && node.Inputs[2].Length > 0 ? set.Inputs[node.Inputs[2]].EightBitValues() : new int[scales.Length];
                float[] xs = x.Floats();
                int[] expected = y.EightBitValues();
                QuantType type = Type(y.DataType);
                int[][] slices = ChannelSlices(x.Dims, scales.Length, OnnxQuantizeLinearTests.IntAttribute(node, "axis"));
                Assert.Equal(xs.Length, expected.Length);

                var actual = new int[xs.Length];
                for (int c = 0; c < slices.Length; c++)
                {
                    int[] slice = slices[c];
                    var layer = new QuantizeReferenceLayer(slice.Length, scales[c], zeroPoints[c], type);
                    var input = new byte[layer.InputBytes];
                    for (int k = 0; k < slice.Length; k++)
                        BinaryPrimitives.WriteSingleLittleEndian(input.AsSpan(4 * k), xs[slice[k]]);
                    var output = new byte[layer.OutputBytes];
                    layer.Run(new[] { input }, output);
                    for (int k = 0; k < slice.Length; k++)
                        actual[slice[k]] = type == QuantType.Int8 ? (sbyte)output[k] : output[k];
                }
                for (int i = 0; i < expected.Length; i++)
                {
                    if (actual[i] != expected[i])
                        Assert.Fail($"{caseName}/{set.Name} element {i}: QuantizeReferenceLayer({xs[i]:R}) = {actual[i]}, ONNX {expected[i]}");
                }
                ran.Add($"{caseName}/{set.Name} ({expected.Length} values, {slices.Length} layer(s))");
            }
        }
        Assert.True(ran.Count >= 2, "Too few cases ran: " + string.Join(", ", ran));
    }

    [SkippableFact]
    public void DequantizeLayer_MatchesOnnxBackendCasesBitForBit()
    {
        OnnxQuantizeLinearTests.Root();
        var ran = new List<string>();
        foreach (string caseName in DequantizeCases)
        {
            (OnnxProto.Node node, List<OnnxQuantizeLinearTests.DataSet> sets) = Load(caseName, "DequantizeLinear");
            foreach (OnnxQuantizeLinearTests.DataSet set in sets)
            {
                OnnxProto.Tensor x = set.Inputs[node.Inputs[0]];
                float[] scales = set.Inputs[node.Inputs[1]].Floats();
                OnnxProto.Tensor y = set.Outputs[node.Outputs[0]];
                int[] zeroPoints = node.Inputs.Count > 2 && node.Inputs[2].Length > 0 ? set.Inputs[node.Inputs[2]].EightBitValues() : new int[scales.Length];
                int[] xs = x.EightBitValues();
                float[] expected = y.Floats();
                QuantType type = Type(x.DataType);
                int[][] slices = ChannelSlices(x.Dims, scales.Length, OnnxQuantizeLinearTests.IntAttribute(node, "axis"));
                Assert.Equal(xs.Length, expected.Length);

                var actual = new float[xs.Length];
                for (int c = 0; c < slices.Length; c++)
                {
                    int[] slice = slices[c];
                    var layer = new DequantizeReferenceLayer(slice.Length, type, scales[c], zeroPoints[c]);
                    byte[] input = slice.Select(i => unchecked((byte)xs[i])).ToArray();
                    var output = new byte[layer.OutputBytes];
                    layer.Run(new[] { input }, output);
                    for (int k = 0; k < slice.Length; k++)
                        actual[slice[k]] = BinaryPrimitives.ReadSingleLittleEndian(output.AsSpan(4 * k));
                }
                for (int i = 0; i < expected.Length; i++)
                {
                    if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                        Assert.Fail($"{caseName}/{set.Name} element {i}: DequantizeReferenceLayer({xs[i]}) = {actual[i]:R}, ONNX {expected[i]:R}");
                }
                ran.Add($"{caseName}/{set.Name} ({expected.Length} values, {slices.Length} layer(s))");
            }
        }
        Assert.True(ran.Count >= 2, "Too few cases ran: " + string.Join(", ", ran));
    }
}
