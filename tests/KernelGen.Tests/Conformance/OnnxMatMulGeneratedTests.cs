using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// ONNX backend node tests (Debian's libonnx-testdata) through GENERATED code: test_qlinearmatmul_2D and _3D
/// (QLinearMatMul, in the float requantization scheme as ONNX Runtime computes it) and test_matmulinteger (MatMulInteger,
/// an Int32 output). Each case's constant B becomes a KernelGen declaration ([Dense] with weights = Bᵀ, row-major
/// [N, K], and the case's scales and zero points), which is generated, compiled, run on every path and compared exactly
/// with the case's output. A 3-D B holds one matrix per batch (test_qlinearmatmul_3D: [2, 4, 3]), which a single
/// constant Dense cannot express, so each batch slice becomes its own model, run on that batch's rows of A.
/// </summary>
public sealed class OnnxMatMulGeneratedTests
{
    private static string CaseDirectory(string name)
    {
        string root = Environment.GetEnvironmentVariable("KERNELGEN_ONNX_NODE_TESTS") ?? OnnxQuantizeLinearTests.DefaultRoot;
        string directory = Path.Combine(root, name);
        if (!Directory.Exists(directory))
            ExternalOracle.Require($"The ONNX backend node test {name} is missing ({directory}). Run: apt-get update && apt-get install -y libonnx-testdata.");
        return directory;
    }

    private static readonly PinnedPath[] Paths = { PinnedPath.Native, PinnedPath.EmulatedVnni, PinnedPath.Avx2, PinnedPath.Scalar };

    /// <summary>One declaration per batch slice of B, the rows of A it runs on, and the expected output bytes.</summary>
    private sealed record Slice(string ClassName, string Declaration, byte[] Input, byte[] Expected);

    [SkippableTheory]
    [InlineData("test_qlinearmatmul_2D", 1)]
    [InlineData("test_qlinearmatmul_3D", 2)]
    public void QLinearMatMul_GeneratedFloatScheme_MatchesOnnxExactly(string name, int expectedSlices)
    {
        string directory = CaseDirectory(name);
        OnnxProto.Model model = OnnxProto.ReadModelFile(Path.Combine(directory, "model.onnx"));
        Assert.Single(model.Graph.Nodes);
        OnnxProto.Node node = model.Graph.Nodes[0];
        Assert.Equal("QLinearMatMul", node.OpType);

        int sets = 0;
        foreach (Dictionary<string, OnnxProto.Tensor> data in DataSets(directory, model.Graph))
        {
            OnnxProto.Tensor a = data[node.Inputs[0]], b = data[node.Inputs[3]], y = data[node.Outputs[0]];
            float aScale = Single(data[node.Inputs[1]].Floats()), yScale = Single(data[node.Inputs[6]].Floats());
            int aZero = Single(data[node.Inputs[2]].EightBitValues()), yZero = Single(data[node.Inputs[7]].EightBitValues());
            float[] bScales = data[node.Inputs[4]].Floats();
            int[] bZeros = data[node.Inputs[5]].EightBitValues();
            List<Slice> slices = Slices(name, a, b, y, (k, n, weights, cls) =>
            {
                var s = new StringBuilder();
                s.Append($"[KernelGen.QuantizedModel({k}, ActivationType = KernelGen.QuantType.{TypeName(a.DataType)}, InputScale = {F(aScale)}, InputZeroPoint = {aZero}, Requantization = KernelGen.RequantizationScheme.Float)]\n");
                s.Append($"[KernelGen.Dense({k}, {n}, Weights = nameof(W), WeightType = KernelGen.QuantType.{TypeName(b.DataType)}, ");
                s.Append(bScales.Length == 1 ? $"WeightScale = {F(bScales[0])}, " : $"WeightScales = new float[] {{ {string.Join(", ", bScales.Select(F))} }}, ");
                s.Append(bZeros.Length == 1 ? $"WeightZeroPoint = {bZeros[0]}, " : $"WeightZeroPoints = new int[] {{ {string.Join(", ", bZeros)} }}, ");
                s.Append($"OutputScale = {F(yScale)}, OutputZeroPoint = {yZero}, OutputType = KernelGen.QuantType.{TypeName(y.DataType)})]\n");
                s.Append($"public partial class {cls} {{ static readonly {(b.DataType == OnnxProto.Int8 ? "sbyte" : "byte")}[] W = {{ {string.Join(", ", weights)} }}; }}\n");
                return s.ToString();
            });
            Assert.Equal(expectedSlices, slices.Count);
            RunEverywhere(slices, y.DataType == OnnxProto.Int32 ? 4 : 1);
            sets++;
        }
        Assert.True(sets > 0, $"{name} has no test data set");
    }

    [SkippableFact]
    public void MatMulInteger_GeneratedInt32Output_MatchesOnnxExactly()
    {
        const string name = "test_matmulinteger";
        string directory = CaseDirectory(name);
        OnnxProto.Model model = OnnxProto.ReadModelFile(Path.Combine(directory, "model.onnx"));
        Assert.Single(model.Graph.Nodes);
        OnnxProto.Node node = model.Graph.Nodes[0];
        Assert.Equal("MatMulInteger", node.OpType);

        int sets = 0;
        foreach (Dictionary<string, OnnxProto.Tensor> data in DataSets(directory, model.Graph))
        {
            OnnxProto.Tensor a = data[node.Inputs[0]], b = data[node.Inputs[1]], y = data[node.Outputs[0]];
            Assert.Equal(OnnxProto.Int32, y.DataType);
            int aZero = node.Inputs.Count > 2 && node.Inputs[2].Length > 0 ? Single(data[node.Inputs[2]].EightBitValues()) : 0;
            int[] bZeros = node.Inputs.Count > 3 && node.Inputs[3].Length > 0 ? data[node.Inputs[3]].EightBitValues() : new[] { 0 };
            Assert.True(aZero != 0, "the case has an input zero point");   // what makes the case worth running
            List<Slice> slices = Slices(name, a, b, y, (k, n, weights, cls) =>
                $"[KernelGen.QuantizedModel({k}, ActivationType = KernelGen.QuantType.{TypeName(a.DataType)}, InputScale = 1f, InputZeroPoint = {aZero})]\n"
                + $"[KernelGen.Dense({k}, {n}, Weights = nameof(W), WeightType = KernelGen.QuantType.{TypeName(b.DataType)}, "
                + (bZeros.Length == 1 ? $"WeightZeroPoint = {bZeros[0]}, " : $"WeightZeroPoints = new int[] {{ {string.Join(", ", bZeros)} }}, ")
                + "OutputType = KernelGen.QuantType.Int32)]\n"
                + $"public partial class {cls} {{ static readonly {(b.DataType == OnnxProto.Int8 ? "sbyte" : "byte")}[] W = {{ {string.Join(", ", weights)} }}; }}\n");
            RunEverywhere(slices, 4);
            sets++;
        }
        Assert.True(sets > 0);
    }

    /// <summary>
    /// Splits A [.., M, K] x B [(batch,) K, N] = Y [.., M, N] into declarations: one for a 2-D B (all rows of A), one per
    /// batch for a 3-D B (that batch's M rows). Weights are Bᵀ as declared values.
    /// </summary>
    private static List<Slice> Slices(string name, OnnxProto.Tensor a, OnnxProto.Tensor b, OnnxProto.Tensor y,
        Func<int, int, int[], string, string> declare)
    {
        Assert.False(a.External || b.External || y.External);
        int k = (int)a.Dims[^1], n = (int)b.Dims[^1];
        Assert.Equal(k, (int)b.Dims[^2]);
        Assert.Equal(n, (int)y.Dims[^1]);
        int batches = b.Dims.Length == 2 ? 1 : (int)b.Dims.Take(b.Dims.Length - 2).Aggregate(1L, (p, d) => p * d);
        int[] bValues = b.EightBitValues();
        byte[] aBytes = Raw(a), yBytes = Raw(y);
        int element = y.DataType == OnnxProto.Int32 ? 4 : 1;
        int rows = aBytes.Length / k;
        Assert.Equal(rows * n * element, yBytes.Length);
        Assert.True(rows % batches == 0, $"{name}: {rows} rows of A for {batches} batches of B");
        int rowsPerBatch = rows / batches;

        var slices = new List<Slice>();
        for (int batch = 0; batch < batches; batch++)
        {
            var weights = new int[n * k];
            for (int j = 0; j < n; j++)
            {
                for (int i = 0; i < k; i++)
                    weights[j * k + i] = bValues[batch * k * n + i * n + j];
            }
            string cls = $"Slice{batch}";
            slices.Add(new Slice(cls, "namespace Onnx;\n" + declare(k, n, weights, cls),
                aBytes.AsSpan(batch * rowsPerBatch * k, rowsPerBatch * k).ToArray(),
                yBytes.AsSpan(batch * rowsPerBatch * n * element, rowsPerBatch * n * element).ToArray()));
        }
        return slices;
    }

    private static void RunEverywhere(List<Slice> slices, int element)
    {
        string[] sources = slices.Select(s => s.Declaration).ToArray();
        GeneratorRun run = GeneratorHarness.Run(sources, new List<Microsoft.CodeAnalysis.AdditionalText>());
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        foreach (PinnedPath path in Paths.Where(ModelLoader.CanRun))
        {
            Assembly assembly = ModelLoader.Load(run, sources, path);
            foreach (Slice slice in slices)
            {
                var model = new RawEntryPoints(assembly, "Onnx." + slice.ClassName);
                byte[] actual = new byte[slice.Expected.Length], reference = new byte[slice.Expected.Length];
                model.Run(slice.Input, actual);
                model.RunReference(slice.Input, reference);
                Assert.True(slice.Expected.AsSpan().SequenceEqual(actual),
                    $"{slice.ClassName} on {path}: expected {Show(slice.Expected, element)}, got {Show(actual, element)}\n{slice.Declaration}");
                Assert.True(slice.Expected.AsSpan().SequenceEqual(reference), $"{slice.ClassName} RunReference: {Show(reference, element)}");
            }
        }
    }

    private static IEnumerable<Dictionary<string, OnnxProto.Tensor>> DataSets(string directory, OnnxProto.Graph graph)
    {
        foreach (string set in Directory.GetDirectories(directory, "test_data_set_*").OrderBy(d => d, StringComparer.Ordinal))
        {
            var tensors = new Dictionary<string, OnnxProto.Tensor>();
            foreach ((string prefix, List<string> names) in new[] { ("input_", graph.Inputs), ("output_", graph.Outputs) })
            {
                for (int i = 0; File.Exists(Path.Combine(set, $"{prefix}{i}.pb")); i++)
                {
                    OnnxProto.Tensor tensor = OnnxProto.ReadTensorFile(Path.Combine(set, $"{prefix}{i}.pb"));
                    tensors[tensor.Name.Length > 0 ? tensor.Name : names[i]] = tensor;
                }
            }
            yield return tensors;
        }
    }

    /// <summary>A tensor's elements as the bytes a generated Run reads or writes (8-bit values, or little-endian int32).</summary>
    private static byte[] Raw(OnnxProto.Tensor t)
    {
        if (t.DataType == OnnxProto.Int32)
        {
            if (t.RawData.Length > 0) return t.RawData;
            return MemoryMarshal.AsBytes(t.Int32Data.AsSpan()).ToArray();
        }
        return t.EightBitValues().Select(v => unchecked((byte)v)).ToArray();
    }

    private static string Show(byte[] bytes, int element)
        => element == 4 ? string.Join(", ", MemoryMarshal.Cast<byte, int>(bytes).ToArray()) : string.Join(", ", bytes);

    private static T Single<T>(T[] values)
    {
        Assert.Single(values);
        return values[0];
    }

    private static string TypeName(int dataType) => dataType switch
    {
        OnnxProto.UInt8 => "UInt8",
        OnnxProto.Int8 => "Int8",
        OnnxProto.Int32 => "Int32",
        _ => throw new InvalidDataException($"data_type {dataType} is not supported here"),
    };

    private static string F(float value) => TestModel.F(value);
}
