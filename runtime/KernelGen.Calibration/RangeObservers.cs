using System;

namespace KernelGen.Calibration;

/// <summary>Records the range of one tensor over a calibration run, batch by batch.</summary>
public interface IRangeObserver
{
    /// <summary>Adds one batch of the tensor's values (any number; an empty batch changes nothing).</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite (named by its index); the observer is unchanged.</exception>
    void Observe(ReadOnlySpan<float> values);

    /// <summary>True once a non-empty batch has been observed.</summary>
    bool HasObserved { get; }

    /// <summary>The range the observer settles on.</summary>
    /// <exception cref="InvalidOperationException">Nothing has been observed.</exception>
    (float Min, float Max) Range { get; }
}

/// <summary>The smallest and largest value ever observed (Glow's profile, ONNX Runtime's MinMax calibrator).</summary>
public sealed class MinMaxObserver : IRangeObserver
{
    private float _min = float.PositiveInfinity, _max = float.NegativeInfinity;

    /// <inheritdoc/>
    public bool HasObserved { get; private set; }

    /// <inheritdoc/>
    public (float Min, float Max) Range
        => HasObserved ? (_min, _max) : throw new InvalidOperationException("MinMaxObserver: nothing has been observed yet.");

    /// <inheritdoc/>
    public void Observe(ReadOnlySpan<float> values)
    {
        if (!BatchRange.Of(values, out float min, out float max))
            return;
        _min = Math.Min(_min, min);
        _max = Math.Max(_max, max);
        HasObserved = true;
    }
}

/// <summary>
/// An exponential moving average of each batch's min and max (PyTorch's MovingAverageMinMaxObserver, ONNX Runtime's
/// MinMax calibrator with moving_average): the first batch sets the range, each later one moves it by
/// <see cref="AveragingConstant"/> toward its own: min += c * (batch min - min), likewise max. Less sensitive than
/// <see cref="MinMaxObserver"/> to a few outlying batches.
/// </summary>
public sealed class MovingAverageMinMaxObserver : IRangeObserver
{
    private float _min, _max;

    /// <summary>An observer moving by <paramref name="averagingConstant"/> per batch.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="averagingConstant"/> is not in (0, 1].</exception>
    public MovingAverageMinMaxObserver(float averagingConstant = 0.01f)
    {
        if (!(averagingConstant > 0f && averagingConstant <= 1f))
            throw new ArgumentOutOfRangeException(nameof(averagingConstant), averagingConstant, "The averaging constant must be in (0, 1].");
        AveragingConstant = averagingConstant;
    }

    /// <summary>How far each batch moves the range toward its own (0.01, PyTorch's and ONNX Runtime's default).</summary>
    public float AveragingConstant { get; }

    /// <inheritdoc/>
    public bool HasObserved { get; private set; }

    /// <inheritdoc/>
    public (float Min, float Max) Range
        => HasObserved ? (_min, _max) : throw new InvalidOperationException("MovingAverageMinMaxObserver: nothing has been observed yet.");

    /// <inheritdoc/>
    public void Observe(ReadOnlySpan<float> values)
    {
        if (!BatchRange.Of(values, out float min, out float max))
            return;
        if (!HasObserved)
        {
            _min = min;
            _max = max;
            HasObserved = true;
            return;
        }
        _min += AveragingConstant * (min - _min);
        _max += AveragingConstant * (max - _max);
    }
}

/// <summary>One batch's min and max, rejecting NaN and infinity.</summary>
internal static class BatchRange
{
    public static bool Of(ReadOnlySpan<float> values, out float min, out float max)
    {
        min = float.PositiveInfinity;
        max = float.NegativeInfinity;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v))
                throw new ArgumentException(FormattableString.Invariant($"Calibration value {i} of the batch is {v}: NaN or infinity cannot be quantized."), nameof(values));
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return values.Length > 0;
    }
}
