extern alias generator;
using System;
using GeneratorGeometry = generator::KernelGen.ConvolutionGeometry;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// ConvolutionGeometry against sizes worked out by hand from TFLite's definitions (padding.h ComputePaddingHeightWidth,
/// kernel_util.cc ComputeOutSize) and ONNX's Conv / pool shape inference (floor((in + pads - dilated kernel) / stride) + 1;
/// SAME_UPPER: out = ceil(in / stride), the odd padding at the end).
/// </summary>
public sealed class ConvolutionGeometryTests
{
    [Theory]
    // floor((7 + 1 + 1 - 3) / 2) + 1 = floor(6 / 2) + 1 = 4
    [InlineData(7, 3, 2, 1, 1, 1, 4)]
    // dilated kernel (3 - 1) * 2 + 1 = 5; floor((5 - 5) / 1) + 1 = 1
    [InlineData(5, 3, 1, 2, 0, 0, 1)]
    // floor((10 - 3) / 3) + 1 = 2 + 1 = 3 (the last input column is never read)
    [InlineData(10, 3, 3, 1, 0, 0, 3)]
    // asymmetric padding: floor((4 + 0 + 2 - 3) / 1) + 1 = 4
    [InlineData(4, 3, 1, 1, 0, 2, 4)]
    // 1x1 kernel, stride 2: floor((5 - 1) / 2) + 1 = 3
    [InlineData(5, 1, 2, 1, 0, 0, 3)]
    // kernel larger than the input but not than the padded input: floor((2 + 2 + 2 - 5) / 1) + 1 = 2
    [InlineData(2, 5, 1, 1, 2, 2, 2)]
    // dilation and stride: dilated kernel (3 - 1) * 3 + 1 = 7; floor((9 + 1 + 1 - 7) / 2) + 1 = floor(4 / 2) + 1 = 3
    [InlineData(9, 3, 2, 3, 1, 1, 3)]
    public void OutputSize_FloorFormula(int input, int kernel, int stride, int dilation, int before, int after, int expected)
    {
        Assert.Equal(expected, ConvolutionGeometry.OutputSize(input, kernel, stride, dilation, before, after));
        Assert.True(ConvolutionGeometry.TryValidate(input, kernel, stride, dilation, before, after, out int output, out string? reason));
        Assert.Equal(expected, output);
        Assert.Null(reason);
    }

    [Theory]
    // out = ceil(7 / 2) = 4; total = (4 - 1) * 2 + 3 - 7 = 2 -> 1 before, 1 after
    [InlineData(7, 3, 2, 1, 4, 1, 1)]
    // out = ceil(8 / 2) = 4; total = 3 * 2 + 3 - 8 = 1 -> 0 before, 1 after (the odd one at the bottom / right)
    [InlineData(8, 3, 2, 1, 4, 0, 1)]
    // out = ceil(5 / 2) = 3; total = 2 * 2 + 1 - 5 = 0
    [InlineData(5, 1, 2, 1, 3, 0, 0)]
    // out = 4; total = 3 * 1 + 5 - 4 = 4 -> 2, 2
    [InlineData(4, 5, 1, 1, 4, 2, 2)]
    // out = 4; total = 3 + 4 - 4 = 3 -> 1, 2
    [InlineData(4, 4, 1, 1, 4, 1, 2)]
    // dilated kernel (3 - 1) * 2 + 1 = 5; out = 6; total = 5 * 1 + 5 - 6 = 4 -> 2, 2
    [InlineData(6, 3, 1, 2, 6, 2, 2)]
    // out = ceil(3 / 5) = 1; total = 0 * 5 + 1 - 3 = -2 -> max(-2, 0) = 0
    [InlineData(3, 1, 5, 1, 1, 0, 0)]
    // out = ceil(224 / 2) = 112; total = 111 * 2 + 3 - 224 = 1 -> 0, 1 (MobileNet's first layer under TFLite SAME)
    [InlineData(224, 3, 2, 1, 112, 0, 1)]
    public void SamePadding_TfliteSameAndOnnxSameUpper(int input, int kernel, int stride, int dilation, int expectedOutput, int expectedBefore, int expectedAfter)
    {
        Assert.Equal(expectedOutput, ConvolutionGeometry.SameOutputSize(input, stride));
        ConvolutionGeometry.SamePadding(input, kernel, stride, dilation, out int before, out int after);
        Assert.Equal((expectedBefore, expectedAfter), (before, after));
        // The explicit-padding formula with these pads gives the SAME output size back.
        Assert.Equal(expectedOutput, ConvolutionGeometry.OutputSize(input, kernel, stride, dilation, before, after));

        ConvolutionGeometry.Pads(Padding.Same, input, kernel, stride, dilation, out int samBefore, out int sameAfter);
        Assert.Equal((before, after), (samBefore, sameAfter));
    }

    [Fact]
    public void SamePadding_OutputIsCeilOfInputOverStrideForManyShapes()
    {
        // TFLite's ComputePaddingHeightWidth written out independently: out = (in + s - 1) / s;
        // total = max((out - 1) * s + dilated - in, 0); before = total / 2, after = total - before.
        var random = new Random(12345);
        for (int n = 0; n < 5000; n++)
        {
            int input = random.Next(1, 300), kernel = random.Next(1, 12), stride = random.Next(1, 9), dilation = random.Next(1, 6);
            ConvolutionGeometry.SamePadding(input, kernel, stride, dilation, out int before, out int after);
            int output = (input + stride - 1) / stride;
            int total = Math.Max((output - 1) * stride + (kernel - 1) * dilation + 1 - input, 0);
            Assert.Equal((total / 2, total - total / 2), (before, after));
            Assert.Equal(output, ConvolutionGeometry.OutputSize(input, kernel, stride, dilation, before, after));
        }
    }

    [Fact]
    public void Pads_ValidIsNoPadding()
    {
        ConvolutionGeometry.Pads(Padding.Valid, 7, 3, 2, 1, out int before, out int after);
        Assert.Equal((0, 0), (before, after));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvolutionGeometry.Pads((Padding)7, 7, 3, 2, 1, out _, out _));
    }

    [Fact]
    public void DilatedKernel_Span()
    {
        Assert.Equal(1, ConvolutionGeometry.DilatedKernel(1, 5));
        Assert.Equal(3, ConvolutionGeometry.DilatedKernel(3, 1));
        Assert.Equal(7, ConvolutionGeometry.DilatedKernel(3, 3));   // taps at 0, 3, 6
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvolutionGeometry.DilatedKernel(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvolutionGeometry.DilatedKernel(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvolutionGeometry.DilatedKernel(3, int.MaxValue));
    }

    [Theory]
    [InlineData(0, 3, 1, 1, 0, 0, "input size (0)")]
    [InlineData(5, 0, 1, 1, 0, 0, "kernel size (0)")]
    [InlineData(5, 3, 0, 1, 0, 0, "stride (0)")]
    [InlineData(5, 3, 1, -1, 0, 0, "dilation (-1)")]
    [InlineData(5, 3, 1, 1, -1, 0, "must not be negative")]
    [InlineData(5, 3, 1, 1, 0, -2, "must not be negative")]
    [InlineData(2, 3, 1, 1, 0, 0, "larger than the padded input")]
    [InlineData(5, 3, 1, 3, 0, 1, "larger than the padded input")]          // dilated 7 > 5 + 1
    [InlineData(5, 3, 1, int.MaxValue, 0, 0, "overflows an int")]
    [InlineData(5, 3, 1, 1, int.MaxValue, 1, "overflows an int")]
    public void TryValidate_ReportsWithoutThrowing(int input, int kernel, int stride, int dilation, int before, int after, string expected)
    {
        Assert.False(ConvolutionGeometry.TryValidate(input, kernel, stride, dilation, before, after, out int output, out string? reason));
        Assert.Equal(0, output);
        Assert.NotNull(reason);
        Assert.Contains(expected, reason);
        ArgumentException e = Assert.Throws<ArgumentException>(() => ConvolutionGeometry.OutputSize(input, kernel, stride, dilation, before, after));
        Assert.Equal(reason, e.Message);
    }

    [Theory]
    // pads smaller than the window: fine. floor((5 + 2 + 2 - 3) / 2) + 1 = 4
    [InlineData(5, 3, 2, 2, 2, true, 4)]
    // a pad as large as the window puts a whole window in the padding
    [InlineData(5, 3, 1, 3, 0, false, 0)]
    [InlineData(5, 3, 1, 0, 3, false, 0)]
    public void TryValidatePool_PaddingSmallerThanWindow(int input, int window, int stride, int before, int after, bool valid, int expected)
    {
        Assert.Equal(valid, ConvolutionGeometry.TryValidatePool(input, window, stride, before, after, out int output, out string? reason));
        Assert.Equal(expected, output);
        if (valid)
            Assert.Null(reason);
        else
            Assert.Contains("smaller than the window", reason);
        // A convolution accepts the same padding (a window in the padding only adds the bias).
        Assert.True(ConvolutionGeometry.TryValidate(input, window, stride, 1, before, after, out _, out _));
    }

    [Fact]
    public void GeneratorCompilesTheSameDefinition()
    {
        // The generator compiles Shared/ConvolutionGeometry.cs (internal there): same answers as the runtime's copy.
        var random = new Random(7);
        for (int n = 0; n < 500; n++)
        {
            int input = random.Next(-1, 40), kernel = random.Next(0, 8), stride = random.Next(0, 4), dilation = random.Next(0, 4);
            int before = random.Next(-1, 5), after = random.Next(-1, 5);
            bool ok = ConvolutionGeometry.TryValidate(input, kernel, stride, dilation, before, after, out int output, out string? reason);
            bool generatorOk = GeneratorGeometry.TryValidate(input, kernel, stride, dilation, before, after, out int generatorOutput, out string? generatorReason);
            Assert.Equal((ok, output, reason), (generatorOk, generatorOutput, generatorReason));
        }
    }
}
