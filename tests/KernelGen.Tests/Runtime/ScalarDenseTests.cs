using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Kernels;
using KernelGen.Quantization;
using KernelGen.Reference;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// The scalar fallback over folded constants and packed weights, against the plain reference that computes from the
/// declared parameters. The test packs and folds by itself, following <see cref="PackedDense"/>'s documentation:
/// v = int8 weight (uint8 weight - 128), z_in' = input zero point (+128 for int8 inputs), z_w' = weight zero point
/// (-128 for uint8 weights), c_j = bias_j - z_in' * sum_k v_jk + K * z_in' * z_w'_j.
/// </summary>
public sealed class ScalarDenseTests
{
    private static readonly int[] Sizes = { 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 32, 33, 40, 65, 70, 100 };

    // ---- DensePacking layout ---------------------------------------------------------------------------------------

    [Theory]
    // offset = firstBlock * groups * 32 + group * width * 32 + (block - firstBlock) * 32 + lane * 4 + k % 4
    // K = 5 -> 2 groups; N = 40 -> 5 blocks -> tiles [0..3] (width 4) and [4] (width 1).
    [InlineData(0, 0, 5, 40, 0)]
    [InlineData(0, 3, 5, 40, 3)]
    [InlineData(1, 0, 5, 40, 4)]            // lane 1
    [InlineData(8, 0, 5, 40, 32)]           // block 1 of tile 0
    [InlineData(0, 4, 5, 40, 128)]          // group 1 of tile 0: 1 * 4 * 32
    [InlineData(9, 5, 5, 40, 165)]          // 0 + 1*4*32 + 1*32 + 1*4 + 1
    [InlineData(32, 0, 5, 40, 256)]         // tile 1 starts after 4 blocks * 2 groups * 32
    [InlineData(33, 6, 5, 40, 294)]         // 4*2*32 + 1*1*32 + 0 + 1*4 + 2
    [InlineData(39, 4, 5, 40, 288 + 28)]    // 256 + 32 + 7*4 + 0
    [InlineData(2, 0, 1, 3, 8)]             // K = 1, N = 3: one group, one block
    public void DensePacking_OffsetHandComputed(int column, int k, int inputs, int outputs, int expected)
    {
        Assert.Equal(expected, DensePacking.Offset(column, k, inputs, outputs));
    }

    [Fact]
    public void DensePacking_OffsetIsABijectionOntoThePaddedLayout()
    {
        foreach (int inputs in Sizes)
        {
            foreach (int outputs in Sizes)
            {
                int length = DensePacking.PackedLength(inputs, outputs);
                Assert.Equal(DensePacking.PaddedOutputs(outputs) * DensePacking.Groups(inputs) * 4, length);
                var seen = new bool[length];
                int paddedK = DensePacking.Groups(inputs) * 4;
                for (int column = 0; column < DensePacking.PaddedOutputs(outputs); column++)
                {
                    for (int k = 0; k < paddedK; k++)
                    {
                        int offset = DensePacking.Offset(column, k, inputs, outputs);
                        Assert.InRange(offset, 0, length - 1);
                        Assert.False(seen[offset], $"K={inputs} N={outputs}: ({column}, {k}) reuses offset {offset}");
                        seen[offset] = true;
                    }
                }
            }
        }
    }

    // ---- ScalarDense against ReferenceOps.Dense --------------------------------------------------------------------

    [Fact]
    public void ScalarDense_MatchesReferenceOnRandomLayers()
    {
        var random = new Random(20261124);
        int layers = 0, compared = 0, unclamped = 0;
        foreach (QuantType activationType in new[] { QuantType.UInt8, QuantType.Int8 })
        {
            foreach (QuantType weightType in new[] { QuantType.Int8, QuantType.UInt8 })
            {
                for (int i = 0; i < 30; i++)
                {
                    int inputs = Sizes[random.Next(Sizes.Length)];
                    int outputs = Sizes[random.Next(Sizes.Length)];
                    var options = new LayerOptions(
                        PerChannel: random.Next(2) == 0,
                        AsymmetricWeights: random.Next(3) == 0,
                        Bias: random.Next(5) != 0,
                        Activation: (Activation)random.Next(3),
                        LargeMultiplier: random.Next(6) == 0,
                        ExplicitZeroArrays: random.Next(2) == 0);
                    DenseReferenceLayer layer = RandomLayer(random, inputs, outputs, activationType, weightType, options);
                    (compared, unclamped) = Compare(layer, random, options.ExplicitZeroArrays, rows: 6, compared, unclamped);
                    layers++;
                }
            }
        }
        Assert.Equal(120, layers);
        // Not vacuous: a good share of outputs lie strictly inside the clamp range.
        Assert.True(unclamped > compared / 4, $"only {unclamped} of {compared} outputs unclamped");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 9)]
    [InlineData(7, 1)]
    [InlineData(3, 33)]
    [InlineData(5, 41)]       // a partial last tile and a partial last block
    [InlineData(67, 70)]
    public void ScalarDense_MatchesReferenceOnEdgeShapesForEveryTypeCombination(int inputs, int outputs)
    {
        var random = new Random(inputs * 1000 + outputs);
        int compared = 0, unclamped = 0;
        foreach (QuantType activationType in new[] { QuantType.UInt8, QuantType.Int8 })
        {
            foreach (QuantType weightType in new[] { QuantType.Int8, QuantType.UInt8 })
            {
                foreach (bool perChannel in new[] { false, true })
                {
                    foreach (bool asymmetric in new[] { false, true })
                    {
                        var options = new LayerOptions(perChannel, asymmetric, Bias: true, (Activation)random.Next(3), LargeMultiplier: false, ExplicitZeroArrays: false);
                        DenseReferenceLayer layer = RandomLayer(random, inputs, outputs, activationType, weightType, options);
                        (compared, unclamped) = Compare(layer, random, explicitZeroArrays: false, rows: 4, compared, unclamped);
                    }
                }
            }
        }
        Assert.Equal(16 * 4 * outputs, compared);
    }

    [Fact]
    public void ScalarDense_MultipliersAboveOneUseLeftShifts()
    {
        var random = new Random(77);
        bool sawLeftShift = false;
        int compared = 0, unclamped = 0;
        for (int i = 0; i < 20; i++)
        {
            var options = new LayerOptions(PerChannel: true, AsymmetricWeights: false, Bias: true, Activation.None, LargeMultiplier: true, ExplicitZeroArrays: false);
            DenseReferenceLayer layer = RandomLayer(random, 1 + random.Next(6), 1 + random.Next(20), QuantType.Int8, QuantType.Int8, options);
            Fold(layer, false, out _, out _, out _, out _, out int[] left, out _, out _, out _);
            sawLeftShift |= left.Any(s => s > 0);
            (compared, unclamped) = Compare(layer, random, explicitZeroArrays: false, rows: 8, compared, unclamped);
        }
        Assert.True(sawLeftShift);
        Assert.True(unclamped > 0);
    }

    [Fact]
    public void ScalarDense_WideLayerRentsAccumulatorsAndStillMatches()
    {
        // More than 1024 padded columns: the accumulators come from the array pool (possibly dirty on the second call).
        var random = new Random(1030);
        var options = new LayerOptions(PerChannel: true, AsymmetricWeights: true, Bias: true, Activation.None, LargeMultiplier: false, ExplicitZeroArrays: false);
        DenseReferenceLayer layer = RandomLayer(random, 3, 1030, QuantType.UInt8, QuantType.Int8, options);
        int compared = 0, unclamped = 0;
        (compared, unclamped) = Compare(layer, random, false, rows: 3, compared, unclamped);
        Assert.Equal(3 * 1030, compared);
    }

    [Fact]
    public void ScalarDense_ShortSpansThrowNamingBothLengths()
    {
        var random = new Random(1);
        var options = new LayerOptions(false, false, true, Activation.None, false, false);
        DenseReferenceLayer layer = RandomLayer(random, 5, 3, QuantType.UInt8, QuantType.Int8, options);
        Fold(layer, false, out sbyte[] w, out int[] c, out int[] zw, out int[] m, out int[] left, out int[] right, out int min, out int max);

        var shortInput = Assert.Throws<ArgumentException>(() =>
        {
            var packed = Pack(layer, w, c, zw, m, left, right, min, max);
            ScalarDense.Run(packed, new byte[4], new byte[3]);
        });
        Assert.Contains("4", shortInput.Message);
        Assert.Contains("5", shortInput.Message);
        Assert.Equal("input", shortInput.ParamName);

        var shortOutput = Assert.Throws<ArgumentException>(() =>
        {
            var packed = Pack(layer, w, c, zw, m, left, right, min, max);
            ScalarDense.Run(packed, new byte[5], new byte[2]);
        });
        Assert.Contains("2", shortOutput.Message);
        Assert.Contains("3", shortOutput.Message);
        Assert.Equal("output", shortOutput.ParamName);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private sealed record LayerOptions(bool PerChannel, bool AsymmetricWeights, bool Bias, Activation Activation, bool LargeMultiplier, bool ExplicitZeroArrays);

    private static double LogUniform(Random random, double min, double max)
        => Math.Exp(Math.Log(min) + random.NextDouble() * (Math.Log(max) - Math.Log(min)));

    private static int RandomInType(Random random, QuantType type)
        => random.Next(QuantizationMath.TypeMin(type), QuantizationMath.TypeMax(type) + 1);

    private static DenseReferenceLayer RandomLayer(Random random, int inputs, int outputs, QuantType activationType, QuantType weightType, LayerOptions options)
    {
        int channels = options.PerChannel ? outputs : 1;
        float inputScale = (float)LogUniform(random, 1e-3, 0.5);
        int inputZero = RandomInType(random, activationType);
        var weights = new byte[inputs * outputs];
        random.NextBytes(weights);
        float[] weightScales = Enumerable.Range(0, channels).Select(_ => (float)LogUniform(random, 1e-4, 0.1)).ToArray();
        int[] weightZeros = Enumerable.Range(0, channels)
            .Select(_ => options.AsymmetricWeights ? RandomInType(random, weightType) : weightType == QuantType.UInt8 ? 128 : 0)
            .ToArray();
        int[]? bias = options.Bias
            ? Enumerable.Range(0, outputs).Select(_ => random.Next(-inputs * 20000, inputs * 20000 + 1)).ToArray()
            : null;
        // Aim the multiplier so that typical accumulators land inside the output range (or far above one for left shifts).
        double multiplier = options.LargeMultiplier
            ? LogUniform(random, 1.5, 4000)
            : 1.0 / (200.0 * Math.Sqrt(inputs)) * Math.Pow(2, random.NextDouble() * 4 - 2);
        float outputScale = (float)(inputScale * (double)weightScales.Max() / multiplier);
        int outputZero = RandomInType(random, activationType);
        return new DenseReferenceLayer(inputs, outputs, activationType, inputScale, inputZero, weightType, weights, weightScales,
            weightZeros, bias, outputScale, outputZero, options.Activation);
    }

    /// <summary>Folds and packs the layer as PackedDense documents it.</summary>
    private static void Fold(DenseReferenceLayer layer, bool explicitZeroArrays, out sbyte[] packedWeights, out int[] foldedBias,
        out int[] weightZeroPoints, out int[] multipliers, out int[] leftShifts, out int[] rightShifts, out int clampMin, out int clampMax)
    {
        int k = layer.Inputs, n = layer.Outputs, padded = DensePacking.PaddedOutputs(n);
        bool signedInput = layer.ActivationType == QuantType.Int8;
        bool unsignedWeights = layer.WeightType == QuantType.UInt8;
        int inputZero = layer.InputZeroPoint + (signedInput ? 128 : 0);

        packedWeights = new sbyte[DensePacking.PackedLength(k, n)];
        foldedBias = new int[padded];
        var zw = new int[padded];
        multipliers = new int[padded];
        var left = new int[padded];
        rightShifts = new int[padded];
        for (int j = 0; j < n; j++)
        {
            int sumV = 0;
            for (int i = 0; i < k; i++)
            {
                byte raw = layer.Weights[j * k + i];
                int v = unsignedWeights ? raw - 128 : (sbyte)raw;
                packedWeights[DensePacking.Offset(j, i, k, n)] = (sbyte)v;
                sumV += v;
            }
            int weightZero = layer.WeightZeroPoints[layer.WeightZeroPoints.Length == 1 ? 0 : j] - (unsignedWeights ? 128 : 0);
            zw[j] = weightZero;
            int bias = layer.Bias?[j] ?? 0;
            foldedBias[j] = unchecked(bias - inputZero * sumV + k * inputZero * weightZero);

            float weightScale = layer.WeightScales[layer.WeightScales.Length == 1 ? 0 : j];
            QuantizationMath.QuantizeMultiplier(
                QuantizationMath.RequantizationMultiplier(layer.InputScale, weightScale, layer.OutputScale, layer.PerChannelScales), out int m, out int shift);
            multipliers[j] = m;
            left[j] = Math.Max(shift, 0);
            rightShifts[j] = Math.Max(-shift, 0);
        }
        weightZeroPoints = explicitZeroArrays || zw.Any(z => z != 0) ? zw : Array.Empty<int>();
        leftShifts = explicitZeroArrays || left.Any(s => s != 0) ? left : Array.Empty<int>();
        QuantizationMath.ActivationRange(layer.Activation, layer.OutputScale, layer.OutputZeroPoint, layer.ActivationType, out clampMin, out clampMax);
    }

    private static PackedDense Pack(DenseReferenceLayer layer, sbyte[] w, int[] c, int[] zw, int[] m, int[] left, int[] right, int min, int max)
        => new(layer.Inputs, layer.Outputs, layer.ActivationType == QuantType.Int8, w, c, zw,
            new PackedRequantization(m, left, right, ReadOnlySpan<float>.Empty, layer.OutputZeroPoint, min, max, layer.ActivationType));

    private static (int Compared, int Unclamped) Compare(DenseReferenceLayer layer, Random random, bool explicitZeroArrays, int rows, int compared, int unclamped)
    {
        Fold(layer, explicitZeroArrays, out sbyte[] w, out int[] c, out int[] zw, out int[] m, out int[] left, out int[] right, out int min, out int max);
        PackedDense packed = Pack(layer, w, c, zw, m, left, right, min, max);
        var input = new byte[layer.Inputs];
        var expected = new byte[layer.Outputs];
        // One spare byte past N: the kernel must write exactly N.
        var actual = new byte[layer.Outputs + 1];
        for (int r = 0; r < rows; r++)
        {
            if (r == 0) Array.Fill(input, layer.ActivationType == QuantType.Int8 ? (byte)0x80 : (byte)0);    // all type-min
            else if (r == 1) Array.Fill(input, layer.ActivationType == QuantType.Int8 ? (byte)0x7F : (byte)255); // all type-max
            else random.NextBytes(input);
            ReferenceOps.Dense(layer, input, expected);
            Array.Fill(actual, (byte)0xA5);
            ScalarDense.Run(packed, input, actual);
            for (int j = 0; j < layer.Outputs; j++)
            {
                if (expected[j] != actual[j])
                {
                    Assert.Fail($"K={layer.Inputs} N={layer.Outputs} {layer.ActivationType}/{layer.WeightType} per-channel={layer.WeightScales.Length > 1} " +
                        $"row {r} column {j}: scalar {actual[j]}, reference {expected[j]}");
                }
                int value = layer.ActivationType == QuantType.Int8 ? (sbyte)expected[j] : expected[j];
                if (value > min && value < max)
                    unclamped++;
                compared++;
            }
            Assert.Equal(0xA5, actual[layer.Outputs]);
        }
        return (compared, unclamped);
    }
}
