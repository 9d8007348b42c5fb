using System;
using System.Collections.Generic;

namespace KernelGen.Calibration;

/// <summary>The observed range of every tensor of a float model: index 0 the input, i + 1 layer i's output.</summary>
public sealed class CalibrationRanges
{
    internal CalibrationRanges(FloatModel model, (float Min, float Max)[] ranges, int samples)
    {
        Model = model;
        Ranges = ranges;
        Samples = samples;
    }

    /// <summary>The model observed.</summary>
    public FloatModel Model { get; }

    /// <summary>One range per tensor: the input, then each layer's output.</summary>
    public IReadOnlyList<(float Min, float Max)> Ranges { get; }

    /// <summary>Rows observed.</summary>
    public int Samples { get; }
}

/// <summary>Runs a float model over calibration rows and records each tensor's range with an observer.</summary>
public static class Calibrator
{
    /// <summary>
    /// Runs <paramref name="model"/> on every row of <paramref name="samples"/> (each <see cref="FloatModel.InputSize"/>
    /// values), feeding each tensor to its own observer from <paramref name="observer"/> (default
    /// <see cref="MinMaxObserver"/>), and reports the rows done to <paramref name="progress"/> every 100 rows and at the end.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, a row of the wrong length (named by its index), or a NaN or infinity in
    /// a row or in a layer's output (named by the row and tensor).</exception>
    public static CalibrationRanges Observe(FloatModel model, IEnumerable<float[]> samples, Func<IRangeObserver>? observer = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        observer ??= () => new MinMaxObserver();
        float[][] tensors = model.CreateTensors();
        var observers = new IRangeObserver[tensors.Length];
        for (int t = 0; t < observers.Length; t++)
            observers[t] = observer();
        int rows = 0;
        foreach (float[] row in samples)
        {
            if (row is null || row.Length != model.InputSize)
                throw new ArgumentException($"Calibration row {rows} has {row?.Length ?? 0} values, the model takes {model.InputSize}.", nameof(samples));
            model.Run(row, tensors);
            for (int t = 0; t < tensors.Length; t++)
            {
                try
                {
                    observers[t].Observe(tensors[t]);
                }
                catch (ArgumentException error)
                {
                    string tensor = t == 0 ? "the input" : $"the output of layer '{model.Layers[t - 1].Name}'";
                    throw new ArgumentException($"Calibration row {rows}, {tensor}: {error.Message}", nameof(samples), error);
                }
            }
            rows++;
            if (rows % 100 == 0)
                progress?.Report(rows);
        }
        if (rows == 0)
            throw new ArgumentException("No calibration rows were given.", nameof(samples));
        progress?.Report(rows);
        var ranges = new (float Min, float Max)[observers.Length];
        for (int t = 0; t < ranges.Length; t++)
            ranges[t] = observers[t].Range;
        return new CalibrationRanges(model, ranges, rows);
    }
}
