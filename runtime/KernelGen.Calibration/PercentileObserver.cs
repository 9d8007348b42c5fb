using System;
using System.Collections.Generic;

namespace KernelGen.Calibration;

/// <summary>
/// A range that clips the rarest values: the <see cref="Percentile"/>-th percentile of the observed values, so a few
/// outliers do not stretch the scale for all the others. Symmetric (TensorRT's and pytorch-quantization's percentile
/// calibration): [-t, t] with t the percentile of |x|. Asymmetric (ONNX Runtime's percentile calibrator): each tail
/// loses (100 - percentile) / 2 percent, [quantile(c), quantile(1 - c)] with c = (100 - percentile) / 200.
/// </summary>
/// <remarks>
/// Quantiles are exact order statistics with linear interpolation between neighbours (numpy's default, index
/// q * (n - 1)) over the kept values: every value up to <see cref="MaxSamples"/>, beyond that a uniform reservoir sample
/// of that many (Vitter's algorithm R with a fixed seed, so a rerun on the same data gives the same range).
/// </remarks>
public sealed class PercentileObserver : IRangeObserver
{
    private readonly List<float> _samples = new();
    private readonly Random _random = new(20261125);
    private long _seen;

    /// <summary>An observer for the given percentile (99.99 by default), symmetric or not, keeping at most
    /// <paramref name="maxSamples"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not in (50, 100], or
    /// <paramref name="maxSamples"/> is below 1.</exception>
    public PercentileObserver(double percentile = 99.99, bool symmetric = false, int maxSamples = 1 << 22)
    {
        if (!(percentile > 50 && percentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be in (50, 100].");
        if (maxSamples < 1)
            throw new ArgumentOutOfRangeException(nameof(maxSamples), maxSamples, "At least one sample must be kept.");
        Percentile = percentile;
        Symmetric = symmetric;
        MaxSamples = maxSamples;
    }

    /// <summary>The percentile kept, e.g. 99.99.</summary>
    public double Percentile { get; }

    /// <summary>Whether the range is [-t, t] from the percentile of |x|.</summary>
    public bool Symmetric { get; }

    /// <summary>Most values kept for the quantiles (4,194,304 by default: 16 MB).</summary>
    public int MaxSamples { get; }

    /// <inheritdoc/>
    public bool HasObserved => _seen > 0;

    /// <inheritdoc/>
    public void Observe(ReadOnlySpan<float> values)
    {
        BatchRange.Of(values, out _, out _);   // rejects NaN and infinity before anything is kept
        foreach (float v in values)
        {
            float kept = Symmetric ? Math.Abs(v) : v;
            _seen++;
            if (_samples.Count < MaxSamples)
            {
                _samples.Add(kept);
            }
            else
            {
                long slot = _random.NextInt64(_seen);
                if (slot < MaxSamples)
                    _samples[(int)slot] = kept;
            }
        }
    }

    /// <inheritdoc/>
    public (float Min, float Max) Range
    {
        get
        {
            if (!HasObserved)
                throw new InvalidOperationException("PercentileObserver: nothing has been observed yet.");
            float[] sorted = _samples.ToArray();
            Array.Sort(sorted);
            if (Symmetric)
            {
                float t = Quantile(sorted, Percentile / 100);
                return (-t, t);
            }
            double cut = (100 - Percentile) / 200;
            return (Quantile(sorted, cut), Quantile(sorted, 1 - cut));
        }
    }

    /// <summary>numpy.quantile's default ("linear"): the value at index q * (n - 1), interpolated between its neighbours.</summary>
    internal static float Quantile(float[] sorted, double q)
    {
        double index = q * (sorted.Length - 1);
        int below = (int)Math.Floor(index);
        int above = Math.Min(below + 1, sorted.Length - 1);
        double fraction = index - below;
        return (float)(sorted[below] + (sorted[above] - (double)sorted[below]) * fraction);
    }
}
