using System;

namespace KernelGen.Kernels;

/// <summary>The geometry of a depthwise convolution as the generator resolved it (padding made explicit).</summary>
public readonly struct DepthwiseGeometry
{
    /// <summary>Creates the geometry; the generator has validated it.</summary>
    public DepthwiseGeometry(
        int inputHeight, int inputWidth, int channels, int depthMultiplier, int kernelHeight, int kernelWidth,
        int strideHeight, int strideWidth, int dilationHeight, int dilationWidth, int padTop, int padLeft,
        int outputHeight, int outputWidth)
    {
        InputHeight = inputHeight;
        InputWidth = inputWidth;
        Channels = channels;
        DepthMultiplier = depthMultiplier;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        DilationHeight = dilationHeight;
        DilationWidth = dilationWidth;
        PadTop = padTop;
        PadLeft = padLeft;
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
    }

    /// <summary>Input rows.</summary>
    public int InputHeight { get; }
    /// <summary>Input columns.</summary>
    public int InputWidth { get; }
    /// <summary>Input channels.</summary>
    public int Channels { get; }
    /// <summary>Filters per input channel.</summary>
    public int DepthMultiplier { get; }
    /// <summary>Kernel rows.</summary>
    public int KernelHeight { get; }
    /// <summary>Kernel columns.</summary>
    public int KernelWidth { get; }
    /// <summary>Row stride.</summary>
    public int StrideHeight { get; }
    /// <summary>Column stride.</summary>
    public int StrideWidth { get; }
    /// <summary>Row dilation.</summary>
    public int DilationHeight { get; }
    /// <summary>Column dilation.</summary>
    public int DilationWidth { get; }
    /// <summary>Padding rows above.</summary>
    public int PadTop { get; }
    /// <summary>Padding columns on the left.</summary>
    public int PadLeft { get; }
    /// <summary>Output rows.</summary>
    public int OutputHeight { get; }
    /// <summary>Output columns.</summary>
    public int OutputWidth { get; }
    /// <summary>Output channels: channels * depth multiplier.</summary>
    public int OutputChannels => Channels * DepthMultiplier;
    /// <summary>Output channels padded to whole blocks of 8: the stride of the folded weights between taps.</summary>
    public int PaddedChannels => (OutputChannels + 7) / 8 * 8;
}

/// <summary>
/// The scalar fallback of the DepthwiseConv2D kernels, over the constants the generator folded: weights less their zero
/// points (v = w - z_w, int16, tap-major with <see cref="DepthwiseGeometry.PaddedChannels"/> per tap), the bias, and the
/// requantization step. Taps in the padding are skipped (they read as the input zero point, so contribute 0).
/// </summary>
public static class ScalarDepthwiseConv2D
{
    /// <summary>Computes one image: <paramref name="input"/> is [H, W, C], <paramref name="output"/> [OH, OW, C * M]
    /// (4 bytes per element for Int32 outputs), both NHWC.</summary>
    public static void Run(
        in DepthwiseGeometry geometry, bool inputSigned, int inputZeroPoint, ReadOnlySpan<short> weights, ReadOnlySpan<int> bias,
        PackedRequantization requantization, ReadOnlySpan<byte> input, Span<byte> output)
    {
        int h = geometry.InputHeight, wIn = geometry.InputWidth, c = geometry.Channels, m = geometry.DepthMultiplier;
        int oc = geometry.OutputChannels, padded = geometry.PaddedChannels;
        if (input.Length < h * wIn * c)
            throw new ArgumentException($"Input length {input.Length} is shorter than the layer's {h * wIn * c} values.", nameof(input));
        if (output.Length < geometry.OutputHeight * geometry.OutputWidth * oc * requantization.ElementBytes)
            throw new ArgumentException($"Output length {output.Length} is shorter than the layer's output.", nameof(output));

        for (int oy = 0; oy < geometry.OutputHeight; oy++)
        {
            for (int ox = 0; ox < geometry.OutputWidth; ox++)
            {
                int pixel = (oy * geometry.OutputWidth + ox) * oc;
                for (int o = 0; o < oc; o++)
                {
                    int channel = o / m;
                    int acc = bias[o];
                    for (int i = 0; i < geometry.KernelHeight; i++)
                    {
                        int iy = oy * geometry.StrideHeight - geometry.PadTop + i * geometry.DilationHeight;
                        if ((uint)iy >= (uint)h)
                            continue;
                        for (int j = 0; j < geometry.KernelWidth; j++)
                        {
                            int ix = ox * geometry.StrideWidth - geometry.PadLeft + j * geometry.DilationWidth;
                            if ((uint)ix >= (uint)wIn)
                                continue;
                            byte raw = input[(iy * wIn + ix) * c + channel];
                            int value = (inputSigned ? (sbyte)raw : raw) - inputZeroPoint;
                            acc = unchecked(acc + value * weights[(i * geometry.KernelWidth + j) * padded + o]);
                        }
                    }
                    requantization.Store(output, pixel + o, acc, o);
                }
            }
        }
    }

    /// <summary>The declared weights as raw bytes ([kernelHeight, kernelWidth, outputChannels], int8 reinterpreted) from the
    /// folded v = w - z_w: w = v + z_w. For RunReference, so it reads the data the kernels read.</summary>
    public static byte[] DeclaredWeights(ReadOnlySpan<short> folded, int taps, int outputChannels, int[] zeroPoints)
    {
        int padded = (outputChannels + 7) / 8 * 8;
        var result = new byte[taps * outputChannels];
        for (int t = 0; t < taps; t++)
        {
            for (int o = 0; o < outputChannels; o++)
                result[t * outputChannels + o] = unchecked((byte)(folded[t * padded + o] + zeroPoints[zeroPoints.Length == 1 ? 0 : o]));
        }
        return result;
    }
}
