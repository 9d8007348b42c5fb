using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// The ONNX backend node tests test_quantizelinear(_axis) and test_dequantizelinear(_axis) from Debian's
/// libonnx-testdata through GENERATED code: each case becomes a model ([Quantize] on a Float32 input; [Dequantize] of an
/// 8-bit input whose InputScale and InputZeroPoint are the case's), compiled and run on every path. A layer has one
/// scale and zero point, so a per-axis case is one model per channel (the channel's elements gathered into one vector).
/// A missing package skips the tests (fails them under CI=true), as <see cref="OnnxQuantizeLinearTests"/>.
/// </summary>
public sealed class OnnxGeneratedQuantizeTests
{
    private sealed record Model(string Name, string Declaration, float[] FloatInput, int[] IntInput, QuantType Type, int[] Expected, float[] ExpectedFloats, int[] Slice, string Case);

    private static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture) + "f";

    private static int[][] Slices(long[] dims, int parameters, long? axisAttribute)
    {
        int total = (int)dims.Aggregate(1L, (a, b) => a * b);
        if (parameters == 1)
            return new[] { Enumerable.Range(0, total).ToArray() };
        int axis = (int)(axisAttribute ?? 1);
        if (axis < 0) axis += dims.Length;
        long inner = 1;
        for (int d = axis + 1; d < dims.Length; d++) inner *= dims[d];
        return Enumerable.Range(0, parameters).Select(c => Enumerable.Range(0, total).Where(i => (int)(i / inner % dims[axis]) == c).ToArray()).ToArray();
    }

    private static QuantType Type(int dataType) => dataType switch
    {
        OnnxProto.UInt8 => QuantType.UInt8,
        OnnxProto.Int8 => QuantType.Int8,
        _ => throw new InvalidDataException($"data_type {dataType} is not 8-bit"),
    };

    private static List<Model> Models(bool quantize)
    {
        string[] cases = quantize ? new[] { "test_quantizelinear", "test_quantizelinear_axis" } : new[] { "test_dequantizelinear", "test_dequantizelinear_axis" };
        var models = new List<Model>();
        foreach (string caseName in cases)
        {
            string directory = Path.Combine(OnnxQuantizeLinearTests.Root(), caseName);
            Assert.True(Directory.Exists(directory), $"{caseName} is missing");
            OnnxProto.Model model = OnnxProto.ReadModelFile(Path.Combine(directory, "model.onnx"));
            OnnxProto.Node node = OnnxQuantizeLinearTests.SingleNode(model, quantize ? "QuantizeLinear" : "DequantizeLinear", caseName);
            foreach (OnnxQuantizeLinearTests.DataSet set in OnnxQuantizeLinearTests.DataSets(directory, model.Graph))
            {
                OnnxProto.Tensor x = set.Inputs[node.Inputs[0]];
                float[] scales = set.Inputs[node.Inputs[1]].Floats();
                OnnxProto.Tensor y = set.Outputs[node.Outputs[0]];
                int[] zeros = node.Inputs.Count > 2 && node.Inputs[2].Length > 0 ? set.Inputs[node.Inputs[2]].EightBitValues() : new int[scales.Length];
                QuantType type = Type(quantize ? y.DataType : x.DataType);
                int[][] slices = Slices(x.Dims, scales.Length, OnnxQuantizeLinearTests.IntAttribute(node, "axis"));
                for (int c = 0; c < slices.Length; c++)
                {
                    int[] slice = slices[c];
                    string name = $"M{models.Count}";
                    string declaration = quantize
                        ? $"[KernelGen.QuantizedModel({slice.Length}, ActivationType = KernelGen.QuantType.Float32)]\n[KernelGen.Quantize(Scale = {F(scales[c])}, ZeroPoint = {zeros[c]}, OutputType = KernelGen.QuantType.{type})]\npublic partial class {name} {{ }}\n"
                        : $"[KernelGen.QuantizedModel({slice.Length}, ActivationType = KernelGen.QuantType.{type}, InputScale = {F(scales[c])}, InputZeroPoint = {zeros[c]})]\n[KernelGen.Dequantize]\npublic partial class {name} {{ }}\n";
                    models.Add(quantize
                        ? new Model(name, declaration, slice.Select(i => x.Floats()[i]).ToArray(), Array.Empty<int>(), type, slice.Select(i => y.EightBitValues()[i]).ToArray(), Array.Empty<float>(), slice, $"{caseName}/{set.Name}")
                        : new Model(name, declaration, Array.Empty<float>(), slice.Select(i => x.EightBitValues()[i]).ToArray(), type, Array.Empty<int>(), slice.Select(i => y.Floats()[i]).ToArray(), slice, $"{caseName}/{set.Name}"));
                }
            }
        }
        return models;
    }

    private delegate void FloatToBytes(ReadOnlySpan<float> input, Span<byte> output);

    private delegate void FloatToSBytes(ReadOnlySpan<float> input, Span<sbyte> output);

    private delegate void BytesToFloat(ReadOnlySpan<byte> input, Span<float> output);

    private delegate void SBytesToFloat(ReadOnlySpan<sbyte> input, Span<float> output);

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void GeneratedKernels_MatchOnnxBackendCases(bool quantize)
    {
        OnnxQuantizeLinearTests.Root();
        List<Model> models = Models(quantize);
        Assert.True(models.Count >= 2);
        string source = "namespace Onnx;\n" + string.Concat(models.Select(m => m.Declaration));
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        foreach (PinnedPath path in new[] { PinnedPath.Native, PinnedPath.EmulatedVnni, PinnedPath.Avx2, PinnedPath.Scalar })
        {
            if (!ModelLoader.CanRun(path))
                continue;
            Assembly assembly = ModelLoader.Load(run, new[] { source }, path);
            foreach (Model m in models)
            {
                MethodInfo method = assembly.GetType("Onnx." + m.Name)!.GetMethods().Single(x => x.Name == "Run" && x.GetParameters().Length == 2);
                if (quantize)
                {
                    var output = new int[m.Expected.Length];
                    if (m.Type == QuantType.Int8)
                    {
                        var o = new sbyte[output.Length];
                        method.CreateDelegate<FloatToSBytes>()(m.FloatInput, o);
                        output = o.Select(v => (int)v).ToArray();
                    }
                    else
                    {
                        var o = new byte[output.Length];
                        method.CreateDelegate<FloatToBytes>()(m.FloatInput, o);
                        output = o.Select(v => (int)v).ToArray();
                    }
                    Assert.True(m.Expected.SequenceEqual(output), $"{m.Case} on {path}: {string.Join(",", output)} != ONNX {string.Join(",", m.Expected)}");
                }
                else
                {
                    var output = new float[m.ExpectedFloats.Length];
                    if (m.Type == QuantType.Int8)
                        method.CreateDelegate<SBytesToFloat>()(m.IntInput.Select(v => (sbyte)v).ToArray(), output);
                    else
                        method.CreateDelegate<BytesToFloat>()(m.IntInput.Select(v => (byte)v).ToArray(), output);
                    Assert.True(m.ExpectedFloats.Select(BitConverter.SingleToInt32Bits).SequenceEqual(output.Select(BitConverter.SingleToInt32Bits)),
                        $"{m.Case} on {path}: {string.Join(",", output)} != ONNX {string.Join(",", m.ExpectedFloats)}");
                }
            }
        }
    }
}
