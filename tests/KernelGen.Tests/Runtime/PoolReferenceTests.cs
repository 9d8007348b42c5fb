using System;
using System.Collections.Generic;
using KernelGen.Quantization;
using KernelGen.Reference;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// The reference MaxPool, AveragePool and GlobalAveragePool on tiny inputs worked out by hand from TFLite's
/// reference_integer_ops pooling.h: padded positions are left out of the max and of the average's count, the average is
/// acc &gt; 0 ? (acc + n/2) / n : (acc - n/2) / n with C's truncating division; then the rescale to the output's scale
/// (TFLite Requantize in fixed point, or ONNX Dequantize + Quantize in float) and the activation clamp.
/// </summary>
public sealed class PoolReferenceTests
{
    private static byte[] Raw(params int[] values)
    {
        var raw = new byte[values.Length];
        for (int i = 0; i < raw.Length; i++)
            raw[i] = unchecked((byte)values[i]);
        return raw;
    }

    private static byte[] Run(IReferenceLayer layer, byte[] input)
    {
        var output = new byte[layer.OutputBytes];
        layer.Run(new[] { input }, output);
        return output;
    }

    [Fact]
    public void MaxPool_PaddingIsLeftOutOfTheMaxInt8()
    {
        // 3x3x2 int8 input (zp 0, above every value of channel 0), 2x2 window, stride 1, pads {top 1, left 1, 0, 0}:
        // OH = OW = floor((3 + 1 - 2) / 1) + 1 = 3; (y, x) reads rows y - 1, y and columns x - 1, x.
        // channel 0: [-5 -3 -8; -1 -7 -2; -9 -4 -6]      channel 1: [5 3 8; 1 7 2; 9 4 6]
        // (0,0): {-5} -> -5                    | {5} -> 5        (padding read as 0 or as the zero point would win)
        // (0,1): {-5 -3} -> -3                 | {5 3} -> 5
        // (0,2): {-3 -8} -> -3                 | {3 8} -> 8
        // (1,0): {-5 -1} -> -1                 | {5 1} -> 5
        // (1,1): {-5 -3 -1 -7} -> -1           | {5 3 1 7} -> 7
        // (1,2): {-3 -8 -7 -2} -> -2           | {3 8 7 2} -> 8
        // (2,0): {-1 -9} -> -1                 | {1 9} -> 9
        // (2,1): {-1 -7 -9 -4} -> -1           | {1 7 9 4} -> 9
        // (2,2): {-7 -2 -4 -6} -> -2           | {7 2 4 6} -> 7
        int[] channel0 = { -5, -3, -8, -1, -7, -2, -9, -4, -6 };
        var input = new int[18];
        for (int p = 0; p < 9; p++) { input[2 * p] = channel0[p]; input[2 * p + 1] = -channel0[p]; }
        var layer = new MaxPoolReferenceLayer(3, 3, 2, 2, 2, new[] { 1, 1 }, new[] { 1, 1, 0, 0 }, QuantType.Int8, 0.5f, 0, 0.5f, 0);
        Assert.False(layer.Rescaled);
        Assert.Equal((3, 3), (layer.OutputHeight, layer.OutputWidth));
        Assert.Equal(Raw(-5, 5, -3, 5, -3, 8, -1, 5, -1, 7, -2, 8, -1, 9, -1, 9, -2, 7), Run(layer, Raw(input)));
    }

    [Theory]
    // 1x4x1 uint8 [10 42 30 5], 1x2 window, stride (default = window) {1, 2} -> maxes 42, 30.
    // Rescale from scale 1 zp 1 to scale 2 zp 3: (q - 1) * 0.5 + 3.
    // Fixed point: multiplier 0.5 -> M = 2^30, shift 0; SRDHM(41, 2^30) = (41 * 2^30 + 2^30) / 2^31 = 21 -> 24;
    //              SRDHM(29, 2^30) = (29 * 2^30 + 2^30) / 2^31 = 15 -> 18.
    // Float: 20.5 -> 20 (half to even) -> 23; 14.5 -> 14 -> 17.
    [InlineData(RequantizationScheme.FixedPoint, 24, 18)]
    [InlineData(RequantizationScheme.Float, 23, 17)]
    public void MaxPool_RescalesTheMaxUInt8(RequantizationScheme scheme, int first, int second)
    {
        var layer = new MaxPoolReferenceLayer(1, 4, 1, 1, 2, null, null, QuantType.UInt8, 1f, 1, 2f, 3, scheme: scheme);
        Assert.True(layer.Rescaled);
        Assert.Equal(new[] { 1, 2 }, layer.Strides);
        Assert.Equal(Raw(first, second), Run(layer, Raw(10, 42, 30, 5)));
    }

    [Fact]
    public void AveragePool_PaddingIsLeftOutOfTheCountAndTiesGoAwayFromZeroInt8()
    {
        // 2x3x2 int8 input, 2x2 window, stride 1, pads {0, 0, 0, right 1}: OH = 1, OW = floor((3 + 1 - 2) / 1) + 1 = 3.
        // channel 0: [-1 -2 3; 3 0 -6]         channel 1: [1 2 4; 3 0 5]
        // (0,0): ch0 -1 - 2 + 3 + 0 = 0, n = 4:  (0 - 2) / 4 = 0 (C truncation of -0.5)
        //        ch1 1 + 2 + 3 + 0 = 6:          (6 + 2) / 4 = 2 (1.5 -> 2)
        // (0,1): ch0 -2 + 3 + 0 - 6 = -5:        (-5 - 2) / 4 = -1 (-1.25)
        //        ch1 2 + 4 + 0 + 5 = 11:         (11 + 2) / 4 = 3 (2.75)
        // (0,2): column 3 is padding, n = 2:
        //        ch0 3 - 6 = -3:                 (-3 - 1) / 2 = -2 (-1.5 -> -2; counting the padding: (-3 - 2) / 4 = -1)
        //        ch1 4 + 5 = 9:                  (9 + 1) / 2 = 5 (4.5 -> 5; counting the padding: (9 + 2) / 4 = 2)
        var layer = new AveragePoolReferenceLayer(2, 3, 2, 2, 2, new[] { 1, 1 }, new[] { 0, 0, 0, 1 }, QuantType.Int8, 0.1f, 0, 0.1f, 0);
        Assert.Equal((1, 3), (layer.OutputHeight, layer.OutputWidth));
        byte[] input = Raw(-1, 1, -2, 2, 3, 4, /* row 1 */ 3, 3, 0, 0, -6, 5);
        Assert.Equal(Raw(0, 2, -1, 3, -2, 5), Run(layer, input));
    }

    [Theory]
    [InlineData(RequantizationScheme.FixedPoint)]
    [InlineData(RequantizationScheme.Float)]
    public void AveragePool_RescaleAndRelu6UInt8(RequantizationScheme scheme)
    {
        // 1x2x2 uint8 input: pixel 0 = [100 90], pixel 1 = [113 97]; 1x2 window.
        // ch0: (213 + 1) / 2 = 107; ch1: (187 + 1) / 2 = 94.
        // Rescale scale 1 zp 100 -> scale 0.25 zp 0: (q - 100) * 4 (multiplier 4 = 0.5 * 2^3, exact in both schemes):
        // ch0: 7 * 4 = 28; ch1: -6 * 4 = -24. Relu6 on scale 0.25 zp 0: [0, round(6 / 0.25)] = [0, 24] -> [24, 0].
        var layer = new AveragePoolReferenceLayer(1, 2, 2, 1, 2, null, null, QuantType.UInt8, 1f, 100, 0.25f, 0, Activation.Relu6, scheme);
        Assert.Equal((0, 24), (layer.OutputMin, layer.OutputMax));
        Assert.Equal(Raw(24, 0), Run(layer, Raw(100, 90, 113, 97)));
    }

    [Fact]
    public void AveragePool_ReluWithoutRescaleClampsAtTheZeroPoint()
    {
        // 1x2x1 int8, scale 0.5 zp 10 in and out; Relu -> [10 + round(0 / 0.5), 127] = [10, 127].
        // [4, 7] -> (11 + 1) / 2 = 6 -> clamped to 10; [20, 31] -> (51 + 1) / 2 = 26.
        var layer = new AveragePoolReferenceLayer(1, 2, 2, 1, 2, null, null, QuantType.Int8, 0.5f, 10, 0.5f, 10, Activation.Relu);
        Assert.False(layer.Rescaled);
        Assert.Equal(Raw(10, 26), Run(layer, Raw(4, 20, 7, 31)));
    }

    [Fact]
    public void GlobalAveragePool_RoundsHalfAwayFromZeroBothTypes()
    {
        // 2x2x2 int8: ch0 -1 - 2 - 3 - 4 = -10 -> (-10 - 2) / 4 = -3 (-2.5 -> -3); ch1 1 + 2 + 3 + 5 = 11 -> (11 + 2) / 4 = 3 (2.75)
        var int8 = new GlobalAveragePoolReferenceLayer(2, 2, 2, QuantType.Int8, 1f, 0, 1f, 0);
        Assert.Equal(2, int8.OutputBytes);
        Assert.Equal(Raw(-3, 3), Run(int8, Raw(-1, 1, -2, 2, -3, 3, -4, 5)));

        // 1x3x2 uint8: ch0 0 + 0 + 1 = 1 -> (1 + 1) / 3 = 0 (0.33); ch1 255 + 255 + 254 = 764 -> (764 + 1) / 3 = 255 (254.67)
        var uint8 = new GlobalAveragePoolReferenceLayer(1, 3, 2, QuantType.UInt8, 1f, 0, 1f, 0);
        Assert.Equal(Raw(0, 255), Run(uint8, Raw(0, 255, 0, 255, 1, 254)));
    }

    [Theory]
    // 1x2x2 int8: ch0 [-10 -10] -> -10; ch1 [9 11] -> (20 + 1) / 2 = 10. Rescale scale 1 zp 0 -> scale 4 zp 0: * 0.25.
    // Fixed point: M = 2^30, shift -1: SRDHM(-10) = -5, RoundingDivideByPOT(-5, 1) = -2.5 -> -3; SRDHM(10) = 5 -> 2.5 -> 3.
    // Float: -2.5 -> -2, 2.5 -> 2 (half to even).
    [InlineData(RequantizationScheme.FixedPoint, -3, 3)]
    [InlineData(RequantizationScheme.Float, -2, 2)]
    public void GlobalAveragePool_RescalesInTheModelScheme(RequantizationScheme scheme, int first, int second)
    {
        var layer = new GlobalAveragePoolReferenceLayer(1, 2, 2, QuantType.Int8, 1f, 0, 4f, 0, scheme: scheme);
        Assert.True(layer.Rescaled);
        Assert.Equal(Raw(first, second), Run(layer, Raw(-10, 9, -10, 11)));
    }

    // ---- random properties -----------------------------------------------------------------------------------------

    private static QuantType EightBit(Random random) => random.Next(2) == 0 ? QuantType.UInt8 : QuantType.Int8;

    private static int ZeroPoint(Random random, QuantType type)
        => random.Next(QuantizationMath.TypeMin(type), QuantizationMath.TypeMax(type) + 1);

    [Theory]
    [InlineData(RequantizationScheme.FixedPoint)]
    [InlineData(RequantizationScheme.Float)]
    public void MaxPool_RescaleAfterTheMaxEqualsTheMaxOfRescaledValues(RequantizationScheme scheme)
    {
        // Glow's rule (PoolAttributes): a monotone rescale commutes with the max, so rescaling once after comparing is the
        // same as rescaling every input value and taking the max with no rescale.
        var random = new Random(scheme == RequantizationScheme.FixedPoint ? 31 : 32);
        for (int n = 0; n < 200; n++)
        {
            QuantType type = EightBit(random);
            int height = random.Next(1, 8), width = random.Next(1, 8), channels = random.Next(1, 4);
            int windowHeight = random.Next(1, height + 1), windowWidth = random.Next(1, width + 1);
            int[] strides = { random.Next(1, 3), random.Next(1, 3) };
            int[] pads = { random.Next(windowHeight), random.Next(windowWidth), random.Next(windowHeight), random.Next(windowWidth) };
            float inputScale = (float)(0.01 + random.NextDouble()), outputScale = (float)(0.01 + random.NextDouble());
            int inputZeroPoint = ZeroPoint(random, type), outputZeroPoint = ZeroPoint(random, type);
            var activation = (Activation)random.Next(3);
            var input = new byte[height * width * channels];
            random.NextBytes(input);

            var rescaled = new MaxPoolReferenceLayer(height, width, channels, windowHeight, windowWidth, strides, pads, type,
                inputScale, inputZeroPoint, outputScale, outputZeroPoint, activation, scheme);
            var plain = new MaxPoolReferenceLayer(height, width, channels, windowHeight, windowWidth, strides, pads, type,
                outputScale, outputZeroPoint, outputScale, outputZeroPoint, activation, scheme);
            var inputRescaled = new byte[input.Length];
            for (int i = 0; i < input.Length; i++)
            {
                inputRescaled[i] = (byte)Rescale.Apply(ReferenceOps.Value(input[i], type), scheme, inputScale, inputZeroPoint,
                    outputScale, outputZeroPoint, QuantizationMath.TypeMin(type), QuantizationMath.TypeMax(type));
            }
            Assert.Equal(Run(plain, inputRescaled), Run(rescaled, input));
        }
    }

    [Theory]
    [InlineData(RequantizationScheme.FixedPoint)]
    [InlineData(RequantizationScheme.Float)]
    public void AveragePool_OverTheWholeInputEqualsGlobalAveragePool(RequantizationScheme scheme)
    {
        var random = new Random(scheme == RequantizationScheme.FixedPoint ? 41 : 42);
        for (int n = 0; n < 200; n++)
        {
            QuantType type = EightBit(random);
            int height = random.Next(1, 9), width = random.Next(1, 9), channels = random.Next(1, 5);
            float inputScale = (float)(0.01 + random.NextDouble());
            float outputScale = random.Next(3) == 0 ? inputScale : (float)(0.01 + random.NextDouble());
            int inputZeroPoint = ZeroPoint(random, type), outputZeroPoint = random.Next(3) == 0 ? inputZeroPoint : ZeroPoint(random, type);
            var activation = (Activation)random.Next(3);
            var input = new byte[height * width * channels];
            random.NextBytes(input);
            var average = new AveragePoolReferenceLayer(height, width, channels, height, width, null, null, type,
                inputScale, inputZeroPoint, outputScale, outputZeroPoint, activation, scheme);
            var global = new GlobalAveragePoolReferenceLayer(height, width, channels, type,
                inputScale, inputZeroPoint, outputScale, outputZeroPoint, activation, scheme);
            Assert.Equal(Run(global, input), Run(average, input));
        }
    }

    [Fact]
    public void AveragePool_SamePaddingCountsOnlyInBoundsValues()
    {
        // Every output of a uint8 average over a constant map is that constant, whatever the padding (the padding is not
        // counted): SAME pads on random shapes.
        var random = new Random(3);
        for (int n = 0; n < 100; n++)
        {
            int height = random.Next(1, 10), width = random.Next(1, 10), window = random.Next(1, 5), stride = random.Next(1, 4);
            ConvolutionGeometry.SamePadding(height, window, stride, 1, out int top, out int bottom);
            ConvolutionGeometry.SamePadding(width, window, stride, 1, out int left, out int right);
            if (top >= window || bottom >= window || left >= window || right >= window)
                continue;
            byte value = (byte)random.Next(256);
            var input = new byte[height * width];
            input.AsSpan().Fill(value);
            var layer = new AveragePoolReferenceLayer(height, width, 1, window, window, new[] { stride, stride },
                new[] { top, left, bottom, right }, QuantType.UInt8, 1f, 0, 1f, 0);
            Assert.Equal((ConvolutionGeometry.SameOutputSize(height, stride), ConvolutionGeometry.SameOutputSize(width, stride)),
                (layer.OutputHeight, layer.OutputWidth));
            Assert.All(Run(layer, input), b => Assert.Equal(value, b));
        }
    }

    // ---- argument checks -------------------------------------------------------------------------------------------

    public static IEnumerable<object[]> BadPools()
    {
        object[] Case(string parameter, Func<object> create) => new object[] { parameter, create };
        MaxPoolReferenceLayer Max(int height = 4, int window = 2, int[]? strides = null, int[]? pads = null,
            QuantType type = QuantType.UInt8, float inputScale = 1f, int inputZeroPoint = 0, float outputScale = 1f, int outputZeroPoint = 0)
            => new(height, 4, 2, window, window, strides, pads, type, inputScale, inputZeroPoint, outputScale, outputZeroPoint);
        AveragePoolReferenceLayer Average(int channels = 2, int window = 2, int[]? pads = null, QuantType type = QuantType.Int8, int outputZeroPoint = 0)
            => new(4, 4, channels, window, window, null, pads, type, 1f, 0, 1f, outputZeroPoint);
        GlobalAveragePoolReferenceLayer Global(int height = 2, int width = 2, QuantType type = QuantType.UInt8, float inputScale = 1f, int inputZeroPoint = 0)
            => new(height, width, 3, type, inputScale, inputZeroPoint, 1f, 0);

        yield return Case("inputHeight", () => Max(height: 0));
        yield return Case("windowHeight", () => Max(window: 0));
        yield return Case("strides", () => Max(strides: new[] { 2 }));
        yield return Case("strides", () => Max(strides: new[] { 2, -1 }));
        yield return Case("pads", () => Max(pads: new[] { 0, 0, 0 }));
        yield return Case("pads", () => Max(pads: new[] { 2, 0, 0, 0 }));        // a window wholly in the padding
        yield return Case("pads", () => Max(height: 1, window: 2));               // window larger than the input
        yield return Case("type", () => Max(type: QuantType.Int32));
        yield return Case("inputScale", () => Max(inputScale: 0f));
        yield return Case("outputScale", () => Max(outputScale: float.NaN));
        yield return Case("inputZeroPoint", () => Max(inputZeroPoint: -1));
        yield return Case("outputZeroPoint", () => Max(type: QuantType.Int8, outputZeroPoint: 128));
        yield return Case("channels", () => Average(channels: 0));
        yield return Case("pads", () => Average(pads: new[] { 0, 0, 0, 2 }));
        yield return Case("type", () => Average(type: QuantType.Float32));
        yield return Case("outputZeroPoint", () => Average(outputZeroPoint: -129));
        // 9e6 * 255 overflows the int32 window sum
        yield return Case("windowWidth", () => new AveragePoolReferenceLayer(1, 9_000_000, 1, 1, 9_000_000, null, null, QuantType.UInt8, 1f, 0, 1f, 0));
        yield return Case("inputWidth", () => Global(height: 4000, width: 4000));  // 16e6 * 255 overflows the int32 sum
        yield return Case("inputHeight", () => Global(height: 0));
        yield return Case("type", () => Global(type: QuantType.Int32));
        yield return Case("inputScale", () => Global(inputScale: -1f));
        yield return Case("inputZeroPoint", () => Global(inputZeroPoint: 256));
    }

    [Theory]
    [MemberData(nameof(BadPools))]
    public void PoolReferenceLayers_RejectBadArguments(string parameter, Func<object> create)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void Run_RejectsWrongTensors()
    {
        IReferenceLayer[] layers =
        {
            new MaxPoolReferenceLayer(4, 4, 2, 2, 2, null, null, QuantType.UInt8, 1f, 0, 1f, 0),
            new AveragePoolReferenceLayer(4, 4, 2, 2, 2, null, null, QuantType.UInt8, 1f, 0, 1f, 0),
            new GlobalAveragePoolReferenceLayer(4, 4, 2, QuantType.UInt8, 1f, 0, 1f, 0),
        };
        foreach (IReferenceLayer layer in layers)
        {
            int outputBytes = layer is GlobalAveragePoolReferenceLayer ? 2 : 8;
            Assert.Equal(outputBytes, layer.OutputBytes);
            Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[32], new byte[32] }, new byte[outputBytes]));
            Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[31] }, new byte[outputBytes]));
            Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[32] }, new byte[outputBytes + 1]));
            layer.Run(new[] { new byte[32] }, new byte[outputBytes]);
        }
    }
}
