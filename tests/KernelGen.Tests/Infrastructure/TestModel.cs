using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using KernelGen.Reference;

namespace KernelGen.Tests.Infrastructure;

/// <summary>One Dense layer of a test model, with everything the reference needs and a choice of weight source.</summary>
public sealed record TestDense(
    int Inputs,
    int Outputs,
    QuantType WeightType,
    int[] Weights,
    float[] WeightScales,
    int[] WeightZeroPoints,
    int[]? Bias,
    float OutputScale,
    int OutputZeroPoint,
    Activation Activation,
    bool WeightsFromFile = false,
    bool BiasFromFile = false,
    string? Name = null,
    QuantType? OutputType = null,
    string? Input = null)
{
    /// <summary>Int32: the raw accumulators (MatMulInteger); no output scale, zero point or activation is declared.</summary>
    public bool IntegerOutput => OutputType == QuantType.Int32;
}

/// <summary>
/// A model declared by a test: writes the C# declaration the generator reads (and the weight files it names) and
/// builds the same model as <see cref="DenseReferenceLayer"/>s for the runtime's reference, independently of the generator.
/// </summary>
public sealed record TestModel(string ClassName, int InputSize, QuantType ActivationType, float InputScale, int InputZeroPoint, TestDense[] Layers)
{
    public int OutputSize => Layers[^1].Outputs;

    /// <summary>How the model requantizes (the declaration's <c>Requantization</c>); fixed point unless set.</summary>
    public RequantizationScheme Scheme { get; init; } = RequantizationScheme.FixedPoint;

    /// <summary>Element type of the model output (the last layer's output).</summary>
    public QuantType OutputType => TensorTypes()[^1];

    /// <summary>Bytes of one output row.</summary>
    public int OutputBytes => OutputSize * (OutputType == QuantType.Int32 ? 4 : 1);

    /// <summary>Tensor index (0 = input, i + 1 = layer i) each layer reads: its <see cref="TestDense.Input"/> or the previous one.</summary>
    public int[] InputTensors()
    {
        var result = new int[Layers.Length];
        for (int i = 0; i < Layers.Length; i++)
        {
            string? name = Layers[i].Input;
            if (name is null)
                result[i] = i;
            else if (name == "input")
                result[i] = 0;
            else
            {
                int producer = Array.FindIndex(Layers, 0, i, l => l.Name == name);
                result[i] = producer >= 0 ? producer + 1 : throw new ArgumentException($"No layer before {i} is named {name}.");
            }
        }
        return result;
    }

    /// <summary>Element type of every tensor: the input's, then each layer's output (declared, or its input's).</summary>
    public QuantType[] TensorTypes()
    {
        int[] inputs = InputTensors();
        var types = new QuantType[Layers.Length + 1];
        types[0] = ActivationType;
        for (int i = 0; i < Layers.Length; i++)
            types[i + 1] = Layers[i].OutputType ?? types[inputs[i]];
        return types;
    }

    /// <summary>The model as the runtime's reference graph: each layer reading its named input, in the model's scheme.</summary>
    public ReferenceModel ReferenceGraph()
    {
        int[] inputs = InputTensors();
        QuantType[] types = TensorTypes();
        var scales = new float[Layers.Length + 1];
        var zeros = new int[Layers.Length + 1];
        scales[0] = InputScale;
        zeros[0] = InputZeroPoint;
        var nodes = new ReferenceNode[Layers.Length];
        for (int i = 0; i < Layers.Length; i++)
        {
            TestDense l = Layers[i];
            int t = inputs[i];
            var layer = new DenseReferenceLayer(l.Inputs, l.Outputs, types[t], scales[t], zeros[t], l.WeightType,
                l.Weights.Select(v => (byte)v).ToArray(), l.WeightScales, l.WeightZeroPoints, l.Bias,
                l.IntegerOutput ? 1f : l.OutputScale, l.IntegerOutput ? 0 : l.OutputZeroPoint, l.IntegerOutput ? Activation.None : l.Activation,
                scheme: Scheme, outputType: l.OutputType);
            nodes[i] = new ReferenceNode(layer, t);
            scales[i + 1] = l.OutputScale;
            zeros[i + 1] = l.OutputZeroPoint;
        }
        return new ReferenceModel(InputSize, nodes);
    }

    public DenseReferenceLayer[] ReferenceLayers()
    {
        var result = new DenseReferenceLayer[Layers.Length];
        float scale = InputScale;
        int zero = InputZeroPoint;
        for (int i = 0; i < Layers.Length; i++)
        {
            TestDense l = Layers[i];
            result[i] = new DenseReferenceLayer(l.Inputs, l.Outputs, ActivationType, scale, zero, l.WeightType,
                l.Weights.Select(v => (byte)v).ToArray(), l.WeightScales, l.WeightZeroPoints, l.Bias,
                l.OutputScale, l.OutputZeroPoint, l.Activation);
            scale = l.OutputScale;
            zero = l.OutputZeroPoint;
        }
        return result;
    }

    /// <summary>The declaration, in <paramref name="ns"/>; files named by the layers are written to <paramref name="fileDirectory"/>.</summary>
    public string Source(string ns, string? fileDirectory, List<Microsoft.CodeAnalysis.AdditionalText>? files)
    {
        var s = new StringBuilder();
        s.Append("namespace ").Append(ns).Append(";\n\n");
        string scheme = Scheme == RequantizationScheme.FixedPoint ? "" : $", Requantization = KernelGen.RequantizationScheme.{Scheme}";
        s.Append($"[KernelGen.QuantizedModel({InputSize}, ActivationType = KernelGen.QuantType.{ActivationType}, InputScale = {F(InputScale)}, InputZeroPoint = {InputZeroPoint}{scheme})]\n");
        for (int i = 0; i < Layers.Length; i++)
        {
            TestDense l = Layers[i];
            var args = new List<string> { l.Inputs.ToString(CultureInfo.InvariantCulture), l.Outputs.ToString(CultureInfo.InvariantCulture) };
            if (l.Name is not null) args.Add($"Name = \"{l.Name}\"");
            if (l.Input is not null) args.Add($"Input = \"{l.Input}\"");
            if (l.OutputType is { } outputType) args.Add($"OutputType = KernelGen.QuantType.{outputType}");
            if (l.WeightType != QuantType.Int8) args.Add($"WeightType = KernelGen.QuantType.{l.WeightType}");
            if (l.WeightsFromFile)
            {
                string path = WriteFile(fileDirectory!, $"{ClassName}.w{i}.bin", l.Weights.Select(v => (byte)v).ToArray(), files!);
                args.Add($"WeightsFile = \"{Path.GetFileName(path)}\"");
            }
            else
            {
                args.Add($"Weights = nameof(W{i})");
            }
            args.Add(l.WeightScales.Length == 1 ? $"WeightScale = {F(l.WeightScales[0])}" : $"WeightScales = new float[] {{ {string.Join(", ", l.WeightScales.Select(F))} }}");
            if (l.WeightZeroPoints.Length == 1)
            {
                if (l.WeightZeroPoints[0] != 0) args.Add($"WeightZeroPoint = {l.WeightZeroPoints[0]}");
            }
            else
            {
                args.Add($"WeightZeroPoints = new int[] {{ {string.Join(", ", l.WeightZeroPoints)} }}");
            }
            if (l.Bias is not null)
            {
                if (l.BiasFromFile)
                {
                    string path = WriteFile(fileDirectory!, $"{ClassName}.b{i}.bin", l.Bias.SelectMany(BitConverter.GetBytes).ToArray(), files!);
                    args.Add($"BiasFile = \"{Path.GetFileName(path)}\"");
                }
                else
                {
                    args.Add($"Bias = nameof(B{i})");
                }
            }
            if (!l.IntegerOutput)
            {
                args.Add($"OutputScale = {F(l.OutputScale)}");
                args.Add($"OutputZeroPoint = {l.OutputZeroPoint}");
                if (l.Activation != Activation.None) args.Add($"Activation = KernelGen.Activation.{l.Activation}");
            }
            s.Append("[KernelGen.Dense(").Append(string.Join(", ", args)).Append(")]\n");
        }
        s.Append($"public partial class {ClassName}\n{{\n");
        for (int i = 0; i < Layers.Length; i++)
        {
            TestDense l = Layers[i];
            if (!l.WeightsFromFile)
                s.Append($"    private static readonly {(l.WeightType == QuantType.Int8 ? "sbyte" : "byte")}[] W{i} = {{ {string.Join(", ", l.Weights)} }};\n");
            if (l.Bias is not null && !l.BiasFromFile)
                s.Append($"    private static readonly int[] B{i} = {{ {string.Join(", ", l.Bias)} }};\n");
        }
        s.Append("}\n");
        return s.ToString();
    }

    private static string WriteFile(string directory, string name, byte[] bytes, List<Microsoft.CodeAnalysis.AdditionalText> files)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name);
        File.WriteAllBytes(path, bytes);
        files.Add(new FileAdditionalText(path));
        return path;
    }

    public static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";
}
