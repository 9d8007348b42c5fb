using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using KernelGen.Quantization;

namespace KernelGen.Calibration;

/// <summary>One Dense layer quantized: what its [Dense] attribute and fields say.</summary>
public sealed record QuantizedDenseLayer(
    string Name, int Inputs, int Outputs, sbyte[] Weights, float[] WeightScales, int[]? Bias,
    QuantizationParameters Output, Activation Activation);

/// <summary>
/// A float model quantized from its observed ranges: uint8 asymmetric activations (<see cref="ScaledQuantize.Asymmetric"/>),
/// int8 symmetric weights per output channel or per tensor (<see cref="ScaledQuantize.Symmetric"/>, optionally the
/// reduced 7-bit range), int32 bias with scale input scale x weight scale; and the C# declaration that compiles it.
/// </summary>
public sealed class QuantizedDeclaration
{
    private static readonly Regex Identifier = new(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

    private QuantizedDeclaration(int inputSize, QuantizationParameters input, IReadOnlyList<QuantizedDenseLayer> layers)
    {
        InputSize = inputSize;
        Input = input;
        Layers = layers;
    }

    /// <summary>Values per input row (the [QuantizedModel] size).</summary>
    public int InputSize { get; }

    /// <summary>The input's quantization (the [QuantizedModel] InputScale and InputZeroPoint).</summary>
    public QuantizationParameters Input { get; }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<QuantizedDenseLayer> Layers { get; }

    /// <summary>Quantizes the observed model.</summary>
    /// <param name="ranges">The calibration run's ranges.</param>
    /// <param name="perChannelWeights">One weight scale per output channel (default) or one per layer.</param>
    /// <param name="reducedRange">Weights in -64..64 (7 bits), so the generator can prove vpmaddubsw exact.</param>
    public static QuantizedDeclaration From(CalibrationRanges ranges, bool perChannelWeights = true, bool reducedRange = false)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        FloatModel model = ranges.Model;
        (float inMin, float inMax) = ranges.Ranges[0];
        QuantizationParameters input = ScaledQuantize.Asymmetric(inMin, inMax, QuantType.UInt8);
        QuantizationParameters previous = input;
        var layers = new List<QuantizedDenseLayer>();
        for (int i = 0; i < model.Layers.Count; i++)
        {
            FloatDenseLayer layer = model.Layers[i];
            int k = layer.Inputs, n = layer.Outputs;
            var scales = new float[perChannelWeights ? n : 1];
            for (int c = 0; c < scales.Length; c++)
            {
                ReadOnlySpan<float> w = perChannelWeights ? layer.Weights.AsSpan(c * k, k) : layer.Weights;
                float min = float.PositiveInfinity, max = float.NegativeInfinity;
                foreach (float v in w)
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
                scales[c] = ScaledQuantize.Symmetric(min, max, QuantType.Int8, reducedRange).Scale;
            }
            var weights = new sbyte[k * n];
            for (int j = 0; j < n; j++)
            {
                float scale = scales[perChannelWeights ? j : 0];
                for (int x = 0; x < k; x++)
                    weights[j * k + x] = (sbyte)LinearQuantization.Quantize(layer.Weights[j * k + x], scale, 0, QuantType.Int8);
            }
            int[]? bias = null;
            if (layer.Bias is not null)
            {
                bias = new int[n];
                for (int j = 0; j < n; j++)
                {
                    double biasScale = (double)previous.Scale * scales[perChannelWeights ? j : 0];
                    double q = Math.Round(layer.Bias[j] / biasScale, MidpointRounding.ToEven);
                    bias[j] = (int)Math.Clamp(q, int.MinValue, int.MaxValue);
                }
            }
            (float outMin, float outMax) = ranges.Ranges[i + 1];
            QuantizationParameters output = ScaledQuantize.Asymmetric(outMin, outMax, QuantType.UInt8);
            layers.Add(new QuantizedDenseLayer(layer.Name, k, n, weights, scales, bias, output, layer.Activation));
            previous = output;
        }
        return new QuantizedDeclaration(model.InputSize, input, layers);
    }

    /// <summary>
    /// The C# declaration: a partial class <paramref name="className"/> in <paramref name="namespaceName"/> with the
    /// [QuantizedModel] and one [Dense] per layer, weights and bias as static readonly fields. The same inputs always
    /// give the same text.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a C# identifier (namespace: dotted identifiers).</exception>
    public string Write(string namespaceName, string className)
    {
        if (!Identifier.IsMatch(className))
            throw new ArgumentException($"'{className}' is not a C# identifier.", nameof(className));
        if (namespaceName.Split('.').Any(part => !Identifier.IsMatch(part)))
            throw new ArgumentException($"'{namespaceName}' is not a C# namespace name.", nameof(namespaceName));
        var s = new StringBuilder();
        s.Append("// Written by KernelGen.Calibration from a float model and its calibration ranges. Rerun the calibration to change it.\n");
        s.Append("using KernelGen;\n\n");
        s.Append("namespace ").Append(namespaceName).Append(";\n\n");
        s.Append("[QuantizedModel(").Append(Int(InputSize))
            .Append(", InputScale = ").Append(Float(Input.Scale)).Append(", InputZeroPoint = ").Append(Int(Input.ZeroPoint)).Append(")]\n");
        for (int i = 0; i < Layers.Count; i++)
        {
            QuantizedDenseLayer l = Layers[i];
            s.Append("[Dense(").Append(Int(l.Inputs)).Append(", ").Append(Int(l.Outputs))
                .Append(", Name = \"").Append(l.Name.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"')
                .Append(", Weights = nameof(W").Append(Int(i)).Append(')');
            if (l.WeightScales.Length == 1)
                s.Append(", WeightScale = ").Append(Float(l.WeightScales[0]));
            else
                s.Append(", WeightScales = new[] { ").Append(string.Join(", ", l.WeightScales.Select(Float))).Append(" }");
            if (l.Bias is not null)
                s.Append(", Bias = nameof(B").Append(Int(i)).Append(')');
            s.Append(", OutputScale = ").Append(Float(l.Output.Scale)).Append(", OutputZeroPoint = ").Append(Int(l.Output.ZeroPoint));
            if (l.Activation != Activation.None)
                s.Append(", Activation = Activation.").Append(l.Activation);
            s.Append(")]\n");
        }
        s.Append("public partial class ").Append(className).Append("\n{\n");
        for (int i = 0; i < Layers.Count; i++)
        {
            QuantizedDenseLayer l = Layers[i];
            Field(s, $"sbyte[] W{Int(i)}", l.Weights.Select(v => Int(v)), l.Inputs);
            if (l.Bias is not null)
                Field(s, $"int[] B{Int(i)}", l.Bias.Select(Int), 16);
        }
        s.Append("}\n");
        return s.ToString();
    }

    private static void Field(StringBuilder s, string declaration, IEnumerable<string> values, int perLine)
    {
        s.Append("    private static readonly ").Append(declaration).Append(" =\n    {\n");
        foreach (string[] line in values.Chunk(Math.Clamp(perLine, 1, 32)))
            s.Append("        ").Append(string.Join(", ", line)).Append(",\n");
        s.Append("    };\n");
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";
}
