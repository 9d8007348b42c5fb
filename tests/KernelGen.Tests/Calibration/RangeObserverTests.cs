using System;
using KernelGen.Calibration;
using Xunit;

namespace KernelGen.Tests.Calibration;

/// <summary>MinMax and moving-average observers on hand-computed batches, and their errors.</summary>
public sealed class RangeObserverTests
{
    [Fact]
    public void MinMax_KeepsTheExtremesOfEveryBatch()
    {
        var observer = new MinMaxObserver();
        Assert.False(observer.HasObserved);
        Assert.Throws<InvalidOperationException>(() => observer.Range);
        observer.Observe(new[] { 0.5f, -1f, 2f });
        observer.Observe(ReadOnlySpan<float>.Empty);
        observer.Observe(new[] { 3f, 0f });
        observer.Observe(new[] { -0.25f });
        Assert.True(observer.HasObserved);
        Assert.Equal((-1f, 3f), observer.Range);
    }

    [Fact]
    public void MovingAverage_FirstBatchSetsTheRange_LaterOnesMoveItByTheConstant()
    {
        var observer = new MovingAverageMinMaxObserver(0.5f);
        observer.Observe(new[] { -2f, 4f });
        Assert.Equal((-2f, 4f), observer.Range);
        observer.Observe(new[] { 0f, 2f });       // min -2 + 0.5 * (0 + 2) = -1; max 4 + 0.5 * (2 - 4) = 3
        Assert.Equal((-1f, 3f), observer.Range);
        observer.Observe(new[] { -5f, 7f });      // -1 + 0.5 * (-4) = -3; 3 + 0.5 * 4 = 5
        Assert.Equal((-3f, 5f), observer.Range);
        Assert.Equal(0.01f, new MovingAverageMinMaxObserver().AveragingConstant);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MovingAverageMinMaxObserver(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MovingAverageMinMaxObserver(1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MovingAverageMinMaxObserver(float.NaN));
    }

    [Fact]
    public void NaNOrInfinity_IsAClearError_AndLeavesTheObserverUnchanged()
    {
        foreach (IRangeObserver observer in new IRangeObserver[] { new MinMaxObserver(), new MovingAverageMinMaxObserver() })
        {
            observer.Observe(new[] { -1f, 1f });
            var error = Assert.Throws<ArgumentException>(() => observer.Observe(new[] { 5f, float.NaN, -7f }));
            Assert.Contains("value 1", error.Message);
            Assert.Contains("NaN or infinity", error.Message);
            Assert.Throws<ArgumentException>(() => observer.Observe(new[] { float.PositiveInfinity }));
            Assert.Equal((-1f, 1f), observer.Range);
        }
    }
}

/// <summary>The percentile observer against numpy's linear quantile, computed by hand.</summary>
public sealed class PercentileObserverTests
{
    [Fact]
    public void Asymmetric_CutsEachTailByHalfTheRest()
    {
        // 0..100 in 101 values: percentile 90 cuts 5 % per side: quantile(0.05) = 5, quantile(0.95) = 95.
        var observer = new PercentileObserver(90);
        float[] values = new float[101];
        for (int i = 0; i < values.Length; i++)
            values[i] = 100 - i;
        observer.Observe(values.AsSpan(0, 50));
        observer.Observe(values.AsSpan(50));
        Assert.Equal((5f, 95f), observer.Range);

        // Interpolation: [0, 10] (n = 2), percentile 80: q = 0.1 -> 1, q = 0.9 -> 9.
        var two = new PercentileObserver(80);
        two.Observe(new[] { 10f, 0f });
        Assert.Equal((1f, 9f), two.Range);

        // 100: the plain min and max.
        var all = new PercentileObserver(100);
        all.Observe(new[] { 3f, -7f, 1f });
        Assert.Equal((-7f, 3f), all.Range);
    }

    [Fact]
    public void Symmetric_TakesThePercentileOfTheMagnitudes()
    {
        // |x| = 0..100 with alternating signs; 99th percentile of |x| = 99.
        var observer = new PercentileObserver(99, symmetric: true);
        for (int i = 0; i <= 100; i++)
            observer.Observe(new[] { i % 2 == 0 ? i : -(float)i });
        Assert.Equal((-99f, 99f), observer.Range);
    }

    [Fact]
    public void PastTheSampleBudget_AReservoirKeepsTheQuantilesClose_AndRerunsAgree()
    {
        var random = new Random(5);
        float[] data = new float[200000];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)random.NextDouble();
        var a = new PercentileObserver(98, maxSamples: 10000);
        var b = new PercentileObserver(98, maxSamples: 10000);
        a.Observe(data);
        b.Observe(data);
        Assert.Equal(a.Range, b.Range);
        // Uniform [0, 1): the 1 % and 99 % quantiles are near 0.01 and 0.99.
        Assert.InRange(a.Range.Min, 0.005f, 0.015f);
        Assert.InRange(a.Range.Max, 0.985f, 0.995f);
    }

    [Fact]
    public void BadArguments_AndNaN_AreClearErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PercentileObserver(50));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PercentileObserver(100.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PercentileObserver(99, maxSamples: 0));
        var observer = new PercentileObserver();
        Assert.Throws<InvalidOperationException>(() => observer.Range);
        observer.Observe(new[] { 1f });
        Assert.Throws<ArgumentException>(() => observer.Observe(new[] { 2f, float.NaN }));
        Assert.Equal((1f, 1f), observer.Range);
    }
}
