using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using KernelGen.Quantization;
using KernelGen.Reference;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// The reference Conv2D and DepthwiseConv2D on tiny layers worked out by hand from TFLite's reference_integer_ops Conv /
/// DepthwiseConv and ONNX ConvInteger: acc[y, x, o] = bias[o] + Σ (in[y*sh - top + i*dh, x*sw - left + j*dw, c] - z_in) *
/// (w[o, i, j, c] - z_w[o]), padding contributing nothing; then requantized and clamped, or written as int32. Then
/// properties on random layers: groups are separate convolutions, depthwise is Conv2D with groups = channels, a
/// convolution whose kernel covers the whole input is a Dense layer.
/// </summary>
public sealed class ConvReferenceTests
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

    private static int[] Int32s(byte[] bytes)
    {
        var values = new int[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * i));
        return values;
    }

    /// <summary>A single-channel uint8 convolution with int8 weights, scales 1: the shape under test, the rest fixed.</summary>
    private static Conv2DReferenceLayer Int32Conv(int height, int width, int kernelHeight, int kernelWidth, int[] weights,
        int[]? strides = null, int[]? dilations = null, int[]? pads = null, int inputZeroPoint = 0, int[]? bias = null,
        QuantType inputType = QuantType.UInt8, QuantType weightType = QuantType.Int8, int weightZeroPoint = 0)
        => new(height, width, 1, 1, kernelHeight, kernelWidth, strides, dilations, pads, 1,
            inputType, 1f, inputZeroPoint, weightType, Raw(weights), new[] { 1f }, new[] { weightZeroPoint }, bias,
            1f, 0, Activation.None, outputType: QuantType.Int32);

    [Fact]
    public void Conv2D_ValidHandComputedInt32AndBothSchemes()
    {
        // 3x3x1 uint8 input, zp 2: [3 4 5; 6 7 8; 9 10 11] -> x - 2 = [1 2 3; 4 5 6; 7 8 9]
        // one 2x2 int8 filter [1 0; -1 2], zp 0; bias 3; stride 1, no padding -> 2x2 output
        // (0,0): 1*1 + 2*0 + 4*(-1) + 5*2 = 7; + 3 = 10
        // (0,1): 2*1 + 3*0 + 5*(-1) + 6*2 = 9; + 3 = 12
        // (1,0): 4*1 + 5*0 + 7*(-1) + 8*2 = 13; + 3 = 16
        // (1,1): 5*1 + 6*0 + 8*(-1) + 9*2 = 15; + 3 = 18
        byte[] input = Raw(3, 4, 5, 6, 7, 8, 9, 10, 11);
        Conv2DReferenceLayer Layer(RequantizationScheme scheme, QuantType? outputType) => new(
            3, 3, 1, 1, 2, 2, null, null, null, 1, QuantType.UInt8, 0.5f, 2,
            QuantType.Int8, Raw(1, 0, -1, 2), new[] { 0.5f }, new[] { 0 }, new[] { 3 },
            1f, 10, Activation.None, scheme: scheme, outputType: outputType);

        Conv2DReferenceLayer integer = Layer(RequantizationScheme.FixedPoint, QuantType.Int32);
        Assert.Equal((2, 2, 16), (integer.OutputHeight, integer.OutputWidth, integer.OutputBytes));
        Assert.Equal(new[] { 10, 12, 16, 18 }, Int32s(Run(integer, input)));

        // multiplier 0.5 * 0.5 / 1 = 0.25 = 0.5 * 2^-1 -> M = 2^30, shift -1; output zp 10
        // fixed point: 10 -> SRDHM = 5, 5 / 2 = 2.5 -> 3 (half away from zero); 12 -> 3; 16 -> 4; 18 -> 9 / 2 = 4.5 -> 5
        Assert.Equal(new byte[] { 13, 13, 14, 15 }, Run(Layer(RequantizationScheme.FixedPoint, null), input));
        // float: 10 * 0.25 = 2.5 -> 2 (half to even); 3; 4; 4.5 -> 4
        Assert.Equal(new byte[] { 12, 13, 14, 14 }, Run(Layer(RequantizationScheme.Float, null), input));
    }

    [Fact]
    public void Conv2D_PaddingReadsAsTheInputZeroPoint()
    {
        // 2x2x1 int8 input, zp -3: [-1 0; 1 2] -> x - (-3) = [2 3; 4 5]; 3x3 filter [1 2 3; 4 5 6; 7 8 9]; pads 1 all round.
        // Output (y, x) reads input (y - 1 + i, x - 1 + j); out-of-range taps contribute nothing:
        // (0,0): taps (1,1)(1,2)(2,1)(2,2) -> 5*2 + 6*3 + 8*4 + 9*5 = 105
        // (0,1): taps (1,0)(1,1)(2,0)(2,1) -> 4*2 + 5*3 + 7*4 + 8*5 = 91
        // (1,0): taps (0,1)(0,2)(1,1)(1,2) -> 2*2 + 3*3 + 5*4 + 6*5 = 63
        // (1,1): taps (0,0)(0,1)(1,0)(1,1) -> 1*2 + 2*3 + 4*4 + 5*5 = 49
        // (Padding read as a raw 0 would add (0 + 3) * w for each outside tap.)
        Conv2DReferenceLayer layer = Int32Conv(2, 2, 3, 3, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, pads: new[] { 1, 1, 1, 1 },
            inputZeroPoint: -3, inputType: QuantType.Int8);
        Assert.Equal(new[] { 105, 91, 63, 49 }, Int32s(Run(layer, Raw(-1, 0, 1, 2))));
    }

    [Fact]
    public void Conv2D_StrideAndDilationWithUInt8WeightsHandComputed()
    {
        // 5x5x1 uint8 input v(r, c) = 5r + c, zp 0; 2x2 uint8 filter [129 130; 131 132], zp 128 -> [1 2; 3 4];
        // dilation 2 (taps 0 and 2 apart), stride 2: dilated kernel 3, output floor((5 - 3) / 2) + 1 = 2 per axis.
        // (y, x) reads v(2y + 2i, 2x + 2j):
        // (0,0): v(0,0)*1 + v(0,2)*2 + v(2,0)*3 + v(2,2)*4 = 0 + 4 + 30 + 48 = 82
        // (0,1): v(0,2)*1 + v(0,4)*2 + v(2,2)*3 + v(2,4)*4 = 2 + 8 + 36 + 56 = 102
        // (1,0): v(2,0)*1 + v(2,2)*2 + v(4,0)*3 + v(4,2)*4 = 10 + 24 + 60 + 88 = 182
        // (1,1): v(2,2)*1 + v(2,4)*2 + v(4,2)*3 + v(4,4)*4 = 12 + 28 + 66 + 96 = 202
        var input = new byte[25];
        for (int i = 0; i < 25; i++) input[i] = (byte)i;
        Conv2DReferenceLayer layer = Int32Conv(5, 5, 2, 2, new[] { 129, 130, 131, 132 }, strides: new[] { 2, 2 },
            dilations: new[] { 2, 2 }, weightType: QuantType.UInt8, weightZeroPoint: 128);
        Assert.Equal(new[] { 82, 102, 182, 202 }, Int32s(Run(layer, input)));
    }

    [Fact]
    public void Conv2D_HeightAndWidthParametersAreNotSwapped()
    {
        // 3x4x1 (H = 3, W = 4) uint8 input v(r, c) = 4r + c: [0 1 2 3; 4 5 6 7; 8 9 10 11];
        // 2x2 filter [1 2; 10 20]; dilations {2, 1}, strides {1, 2}, pads {top 0, left 1, bottom 0, right 0}; bias 5.
        // OH = floor((3 - 3) / 1) + 1 = 1; OW = floor((4 + 1 - 2) / 2) + 1 = 2.
        // (0, x) reads rows 0 and 2, columns 2x - 1 and 2x:
        // (0,0): column -1 is padding; column 0: 2*v(0,0) + 20*v(2,0) = 0 + 160 = 160; + 5 = 165
        // (0,1): columns 1, 2: 1*v(0,1) + 2*v(0,2) + 10*v(2,1) + 20*v(2,2) = 1 + 4 + 90 + 200 = 295; + 5 = 300
        var input = new byte[12];
        for (int i = 0; i < 12; i++) input[i] = (byte)i;
        Conv2DReferenceLayer layer = Int32Conv(3, 4, 2, 2, new[] { 1, 2, 10, 20 }, strides: new[] { 1, 2 }, dilations: new[] { 2, 1 },
            pads: new[] { 0, 1, 0, 0 }, bias: new[] { 5 });
        Assert.Equal((1, 2), (layer.OutputHeight, layer.OutputWidth));
        Assert.Equal(new[] { 165, 300 }, Int32s(Run(layer, input)));
    }

    [Fact]
    public void Conv2D_GroupsReadOnlyTheirChannelsHandComputed()
    {
        // 1x1x4 uint8 input [1 2 3 4]; 2 groups of 2 input channels; 4 output channels, 1x1 filters OHWI [4, 1, 1, 2]:
        // o0 = [1 1], o1 = [1 -1] (group 0: channels 0, 1); o2 = [2 0], o3 = [0 3] (group 1: channels 2, 3)
        // o0 = 1 + 2 = 3; o1 = 1 - 2 = -1; o2 = 2*3 = 6; o3 = 3*4 = 12
        var layer = new Conv2DReferenceLayer(1, 1, 4, 4, 1, 1, null, null, null, 2, QuantType.UInt8, 1f, 0,
            QuantType.Int8, Raw(1, 1, 1, -1, 2, 0, 0, 3), new[] { 1f }, new[] { 0 }, null, 1f, 0, Activation.None,
            outputType: QuantType.Int32);
        Assert.Equal(new[] { 3, -1, 6, 12 }, Int32s(Run(layer, Raw(1, 2, 3, 4))));
    }

    [Fact]
    public void Conv2D_PerChannelZeroPointsScalesAndRelu6HandComputed()
    {
        // 1x1x2 int8 input, zp 1: [5 -3] -> [4 -4]; 1x1 int8 filters o0 = [3 1] zp 0, o1 = [2 4] zp 1 -> [1 3]; bias [0 2]
        // o0: 4*3 + (-4)*1 = 8; o1: 4*1 + (-4)*3 = -8; + 2 = -6
        // scales: input 1, weights [0.5 0.25] (per channel), output 0.5 zp -10; Relu6 -> [-10 + 0, -10 + round(6 / 0.5)] = [-10, 2]
        // o0: multiplier 1 * 0.5 / 0.5 = 1 -> 8 -> -10 + 8 = -2
        // o1: multiplier 0.25 / 0.5 = 0.5 -> -3 -> -13 -> clamped to -10
        var layer = new Conv2DReferenceLayer(1, 1, 2, 2, 1, 1, null, null, null, 1, QuantType.Int8, 1f, 1,
            QuantType.Int8, Raw(3, 1, 2, 4), new[] { 0.5f, 0.25f }, new[] { 0, 1 }, new[] { 0, 2 }, 0.5f, -10, Activation.Relu6);
        Assert.True(layer.PerChannelScales);
        Assert.Equal((-10, 2), (layer.OutputMin, layer.OutputMax));
        Assert.Equal(Raw(-2, -10), Run(layer, Raw(5, -3)));
    }

    [Fact]
    public void Conv2D_OneScaleIsPerTensorUnlessDeclaredPerChannel()
    {
        // The case of ReferenceOpsTests.Dense_PerTensorMultiplierRoundsTheScaleProductToFloatAsTfLite as a 1x1 convolution:
        // input 5 (scale 0.3, zp 0), weight 5 (scale 0.11), output scale 0.1: acc = 25.
        // Per tensor (TFLite GetQuantizedConvolutionMultipler, float product): M = 1417339179, shift -1 -> 8.
        // Per channel (PopulateConvolutionQuantizationParams, double product): M = 1417339235 -> 17 / 2 = 8.5 -> 9.
        Conv2DReferenceLayer Layer(bool? perChannel) => new(1, 1, 1, 1, 1, 1, null, null, null, 1, QuantType.UInt8, 0.3f, 0,
            QuantType.Int8, Raw(5), new[] { 0.11f }, new[] { 0 }, null, 0.1f, 0, Activation.None, perChannel);
        Assert.False(Layer(null).PerChannelScales);
        Assert.Equal(new byte[] { 8 }, Run(Layer(null), Raw(5)));
        Assert.Equal(new byte[] { 9 }, Run(Layer(true), Raw(5)));
    }

    [Fact]
    public void Conv2D_AccumulatorWrapsInInt32()
    {
        // 1x1x1: (x - z_in) * (w - z_w) = 1 * 1 = 1; bias int.MaxValue -> wraps to int.MinValue.
        Assert.Equal(new[] { int.MinValue }, Int32s(Run(Int32Conv(1, 1, 1, 1, new[] { 1 }, bias: new[] { int.MaxValue }), Raw(1))));
        // 255 * (-128) = -32640; bias int.MinValue + 100 -> int.MinValue + 100 - 32640 wraps to int.MaxValue - 32539.
        Assert.Equal(new[] { int.MaxValue - 32539 },
            Int32s(Run(Int32Conv(1, 1, 1, 1, new[] { -128 }, bias: new[] { int.MinValue + 100 }), Raw(255))));
    }

    [Fact]
    public void DepthwiseConv2D_MultiplierHandComputed()
    {
        // 1x2x2 uint8 input: pixel 0 = [1 2], pixel 1 = [3 4]; 1x2 kernel, depth multiplier 2 -> 4 output channels,
        // weights [kh = 1, kw = 2, 4]: j = 0 -> [1 2 3 4], j = 1 -> [5 6 7 8]. Output o = c * 2 + m reads channel c:
        // o0 (c0): 1*1 + 3*5 = 16; o1 (c0): 1*2 + 3*6 = 20; o2 (c1): 2*3 + 4*7 = 34; o3 (c1): 2*4 + 4*8 = 40
        var layer = new DepthwiseConv2DReferenceLayer(1, 2, 2, 2, 1, 2, null, null, null, QuantType.UInt8, 1f, 0,
            QuantType.Int8, Raw(1, 2, 3, 4, 5, 6, 7, 8), new[] { 1f }, new[] { 0 }, null, 1f, 0, Activation.None,
            outputType: QuantType.Int32);
        Assert.Equal((1, 1, 4), (layer.OutputHeight, layer.OutputWidth, layer.OutputChannels));
        Assert.Equal(new[] { 16, 20, 34, 40 }, Int32s(Run(layer, Raw(1, 2, 3, 4))));
    }

    [Fact]
    public void DepthwiseConv2D_PaddingStrideAndRequantizationHandComputed()
    {
        // 3x3x1 int8 input, zp 0: [1 2 3; 4 5 6; 7 8 9]; 2x2 kernel all 1 (per-channel zp 1 on raw weights 2);
        // stride 2, pads {1, 1, 0, 0}: OH = OW = floor((3 + 1 - 2) / 2) + 1 = 2; (y, x) reads rows 2y - 1 + i, columns 2x - 1 + j.
        // (0,0): only (0,0) in bounds -> 1;       (0,1): (0,1) (0,2) -> 2 + 3 = 5
        // (1,0): (1,0) (2,0) -> 4 + 7 = 11;       (1,1): (1,1) (1,2) (2,1) (2,2) -> 5 + 6 + 8 + 9 = 28
        // bias 1 -> 2, 6, 12, 29; multiplier 0.5 * 1 / 1 = 0.5 -> 1, 3, 6, 14.5 -> 15 (fixed point, half away from zero)
        // output zp -20 -> -19, -17, -14, -5
        var layer = new DepthwiseConv2DReferenceLayer(3, 3, 1, 1, 2, 2, new[] { 2, 2 }, null, new[] { 1, 1, 0, 0 }, QuantType.Int8,
            0.5f, 0, QuantType.Int8, Raw(2, 2, 2, 2), new[] { 1f }, new[] { 1 }, new[] { 1 }, 1f, -20, Activation.None);
        Assert.Equal(Raw(-19, -17, -14, -5), Run(layer, Raw(1, 2, 3, 4, 5, 6, 7, 8, 9)));
    }

    // ---- random layers ---------------------------------------------------------------------------------------------

    private sealed record Shape(int Height, int Width, int KernelHeight, int KernelWidth, int[] Strides, int[] Dilations, int[] Pads);

    private static Shape RandomShape(Random random)
    {
        while (true)
        {
            var shape = new Shape(random.Next(1, 9), random.Next(1, 9), random.Next(1, 5), random.Next(1, 5),
                new[] { random.Next(1, 4), random.Next(1, 4) }, new[] { random.Next(1, 4), random.Next(1, 4) },
                new[] { random.Next(0, 4), random.Next(0, 4), random.Next(0, 4), random.Next(0, 4) });
            if (ConvolutionGeometry.TryValidate(shape.Height, shape.KernelHeight, shape.Strides[0], shape.Dilations[0], shape.Pads[0], shape.Pads[2], out _, out _)
                && ConvolutionGeometry.TryValidate(shape.Width, shape.KernelWidth, shape.Strides[1], shape.Dilations[1], shape.Pads[1], shape.Pads[3], out _, out _))
                return shape;
        }
    }

    private static QuantType EightBit(Random random) => random.Next(2) == 0 ? QuantType.UInt8 : QuantType.Int8;

    private static int ZeroPoint(Random random, QuantType type)
        => random.Next(QuantizationMath.TypeMin(type), QuantizationMath.TypeMax(type) + 1);

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Random quantization of a layer with <paramref name="channels"/> outputs over a window of
    /// <paramref name="depth"/> products: scales whose multiplier keeps typical accumulators in the 8-bit range.</summary>
    private sealed record Quantization(QuantType InputType, float InputScale, int InputZeroPoint, QuantType WeightType,
        float[] WeightScales, int[] WeightZeroPoints, int[]? Bias, float OutputScale, int OutputZeroPoint, Activation Activation,
        RequantizationScheme Scheme, QuantType? OutputType)
    {
        public static Quantization Random(Random random, int channels, int depth, RequantizationScheme scheme)
        {
            QuantType inputType = EightBit(random), weightType = EightBit(random);
            float inputScale = (float)(0.001 + random.NextDouble() * 0.05);
            int scales = random.Next(2) == 0 ? 1 : channels;
            var weightScales = new float[scales];
            for (int i = 0; i < scales; i++) weightScales[i] = (float)(0.001 + random.NextDouble() * 0.05);
            // Zero points near the middle of the range or anywhere, so that both small and large products occur.
            int[] weightZeroPoints = random.Next(2) == 0 ? new[] { weightType == QuantType.Int8 ? 0 : 128 } : new int[channels];
            if (weightZeroPoints.Length == channels)
                for (int i = 0; i < channels; i++) weightZeroPoints[i] = ZeroPoint(random, weightType);
            int[]? bias = null;
            if (random.Next(3) != 0)
            {
                bias = new int[channels];
                for (int i = 0; i < channels; i++) bias[i] = random.Next(-40000, 40000);
            }
            float outputScale = inputScale * weightScales[0] * (float)(depth * (50 + random.NextDouble() * 1500));
            QuantType? outputType = random.Next(5) switch { 0 => QuantType.Int32, 1 => QuantType.UInt8, 2 => QuantType.Int8, _ => null };
            QuantType effective = outputType ?? inputType;
            int outputZeroPoint = effective == QuantType.Int32 ? 0 : ZeroPoint(random, effective);
            var activation = (Activation)random.Next(3);
            return new Quantization(inputType, inputScale, ZeroPoint(random, inputType), weightType, weightScales, weightZeroPoints,
                bias, outputScale, outputZeroPoint, activation, scheme, outputType);
        }
    }

    [Theory]
    [InlineData(RequantizationScheme.FixedPoint)]
    [InlineData(RequantizationScheme.Float)]
    public void DepthwiseConv2D_EqualsConv2DWithGroupsEqualToChannels(RequantizationScheme scheme)
    {
        var random = new Random(scheme == RequantizationScheme.FixedPoint ? 2024 : 2025);
        int requantized = 0, integer = 0, values = 0, clamped = 0;
        for (int n = 0; n < 200; n++)
        {
            Shape s = RandomShape(random);
            int channels = random.Next(1, 6), multiplier = random.Next(1, 4), outputs = channels * multiplier;
            Quantization q = Quantization.Random(random, outputs, s.KernelHeight * s.KernelWidth, scheme);
            byte[] depthwiseWeights = Bytes(random, s.KernelHeight * s.KernelWidth * outputs);
            // [kh, kw, O] -> OHWI [O, kh, kw, 1]: conv (o, i, j, 0) = depthwise (i, j, o).
            var convWeights = new byte[depthwiseWeights.Length];
            for (int o = 0; o < outputs; o++)
                for (int i = 0; i < s.KernelHeight; i++)
                    for (int j = 0; j < s.KernelWidth; j++)
                        convWeights[(o * s.KernelHeight + i) * s.KernelWidth + j] = depthwiseWeights[(i * s.KernelWidth + j) * outputs + o];

            var depthwise = new DepthwiseConv2DReferenceLayer(s.Height, s.Width, channels, multiplier, s.KernelHeight, s.KernelWidth,
                s.Strides, s.Dilations, s.Pads, q.InputType, q.InputScale, q.InputZeroPoint, q.WeightType, depthwiseWeights,
                q.WeightScales, q.WeightZeroPoints, q.Bias, q.OutputScale, q.OutputZeroPoint, q.Activation, scheme: q.Scheme,
                outputType: q.OutputType);
            var conv = new Conv2DReferenceLayer(s.Height, s.Width, channels, outputs, s.KernelHeight, s.KernelWidth,
                s.Strides, s.Dilations, s.Pads, channels, q.InputType, q.InputScale, q.InputZeroPoint, q.WeightType, convWeights,
                q.WeightScales, q.WeightZeroPoints, q.Bias, q.OutputScale, q.OutputZeroPoint, q.Activation, scheme: q.Scheme,
                outputType: q.OutputType);
            Assert.Equal(conv.OutputBytes, depthwise.OutputBytes);

            byte[] input = Bytes(random, s.Height * s.Width * channels);
            byte[] expected = Run(conv, input);
            byte[] actual = Run(depthwise, input);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {n}: {s} C {channels} M {multiplier} {q}");

            if (conv.OutputType == QuantType.Int32)
                integer++;
            else
            {
                requantized++;
                foreach (byte b in expected)
                {
                    int v = ReferenceOps.Value(b, conv.OutputType);
                    values++;
                    if (v == conv.OutputMin || v == conv.OutputMax)
                        clamped++;
                }
            }
        }
        // The random layers cover both outputs, and a good share of the requantized values is inside the clamp bounds
        // (random zero points and ReLU clamp many).
        Assert.True(integer >= 20 && requantized >= 100, $"{integer} Int32, {requantized} requantized");
        Assert.True(values - clamped > values / 3, $"{clamped} of {values} values clamped");
    }

    [Theory]
    [InlineData(RequantizationScheme.FixedPoint)]
    [InlineData(RequantizationScheme.Float)]
    public void Conv2D_GroupsEqualSeparateConvolutionsConcatenated(RequantizationScheme scheme)
    {
        var random = new Random(scheme == RequantizationScheme.FixedPoint ? 77 : 78);
        for (int n = 0; n < 60; n++)
        {
            Shape s = RandomShape(random);
            int groups = random.Next(1, 4), groupInputs = random.Next(1, 4), groupOutputs = random.Next(1, 4);
            int channels = groups * groupInputs, outputs = groups * groupOutputs;
            int window = s.KernelHeight * s.KernelWidth * groupInputs;
            Quantization q = Quantization.Random(random, outputs, window, scheme);
            byte[] weights = Bytes(random, outputs * window);
            var whole = new Conv2DReferenceLayer(s.Height, s.Width, channels, outputs, s.KernelHeight, s.KernelWidth,
                s.Strides, s.Dilations, s.Pads, groups, q.InputType, q.InputScale, q.InputZeroPoint, q.WeightType, weights,
                q.WeightScales, q.WeightZeroPoints, q.Bias, q.OutputScale, q.OutputZeroPoint, q.Activation, scheme: q.Scheme,
                outputType: q.OutputType);
            byte[] input = Bytes(random, s.Height * s.Width * channels);
            byte[] expected = Run(whole, input);
            int elementBytes = whole.OutputType == QuantType.Int32 ? 4 : 1;
            int pixels = whole.OutputHeight * whole.OutputWidth;

            for (int g = 0; g < groups; g++)
            {
                T[] Slice<T>(T[] all) => all.Length == 1 ? all : all.AsSpan(g * groupOutputs, groupOutputs).ToArray();
                var groupInput = new byte[s.Height * s.Width * groupInputs];
                for (int p = 0; p < s.Height * s.Width; p++)
                    for (int c = 0; c < groupInputs; c++)
                        groupInput[p * groupInputs + c] = input[p * channels + g * groupInputs + c];
                // One-element slices keep the whole layer's per-channel flag (it decides the multiplier's rounding).
                var part = new Conv2DReferenceLayer(s.Height, s.Width, groupInputs, groupOutputs, s.KernelHeight, s.KernelWidth,
                    s.Strides, s.Dilations, s.Pads, 1, q.InputType, q.InputScale, q.InputZeroPoint, q.WeightType,
                    weights.AsSpan(g * groupOutputs * window, groupOutputs * window).ToArray(), Slice(q.WeightScales),
                    Slice(q.WeightZeroPoints), q.Bias is null ? null : Slice(q.Bias), q.OutputScale, q.OutputZeroPoint, q.Activation,
                    whole.PerChannelScales, q.Scheme, q.OutputType);
                byte[] partOutput = Run(part, groupInput);
                for (int p = 0; p < pixels; p++)
                {
                    Assert.True(partOutput.AsSpan(p * groupOutputs * elementBytes, groupOutputs * elementBytes).SequenceEqual(
                        expected.AsSpan((p * outputs + g * groupOutputs) * elementBytes, groupOutputs * elementBytes)),
                        $"case {n} group {g} pixel {p}: {s} {q}");
                }
            }
        }
    }

    [Theory]
    [InlineData(RequantizationScheme.FixedPoint)]
    [InlineData(RequantizationScheme.Float)]
    public void Conv2D_WholeInputKernelEqualsDense(RequantizationScheme scheme)
    {
        // No padding, kernel = input: one output pixel, and OHWI [O, kh, kw, C] is Dense's row-major [O, K = kh*kw*C].
        var random = new Random(scheme == RequantizationScheme.FixedPoint ? 5 : 6);
        for (int n = 0; n < 100; n++)
        {
            int height = random.Next(1, 5), width = random.Next(1, 5), channels = random.Next(1, 5), outputs = random.Next(1, 6);
            int inputs = height * width * channels;
            Quantization q = Quantization.Random(random, outputs, inputs, scheme);
            if (q.OutputType is { } type && type != QuantType.Int32 && type != q.InputType)
                q = q with { OutputType = null, OutputZeroPoint = ZeroPoint(random, q.InputType) };
            byte[] weights = Bytes(random, outputs * inputs);
            var conv = new Conv2DReferenceLayer(height, width, channels, outputs, height, width, null, null, null, 1,
                q.InputType, q.InputScale, q.InputZeroPoint, q.WeightType, weights, q.WeightScales, q.WeightZeroPoints, q.Bias,
                q.OutputScale, q.OutputZeroPoint, q.Activation, scheme: q.Scheme, outputType: q.OutputType);
            var dense = new DenseReferenceLayer(inputs, outputs, q.InputType, q.InputScale, q.InputZeroPoint, q.WeightType, weights,
                q.WeightScales, q.WeightZeroPoints, q.Bias, q.OutputScale, q.OutputZeroPoint, q.Activation, scheme: q.Scheme,
                outputType: q.OutputType);
            byte[] input = Bytes(random, inputs);
            Assert.Equal(Run(dense, input), Run(conv, input));
        }
    }

    // ---- argument checks -------------------------------------------------------------------------------------------

    private static Conv2DReferenceLayer Conv(
        int height = 3, int width = 3, int channels = 2, int outputs = 2, int kernelHeight = 2, int kernelWidth = 2,
        int[]? strides = null, int[]? dilations = null, int[]? pads = null, int groups = 1,
        QuantType inputType = QuantType.UInt8, float inputScale = 0.5f, int inputZeroPoint = 0,
        QuantType weightType = QuantType.Int8, byte[]? weights = null, float[]? weightScales = null, int[]? weightZeroPoints = null,
        int[]? bias = null, float outputScale = 1f, int outputZeroPoint = 0, bool? perChannelScales = null, QuantType? outputType = null)
        => new(height, width, channels, outputs, kernelHeight, kernelWidth, strides, dilations, pads, groups,
            inputType, inputScale, inputZeroPoint, weightType, weights ?? new byte[outputs * kernelHeight * kernelWidth * channels / Math.Max(groups, 1)],
            weightScales ?? new[] { 0.5f }, weightZeroPoints ?? new[] { 0 }, bias, outputScale, outputZeroPoint, Activation.None,
            perChannelScales, outputType: outputType);

    public static IEnumerable<object[]> BadConvolutions()
    {
        object[] Case(string parameter, Func<object> create) => new object[] { parameter, create };
        yield return Case("inputHeight", () => Conv(height: 0));
        yield return Case("inputWidth", () => Conv(width: -1));
        yield return Case("inputChannels", () => Conv(channels: 0));
        yield return Case("outputChannels", () => Conv(outputs: 0, weights: new byte[0]));
        yield return Case("kernelHeight", () => Conv(kernelHeight: 0, weights: new byte[0]));
        yield return Case("kernelWidth", () => Conv(kernelWidth: 0, weights: new byte[0]));
        yield return Case("groups", () => Conv(groups: 0));
        yield return Case("groups", () => Conv(channels: 3, groups: 2, weights: new byte[12]));   // 2 does not divide 3
        yield return Case("strides", () => Conv(strides: new[] { 1 }));
        yield return Case("strides", () => Conv(strides: new[] { 0, 1 }));
        yield return Case("dilations", () => Conv(dilations: new[] { 1, 0 }));
        yield return Case("pads", () => Conv(pads: new[] { 1, 1, 1 }));
        yield return Case("pads", () => Conv(pads: new[] { 0, -1, 0, 0 }));
        yield return Case("kernelHeight", () => Conv(kernelHeight: 4, weights: new byte[32]));   // 4 > 3 rows
        yield return Case("kernelWidth", () => Conv(dilations: new[] { 1, 3 }));                  // dilated 4 > 3 columns
        yield return Case("inputType", () => Conv(inputType: QuantType.Int32));
        yield return Case("weightType", () => Conv(weightType: QuantType.Float32));
        yield return Case("outputType", () => Conv(outputType: QuantType.Float32));
        yield return Case("weights", () => Conv(weights: new byte[15]));
        yield return Case("weightScales", () => Conv(weightScales: new[] { 1f, 1f, 1f }));
        yield return Case("weightScales", () => Conv(weightScales: new[] { 0.5f, 0f }));
        yield return Case("weightScales", () => Conv(weightScales: new[] { float.PositiveInfinity }));
        yield return Case("weightZeroPoints", () => Conv(weightZeroPoints: new[] { 0, 0, 0 }));
        yield return Case("weightZeroPoints", () => Conv(weightZeroPoints: new[] { 128 }));        // Int8 weights
        yield return Case("weightZeroPoints", () => Conv(weightType: QuantType.UInt8, weightZeroPoints: new[] { -1 }));
        yield return Case("bias", () => Conv(bias: new[] { 1 }));
        yield return Case("perChannelScales", () => Conv(weightScales: new[] { 1f, 1f }, perChannelScales: false));
        yield return Case("inputZeroPoint", () => Conv(inputZeroPoint: 256));
        yield return Case("inputZeroPoint", () => Conv(inputType: QuantType.Int8, inputZeroPoint: 128));
        yield return Case("inputScale", () => Conv(inputScale: 0f));
        yield return Case("inputScale", () => Conv(inputScale: float.NaN));
        yield return Case("outputScale", () => Conv(outputScale: -1f));
        yield return Case("outputZeroPoint", () => Conv(outputType: QuantType.Int8, outputZeroPoint: -129));
        yield return Case("outputZeroPoint", () => Conv(outputZeroPoint: 256));
    }

    [Theory]
    [MemberData(nameof(BadConvolutions))]
    public void Conv2DReferenceLayer_RejectsBadArguments(string parameter, Func<object> create)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Equal(parameter, e.ParamName);
    }

    public static IEnumerable<object[]> BadDepthwiseConvolutions()
    {
        DepthwiseConv2DReferenceLayer Depthwise(int channels = 2, int multiplier = 1, int kernel = 2, int[]? strides = null,
            int[]? pads = null, byte[]? weights = null, float[]? weightScales = null, int[]? weightZeroPoints = null,
            int[]? bias = null, float inputScale = 1f, int outputZeroPoint = 0, QuantType? outputType = null)
            => new(3, 3, channels, multiplier, kernel, kernel, strides, null, pads, QuantType.Int8, inputScale, 0, QuantType.Int8,
                weights ?? new byte[kernel * kernel * channels * multiplier], weightScales ?? new[] { 1f },
                weightZeroPoints ?? new[] { 0 }, bias, 1f, outputZeroPoint, Activation.None, outputType: outputType);
        object[] Case(string parameter, Func<object> create) => new object[] { parameter, create };
        yield return Case("channels", () => Depthwise(channels: 0, weights: new byte[0]));
        yield return Case("depthMultiplier", () => Depthwise(multiplier: 0, weights: new byte[0]));
        yield return Case("kernelHeight", () => Depthwise(kernel: 4));
        yield return Case("strides", () => Depthwise(strides: new[] { 1, 1, 1 }));
        yield return Case("pads", () => Depthwise(pads: new[] { -1, 0, 0, 0 }));
        yield return Case("weights", () => Depthwise(weights: new byte[7]));
        yield return Case("weightScales", () => Depthwise(weightScales: new[] { 1f, 1f, 1f }));   // 1 or 2
        yield return Case("weightZeroPoints", () => Depthwise(multiplier: 2, weightZeroPoints: new[] { 0, 0 }));   // 1 or 4
        yield return Case("bias", () => Depthwise(multiplier: 2, bias: new[] { 0, 0 }));
        yield return Case("inputScale", () => Depthwise(inputScale: -0.5f));
        yield return Case("outputZeroPoint", () => Depthwise(outputZeroPoint: 200));                      // Int8 output
        yield return Case("outputType", () => Depthwise(outputType: QuantType.Float32));
    }

    [Theory]
    [MemberData(nameof(BadDepthwiseConvolutions))]
    public void DepthwiseConv2DReferenceLayer_RejectsBadArguments(string parameter, Func<object> create)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void Int32Output_DoesNotCheckTheUnusedScalesAndOutputZeroPoint()
    {
        // ONNX ConvInteger has no scales: zero scales and any output zero point are accepted when the output is Int32.
        Conv2DReferenceLayer layer = Conv(inputScale: 0f, weightScales: new[] { 0f }, outputScale: 0f, outputZeroPoint: 1000,
            outputType: QuantType.Int32);
        Assert.Equal((int.MinValue, int.MaxValue), (layer.OutputMin, layer.OutputMax));
        Assert.Equal(2 * 2 * 2 * 4, layer.OutputBytes);
    }

    [Fact]
    public void Run_RejectsWrongTensors()
    {
        Conv2DReferenceLayer layer = Conv();   // 3x3x2 in, 2x2x2 out
        Assert.Equal((18, 8), (layer.InputBytes, layer.OutputBytes));
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[18], new byte[18] }, new byte[8]));
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[17] }, new byte[8]));
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[18] }, new byte[9]));
        layer.Run(new[] { new byte[18] }, new byte[8]);

        var depthwise = new DepthwiseConv2DReferenceLayer(2, 2, 3, 1, 1, 1, null, null, null, QuantType.UInt8, 1f, 0, QuantType.Int8,
            new byte[3], new[] { 1f }, new[] { 0 }, null, 1f, 0, Activation.None);
        Assert.Throws<ArgumentException>(() => depthwise.Run(new[] { new byte[11] }, new byte[12]));
        Assert.Throws<ArgumentException>(() => depthwise.Run(new[] { new byte[12] }, new byte[11]));
        depthwise.Run(new[] { new byte[12] }, new byte[12]);
    }

    [Fact]
    public void ReferenceModel_ChainsAConvolutionIntoADepthwiseConvolution()
    {
        // 2x2x1 uint8 [1 2; 3 4] -> 1x1 conv with 2 filters [1] and [2] (Int8 weights, scales 1 -> multiplier 1): pixels
        // [1 2], [2 4], [3 6], [4 8] -> 2x2 depthwise, weights all 1 (multiplier 1): channel 0: 1+2+3+4 = 10,
        // channel 1: 2+4+6+8 = 20.
        var conv = new Conv2DReferenceLayer(2, 2, 1, 2, 1, 1, null, null, null, 1, QuantType.UInt8, 1f, 0, QuantType.Int8,
            Raw(1, 2), new[] { 1f }, new[] { 0 }, null, 1f, 0, Activation.None);
        var depthwise = new DepthwiseConv2DReferenceLayer(2, 2, 2, 1, 2, 2, null, null, null, QuantType.UInt8, 1f, 0,
            QuantType.Int8, Raw(1, 1, 1, 1, 1, 1, 1, 1), new[] { 1f }, new[] { 0 }, null, 1f, 0, Activation.None);
        var output = new byte[2];
        ReferenceOps.Model(4, new IReferenceLayer[] { conv, depthwise }, Raw(1, 2, 3, 4), output);
        Assert.Equal(new byte[] { 10, 20 }, output);
    }
}
