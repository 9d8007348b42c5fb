using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using KernelGen.Quantization;
using KernelGen.Reference;

namespace KernelGen.Calibration;

/// <summary>One tensor's int8 error against the float model, in real units, over the evaluated rows.</summary>
/// <param name="Tensor">"input" or the layer's name (its output).</param>
/// <param name="Sqnr">Signal-to-quantization-noise ratio in dB: 10 log10(Σ f² / Σ (f - q)²); infinity when exact.</param>
/// <param name="MaxAbsError">max |q - f|.</param>
/// <param name="MeanAbsError">mean |q - f|.</param>
public sealed record TensorError(string Tensor, double Sqnr, double MaxAbsError, double MeanAbsError);

/// <summary>
/// The quantized model against the float model on held-out rows: per-tensor error (input and every layer's output,
/// from the quantized model run layer by layer through the runtime's reference ops), the end metric of both, the share
/// of rows whose largest output is the same, and, when the compiled model is given, how many of its output bytes
/// differ from the reference's (0 by KernelGen's contract).
/// </summary>
public sealed class AccuracyReport
{
    internal AccuracyReport(int rows, IReadOnlyList<TensorError> tensors, double? floatMetric, double? quantizedMetric, double agreement, long? compiledMismatches)
    {
        Rows = rows;
        Tensors = tensors;
        FloatMetric = floatMetric;
        QuantizedMetric = quantizedMetric;
        Agreement = agreement;
        CompiledMismatches = compiledMismatches;
    }

    /// <summary>Rows evaluated.</summary>
    public int Rows { get; }

    /// <summary>The input and each layer's output.</summary>
    public IReadOnlyList<TensorError> Tensors { get; }

    /// <summary>The metric on the float outputs, when one was given.</summary>
    public double? FloatMetric { get; }

    /// <summary>The metric on the dequantized int8 outputs, when one was given.</summary>
    public double? QuantizedMetric { get; }

    /// <summary>Share of rows whose largest output is at the same index in both models (top-1 agreement).</summary>
    public double Agreement { get; }

    /// <summary>Output bytes where the compiled model's Run differs from the reference ops, when it was given.</summary>
    public long? CompiledMismatches { get; }

    /// <summary>A readable table of the report.</summary>
    public string ToTable()
    {
        var s = new StringBuilder();
        s.Append(FormattableString.Invariant($"{Rows} rows\n"));
        s.Append("| tensor | SQNR (dB) | max |error| | mean |error| |\n|---|---:|---:|---:|\n");
        foreach (TensorError t in Tensors)
            s.Append(FormattableString.Invariant($"| {t.Tensor} | {(double.IsPositiveInfinity(t.Sqnr) ? "exact" : t.Sqnr.ToString("F1", CultureInfo.InvariantCulture))} | {t.MaxAbsError:G4} | {t.MeanAbsError:G4} |\n"));
        if (FloatMetric is double f && QuantizedMetric is double q)
            s.Append(FormattableString.Invariant($"metric: float {f:G6}, int8 {q:G6} (difference {q - f:G4})\n"));
        s.Append(FormattableString.Invariant($"top-1 agreement: {Agreement:P2}\n"));
        if (CompiledMismatches is long m)
            s.Append(FormattableString.Invariant($"compiled Run vs reference: {m} differing output bytes\n"));
        return s.ToString();
    }
}

/// <summary>Builds an <see cref="AccuracyReport"/>.</summary>
public static class Accuracy
{
    /// <summary>A compiled model's Run over uint8 rows (e.g. the generated <c>Run(ReadOnlySpan&lt;byte&gt;, Span&lt;byte&gt;)</c>).</summary>
    public delegate void CompiledRun(ReadOnlySpan<byte> input, Span<byte> output);

    /// <summary>Top-1 accuracy against <paramref name="labels"/> (one per row, in order): a metric for <see cref="Evaluate"/>.</summary>
    public static Func<IReadOnlyList<float[]>, double> Top1(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return outputs =>
        {
            if (outputs.Count != labels.Count)
                throw new ArgumentException($"{outputs.Count} output rows for {labels.Count} labels.");
            int right = 0;
            for (int r = 0; r < outputs.Count; r++)
                right += ArgMax(outputs[r]) == labels[r] ? 1 : 0;
            return (double)right / outputs.Count;
        };
    }

    /// <summary>
    /// Runs <paramref name="model"/> and <paramref name="quantized"/> on <paramref name="rows"/> and compares them.
    /// The quantized model runs layer by layer through the runtime's reference ops (the oracle the generated kernels
    /// equal byte for byte), so every intermediate tensor is compared; <paramref name="compiled"/>, if given, runs too
    /// and its outputs are compared with the reference's.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, a row of the wrong length, or models that do not match.</exception>
    public static AccuracyReport Evaluate(
        FloatModel model, QuantizedDeclaration quantized, IEnumerable<float[]> rows,
        Func<IReadOnlyList<float[]>, double>? metric = null, CompiledRun? compiled = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(quantized);
        ArgumentNullException.ThrowIfNull(rows);
        if (quantized.Layers.Count != model.Layers.Count)
            throw new ArgumentException($"The quantized model has {quantized.Layers.Count} layers, the float model {model.Layers.Count}.", nameof(quantized));
        DenseReferenceLayer[] layers = ReferenceLayers(quantized);
        int tensorsCount = model.Layers.Count + 1;
        var signal = new double[tensorsCount];
        var noise = new double[tensorsCount];
        var maxError = new double[tensorsCount];
        var sumError = new double[tensorsCount];
        var counts = new long[tensorsCount];
        var floatOutputs = new List<float[]>();
        var quantizedOutputs = new List<float[]>();
        long? mismatches = compiled is null ? null : 0;
        float[][] tensors = model.CreateTensors();
        var bytes = new byte[tensorsCount][];
        bytes[0] = new byte[model.InputSize];
        for (int i = 0; i < layers.Length; i++)
            bytes[i + 1] = new byte[layers[i].Outputs];
        byte[] compiledOutput = new byte[model.OutputSize];
        int agree = 0, count = 0;
        foreach (float[] row in rows)
        {
            if (row is null || row.Length != model.InputSize)
                throw new ArgumentException($"Row {count} has {row?.Length ?? 0} values, the model takes {model.InputSize}.", nameof(rows));
            model.Run(row, tensors);
            for (int k = 0; k < row.Length; k++)
                bytes[0][k] = (byte)quantized.Input.Quantize(row[k]);
            for (int i = 0; i < layers.Length; i++)
                ReferenceOps.Dense(layers[i], bytes[i], bytes[i + 1]);
            for (int t = 0; t < tensorsCount; t++)
            {
                QuantizationParameters p = t == 0 ? quantized.Input : quantized.Layers[t - 1].Output;
                for (int j = 0; j < tensors[t].Length; j++)
                {
                    double f = tensors[t][j], e = p.Dequantize(bytes[t][j]) - f;
                    signal[t] += f * f;
                    noise[t] += e * e;
                    maxError[t] = Math.Max(maxError[t], Math.Abs(e));
                    sumError[t] += Math.Abs(e);
                    counts[t]++;
                }
            }
            QuantizationParameters output = quantized.Layers.Count == 0 ? quantized.Input : quantized.Layers[^1].Output;
            float[] dequantized = bytes[^1].Select(b => output.Dequantize(b)).ToArray();
            floatOutputs.Add((float[])tensors[^1].Clone());
            quantizedOutputs.Add(dequantized);
            agree += ArgMax(tensors[^1]) == ArgMax(dequantized) ? 1 : 0;
            if (compiled is not null)
            {
                compiled(bytes[0], compiledOutput);
                for (int j = 0; j < compiledOutput.Length; j++)
                    mismatches += compiledOutput[j] != bytes[^1][j] ? 1 : 0;
            }
            count++;
        }
        if (count == 0)
            throw new ArgumentException("No rows to evaluate.", nameof(rows));
        var errors = new TensorError[tensorsCount];
        for (int t = 0; t < tensorsCount; t++)
        {
            string name = t == 0 ? "input" : model.Layers[t - 1].Name;
            double sqnr = noise[t] == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal[t] / noise[t]);
            errors[t] = new TensorError(name, sqnr, maxError[t], sumError[t] / counts[t]);
        }
        return new AccuracyReport(count, errors, metric?.Invoke(floatOutputs), metric?.Invoke(quantizedOutputs), (double)agree / count, mismatches);
    }

    /// <summary>The runtime's reference layers for the declaration, with the parameters its attributes state.</summary>
    internal static DenseReferenceLayer[] ReferenceLayers(QuantizedDeclaration quantized)
    {
        var layers = new DenseReferenceLayer[quantized.Layers.Count];
        QuantizationParameters input = quantized.Input;
        for (int i = 0; i < layers.Length; i++)
        {
            QuantizedDenseLayer l = quantized.Layers[i];
            layers[i] = new DenseReferenceLayer(
                l.Inputs, l.Outputs, QuantType.UInt8, input.Scale, input.ZeroPoint, QuantType.Int8,
                l.Weights.Select(w => (byte)w).ToArray(), l.WeightScales, new[] { 0 }, l.Bias,
                l.Output.Scale, l.Output.ZeroPoint, l.Activation, perChannelScales: l.WeightScales.Length > 1);
            input = l.Output;
        }
        return layers;
    }

    private static int ArgMax(float[] values) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(values);
}
