using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KernelGen.Calibration;
using KernelGen.Tests.Infrastructure;
using Xunit;

namespace KernelGen.Tests.Calibration;

/// <summary>
/// From a float model to a compiled int8 model: random float MLPs are calibrated, their declaration is generated,
/// compiled through the real generator and run; the dequantized int8 outputs stay within the quantization error of the
/// float outputs on held-out rows, and the same inputs write the same text.
/// </summary>
public sealed class DeclarationTests
{
    [Theory]
    [InlineData(11, true, false)]
    [InlineData(12, false, false)]
    [InlineData(13, true, true)]
    public void RandomFloatModels_CompileThroughTheGenerator_AndStayWithinTheQuantizationError(int seed, bool perChannel, bool reducedRange)
    {
        var random = new Random(seed);
        FloatModel model = RandomMlp(random, new[] { 24, 40, 33, 10 });
        List<float[]> calibration = Rows(random, model.InputSize, 400);
        List<float[]> heldOut = Rows(random, model.InputSize, 200);

        CalibrationRanges ranges = Calibrator.Observe(model, calibration);
        QuantizedDeclaration declaration = QuantizedDeclaration.From(ranges, perChannel, reducedRange);
        string source = declaration.Write("Calibrated", "Mlp");
        Assert.Equal(source, QuantizedDeclaration.From(Calibrator.Observe(model, calibration), perChannel, reducedRange).Write("Calibrated", "Mlp"));

        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assembly assembly = ModelLoader.Load(run, new[] { source }, PinnedPath.Native);
        var compiled = new LoadedModel(assembly, "Calibrated.Mlp", signed: false);
        if (reducedRange)
        {
            // 7-bit weights: the saturation proof accepts vpmaddubsw for every layer.
            string generated = run.Files.Single().Source;
            Assert.DoesNotContain("_Widen_", generated);
            Assert.DoesNotContain("_I16_", generated);
        }

        QuantizationParameters input = declaration.Input, output = declaration.Layers[^1].Output;
        float[][] tensors = model.CreateTensors();
        double sumError = 0, maxError = 0;
        int count = 0;
        foreach (float[] row in heldOut)
        {
            byte[] q = row.Select(v => (byte)input.Quantize(v)).ToArray();
            byte[] y = new byte[model.OutputSize];
            compiled.Run(q, y);
            model.Run(row, tensors);
            for (int j = 0; j < y.Length; j++)
            {
                double error = Math.Abs(output.Dequantize(y[j]) - tensors[^1][j]);
                sumError += error;
                maxError = Math.Max(maxError, error);
                count++;
            }
        }
        double mean = sumError / count;

        // The accuracy report over the same rows: the compiled Run equals the reference ops byte for byte, its last
        // tensor's error is the one measured above, and every layer keeps a usable signal-to-noise ratio.
        List<int> labels = heldOut.Select(r => { model.Run(r, tensors); return ArgMax(tensors[^1]); }).ToList();
        AccuracyReport report = Accuracy.Evaluate(model, declaration, heldOut, Accuracy.Top1(labels), (i, o) => compiled.Run(i, o));
        Assert.Equal(0, report.CompiledMismatches);
        Assert.Equal(heldOut.Count, report.Rows);
        Assert.Equal(new[] { "input", "L0", "L1", "L2" }, report.Tensors.Select(t => t.Tensor));
        Assert.Equal(mean, report.Tensors[^1].MeanAbsError, 9);
        Assert.Equal(maxError, report.Tensors[^1].MaxAbsError, 9);
        Assert.All(report.Tensors, t => Assert.True(t.Sqnr > 25, $"{t.Tensor}: SQNR {t.Sqnr:F1} dB"));
        Assert.Equal(1.0, report.FloatMetric);
        Assert.Equal(report.Agreement, report.QuantizedMetric!.Value, 12);
        Assert.True(report.Agreement > 0.9, report.ToTable());
        Assert.Contains("| L2 |", report.ToTable());
        // Three requantized layers: each adds up to half an output step of rounding plus the propagated input and
        // weight rounding. Measured for these three models: mean 0.32 to 0.45 output steps, max 1.4 (per channel) to
        // 6.7 (per-tensor weights). A wrong scale, zero point or bias would be off by many steps on most outputs.
        Assert.True(mean < 1.0 * output.Scale, $"mean |int8 - float| = {mean:G4} = {mean / output.Scale:F2} output steps");
        Assert.True(maxError < 8 * output.Scale, $"max |int8 - float| = {maxError:G4} = {maxError / output.Scale:F2} output steps");
    }

    [Fact]
    public void BadNamesAndModels_AreClearErrors()
    {
        var random = new Random(3);
        FloatModel model = RandomMlp(random, new[] { 4, 3 });
        QuantizedDeclaration declaration = QuantizedDeclaration.From(Calibrator.Observe(model, Rows(random, 4, 10)));
        Assert.Throws<ArgumentException>(() => declaration.Write("Ns", "2Bad"));
        Assert.Throws<ArgumentException>(() => declaration.Write("Ns..X", "Good"));
        Assert.Contains("row 1 has 3 values", Assert.Throws<ArgumentException>(() => Calibrator.Observe(model, new[] { new float[4], new float[3] })).Message);
        Assert.Contains("No calibration rows", Assert.Throws<ArgumentException>(() => Calibrator.Observe(model, Array.Empty<float[]>())).Message);
        Assert.Contains("row 0, the input", Assert.Throws<ArgumentException>(() => Calibrator.Observe(model, new[] { new[] { 0f, float.NaN, 0f, 0f } })).Message);
        Assert.Contains("takes 5 inputs", Assert.Throws<ArgumentException>(() => model.Add(new FloatDenseLayer("x", 5, 2, new float[10]))).Message);
        Assert.Contains("already in the model", Assert.Throws<ArgumentException>(() => model.Add(new FloatDenseLayer("L0", 3, 2, new float[6]))).Message);
        Assert.Contains("weight 1 is NaN", Assert.Throws<ArgumentException>(() => new FloatDenseLayer("y", 1, 2, new[] { 0f, float.NaN })).Message);
        Assert.Contains("expected 2 x 2 = 4", Assert.Throws<ArgumentException>(() => new FloatDenseLayer("z", 2, 2, new float[3])).Message);
    }

    [Fact]
    public void AccuracyReport_OfAnExactModel_ShowsNoError()
    {
        // y = x on [0, 1], inputs on the uint8 grid: input scale 1/255, weight 127 at scale 1/127, output scale 1/255,
        // so the int8 model reproduces every input up to float rounding.
        var model = new FloatModel(2).Add(new FloatDenseLayer("id", 2, 2, new[] { 1f, 0f, 0f, 1f }));
        List<float[]> rows = Enumerable.Range(0, 256).Select(k => new[] { k / 255f, (255 - k) / 255f }).ToList();
        QuantizedDeclaration declaration = QuantizedDeclaration.From(Calibrator.Observe(model, rows));
        Assert.Equal(new[] { 127, 0, 0, 127 }, declaration.Layers[0].Weights.Select(w => (int)w));
        AccuracyReport report = Accuracy.Evaluate(model, declaration, rows);
        Assert.All(report.Tensors, t => Assert.True(t.MaxAbsError < 1e-6 && t.Sqnr > 100, $"{t.Tensor}: {t}"));
        Assert.Null(report.FloatMetric);
        Assert.Null(report.CompiledMismatches);
        Assert.Contains("256 rows", report.ToTable());
        Assert.Throws<ArgumentException>(() => Accuracy.Evaluate(model, declaration, Array.Empty<float[]>()));
    }

    private static int ArgMax(float[] values) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(values);

    private static FloatModel RandomMlp(Random random, int[] sizes)
    {
        var model = new FloatModel(sizes[0]);
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            int k = sizes[i], n = sizes[i + 1];
            float spread = (float)(1.5 / Math.Sqrt(k));
            float[] weights = Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() * 2 - 1) * spread).ToArray();
            float[] bias = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray();
            bool last = i + 2 == sizes.Length;
            model.Add(new FloatDenseLayer("L" + i, k, n, weights, bias, last ? Activation.None : Activation.Relu));
        }
        return model;
    }

    private static List<float[]> Rows(Random random, int size, int count)
        => Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, size).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToList();
}
