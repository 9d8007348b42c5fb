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
    string? Name = null);

/// <summary>
/// A model declared by a test: writes the C# declaration the generator reads (and the weight files it names) and
/// builds the same model as <see cref="DenseReferenceLayer"/>s for the runtime's reference, independently of the generator.
/// </summary>
public sealed record TestModel(string ClassName, int InputSize, QuantType ActivationType, float InputScale, int InputZeroPoint, TestDense[] Layers)
{
    public int OutputSize => Layers[^1].Outputs;

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
        s.Append($"[KernelGen.QuantizedModel({InputSize}, ActivationType = KernelGen.QuantType.{ActivationType}, InputScale = {F(InputScale)}, InputZeroPoint = {InputZeroPoint})]\n");
        for (int i = 0; i < Layers.Length; i++)
        {
            TestDense l = Layers[i];
            var args = new List<string> { l.Inputs.ToString(CultureInfo.InvariantCulture), l.Outputs.ToString(CultureInfo.InvariantCulture) };
            if (l.Name is not null) args.Add($"Name = \"{l.Name}\"");
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
            args.Add($"OutputScale = {F(l.OutputScale)}");
            args.Add($"OutputZeroPoint = {l.OutputZeroPoint}");
            if (l.Activation != Activation.None) args.Add($"Activation = KernelGen.Activation.{l.Activation}");
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
