using System;
using KernelGen.Quantization;
using KernelGen.Reference;

namespace KernelGen.Tests.Runtime;

/// <summary><see cref="ConcatReferenceLayer"/> on cases worked through by hand.</summary>
public sealed class ConcatReferenceLayerTests
{
    [Fact]
    public void FeatureMaps_InterleaveChannelsPerPosition()
    {
        // H = 1, W = 2; input A has 2 channels, B has 1, both at the output's scale and zero point (copied as they are):
        // NHWC output = [a(0,0), a(0,1), b(0), a(1,0), a(1,1), b(1)].
        var layer = new ConcatReferenceLayer(1, 2, new[] { 2, 1 }, QuantType.UInt8, new[] { 0.5f, 0.5f }, new[] { 7, 7 }, 0.5f, 7);
        Assert.Equal(3, layer.OutputChannels);
        Assert.Equal(6, layer.OutputBytes);
        var output = new byte[6];
        layer.Run(new[] { new byte[] { 1, 2, 3, 4 }, new byte[] { 250, 0 } }, output);
        Assert.Equal(new byte[] { 1, 2, 250, 3, 4, 0 }, output);
    }

    [Fact]
    public void Vectors_RescaleAnInputWithAnotherScale()
    {
        // Output scale 0.5, zero point 128 (the first input's: copied). Second input scale 1, zero point 0:
        // real q -> q / 0.5 = 2q steps -> 128 + 2q. Fixed point: QuantizeMultiplier(1 / 0.5 = 2) = (2^30, shift 1 + 1 = 2):
        // (q << 2) * 2^30 / 2^31 = 2q exactly. q = 10 -> 148; q = 100 -> 328, clamped to 255; q = 0 -> 128.
        foreach (RequantizationScheme scheme in new[] { RequantizationScheme.FixedPoint, RequantizationScheme.Float })
        {
            var layer = new ConcatReferenceLayer(1, 1, new[] { 3, 3 }, QuantType.UInt8, new[] { 0.5f, 1f }, new[] { 128, 0 }, 0.5f, 128, scheme);
            var output = new byte[6];
            layer.Run(new[] { new byte[] { 0, 128, 255 }, new byte[] { 10, 100, 0 } }, output);
            Assert.Equal(new byte[] { 0, 128, 255, 148, 255, 128 }, output);
        }
    }

    [Theory]
    // Input scale 0.75, output scale 1, both zero points 100 (uint8): q - 100 = d becomes 0.75 * d steps.
    // Fixed point: M = round(0.75 * 2^31) = 1610612736, shift 0; SaturatingRoundingDoublingHighMul rounds ties up
    // (nudge 2^30 for a non-negative product, 1 - 2^30 for a negative one, then truncation):
    //   d = 2: 1.5 -> 2; d = 6: 4.5 -> 5; d = -2: -1.5 -> -1; d = -6: -4.5 -> -4.
    // Float (ONNX Runtime's QLinearConcat tables): round half to even: 2, 4, -2, -4.
    [InlineData(RequantizationScheme.FixedPoint, new[] { 102, 106, 98, 94, 200, 0 }, new[] { 102, 105, 99, 96, 175, 25 })]
    [InlineData(RequantizationScheme.Float, new[] { 102, 106, 98, 94, 200, 0 }, new[] { 102, 104, 98, 96, 175, 25 })]
    public void Rescale_RoundsPerScheme(RequantizationScheme scheme, int[] input, int[] expected)
    {
        var layer = new ConcatReferenceLayer(1, 1, new[] { 1, input.Length }, QuantType.UInt8, new[] { 1f, 0.75f }, new[] { 100, 100 }, 1f, 100, scheme);
        var output = new byte[1 + input.Length];
        layer.Run(new[] { new byte[] { 42 }, Array.ConvertAll(input, v => (byte)v) }, output);
        Assert.Equal(42, output[0]);
        Assert.Equal(expected, Array.ConvertAll(output[1..], v => (int)v));
    }

    [Fact]
    public void Int8_ThreeInputsWithTheirOwnZeroPoints()
    {
        // Output scale 0.1, zero point -10. Input 0: identical (copied). Input 1: scale 0.2, zero point 5: (q - 5) * 2 - 10.
        // Input 2: scale 0.05, zero point 0: q / 2 - 10, q = 3 -> 1.5; fixed point rounds the tie up to 2 (-8),
        // float to even 2 (-8); q = -3 -> -1.5: fixed point -1 (-11), float -2 (-12).
        var fixedPoint = new ConcatReferenceLayer(1, 1, new[] { 2, 2, 2 }, QuantType.Int8, new[] { 0.1f, 0.2f, 0.05f }, new[] { -10, 5, 0 }, 0.1f, -10);
        var output = new byte[6];
        byte[] a = { unchecked((byte)-128), 127 };
        byte[] b = { 5, 100 };
        byte[] c = { 3, unchecked((byte)-3) };
        fixedPoint.Run(new[] { a, b, c }, output);
        Assert.Equal(new sbyte[] { -128, 127, -10, 127, -8, -11 }, (sbyte[])(Array)output);

        var asFloat = new ConcatReferenceLayer(1, 1, new[] { 2, 2, 2 }, QuantType.Int8, new[] { 0.1f, 0.2f, 0.05f }, new[] { -10, 5, 0 }, 0.1f, -10,
            RequantizationScheme.Float);
        asFloat.Run(new[] { a, b, c }, output);
        Assert.Equal(new sbyte[] { -128, 127, -10, 127, -8, -12 }, (sbyte[])(Array)output);
    }

    [Fact]
    public void EveryValueIsRescale_Apply_OnRandomFeatureMaps()
    {
        var random = new Random(7);
        int height = 3, width = 2;
        int[] channels = { 3, 1, 4 };
        float[] scales = { 0.02f, 0.05f, 0.013f };
        int[] zeroPoints = { -3, 20, -128 };
        foreach (RequantizationScheme scheme in new[] { RequantizationScheme.FixedPoint, RequantizationScheme.Float })
        {
            var layer = new ConcatReferenceLayer(height, width, channels, QuantType.Int8, scales, zeroPoints, 0.03f, 4, scheme);
            var inputs = new byte[3][];
            for (int i = 0; i < 3; i++)
            {
                inputs[i] = new byte[height * width * channels[i]];
                random.NextBytes(inputs[i]);
            }
            var output = new byte[layer.OutputBytes];
            layer.Run(inputs, output);
            for (int p = 0; p < height * width; p++)
            {
                int o = p * 8;
                for (int i = 0; i < 3; i++)
                {
                    for (int k = 0; k < channels[i]; k++)
                    {
                        int expected = Rescale.Apply((sbyte)inputs[i][p * channels[i] + k], scheme, scales[i], zeroPoints[i], 0.03f, 4, -128, 127);
                        Assert.Equal(expected, (sbyte)output[o++]);
                    }
                }
            }
        }
    }

    [Fact]
    public void ChecksItsDeclarationAndInputs()
    {
        Assert.Throws<ArgumentException>(() => new ConcatReferenceLayer(1, 1, Array.Empty<int>(), QuantType.UInt8, Array.Empty<float>(), Array.Empty<int>(), 1f, 0));
        Assert.Throws<ArgumentException>(() => new ConcatReferenceLayer(1, 1, new[] { 1, 2 }, QuantType.UInt8, new[] { 1f }, new[] { 0, 0 }, 1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcatReferenceLayer(1, 1, new[] { 1, 0 }, QuantType.UInt8, new[] { 1f, 1f }, new[] { 0, 0 }, 1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcatReferenceLayer(1, 1, new[] { 1 }, QuantType.Int32, new[] { 1f }, new[] { 0 }, 1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcatReferenceLayer(1, 1, new[] { 1 }, QuantType.Int8, new[] { 1f }, new[] { 200 }, 1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcatReferenceLayer(1, 1, new[] { 1 }, QuantType.Int8, new[] { -1f }, new[] { 0 }, 1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcatReferenceLayer(0, 1, new[] { 1 }, QuantType.Int8, new[] { 1f }, new[] { 0 }, 1f, 0));

        var layer = new ConcatReferenceLayer(2, 1, new[] { 1, 2 }, QuantType.UInt8, new[] { 1f, 1f }, new[] { 0, 0 }, 1f, 0);
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[2] }, new byte[6]));
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[2], new byte[2] }, new byte[6]));
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[2], new byte[4] }, new byte[5]));
    }
}
