using System;

namespace KernelGen.Kernels;

/// <summary>
/// The geometry of a Conv2D layer as the generator resolved it (padding computed): what <see cref="ScalarConv2D"/> needs
/// besides the folded constants.
/// </summary>
public readonly struct Conv2DGeometry
{
    /// <summary>Creates the geometry; pads are {top, left} (the bottom and right follow from the output size).</summary>
    public Conv2DGeometry(
        int inputHeight, int inputWidth, int inputChannels, int outputHeight, int outputWidth, int outputChannels,
        int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int dilationHeight, int dilationWidth,
        int padTop, int padLeft, int groups)
    {
        InputHeight = inputHeight;
        InputWidth = inputWidth;
        InputChannels = inputChannels;
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
        OutputChannels = outputChannels;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        DilationHeight = dilationHeight;
        DilationWidth = dilationWidth;
        PadTop = padTop;
        PadLeft = padLeft;
        Groups = groups;
    }

    /// <summary>Input rows.</summary>
    public int InputHeight { get; }

    /// <summary>Input columns.</summary>
    public int InputWidth { get; }

    /// <summary>Input channels.</summary>
    public int InputChannels { get; }

    /// <summary>Output rows.</summary>
    public int OutputHeight { get; }

    /// <summary>Output columns.</summary>
    public int OutputWidth { get; }

    /// <summary>Output channels (filters).</summary>
    public int OutputChannels { get; }

    /// <summary>Kernel rows.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel columns.</summary>
    public int KernelWidth { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideHeight { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideWidth { get; }

    /// <summary>Vertical dilation.</summary>
    public int DilationHeight { get; }

    /// <summary>Horizontal dilation.</summary>
    public int DilationWidth { get; }

    /// <summary>Padding rows above the input.</summary>
    public int PadTop { get; }

    /// <summary>Padding columns left of the input.</summary>
    public int PadLeft { get; }

    /// <summary>Groups.</summary>
    public int Groups { get; }

    /// <summary>K: bytes of one group's receptive field, kh * kw * C / groups.</summary>
    public int RowInputs => KernelHeight * KernelWidth * (InputChannels / Groups);
}

/// <summary>
/// The scalar fallback of the Conv2D kernels: the same implicit GEMM over the same folded constants as the SIMD paths.
/// For each output pixel and group the receptive field is gathered into the workspace (padded taps get the input zero
/// point's byte) and handed to <see cref="ScalarDense"/> with the group's packed weights and tables.
/// </summary>
public static class ScalarConv2D
{
    /// <summary>Runs the layer on one image.</summary>
    /// <param name="geometry">The layer's shape.</param>
    /// <param name="inputSigned">Int8 input.</param>
    /// <param name="padValue">The byte a padded tap reads: the input zero point as stored.</param>
    /// <param name="weights">Per group, the <see cref="DensePacking"/> operand of <see cref="Conv2DGeometry.RowInputs"/>
    /// inputs and OC / groups outputs, groups one after another.</param>
    /// <param name="foldedBias">Per group, <see cref="DensePacking.PaddedOutputs"/>(OC / groups) columns.</param>
    /// <param name="weightZeroPoints">As <paramref name="foldedBias"/>, or empty when all are 0.</param>
    /// <param name="requantization">Tables laid out as <paramref name="foldedBias"/>.</param>
    /// <param name="input">H x W x C bytes.</param>
    /// <param name="output">OH x OW x OC outputs (4 bytes each for Int32).</param>
    /// <param name="workspace">At least <see cref="Conv2DGeometry.RowInputs"/> bytes unless the kernel is 1x1 with no
    /// padding (then unused).</param>
    public static void Run(
        in Conv2DGeometry geometry, bool inputSigned, byte padValue, ReadOnlySpan<sbyte> weights, ReadOnlySpan<int> foldedBias,
        ReadOnlySpan<int> weightZeroPoints, PackedRequantization requantization,
        ReadOnlySpan<byte> input, Span<byte> output, Span<byte> workspace)
    {
        Conv2DGeometry g = geometry;
        int groups = g.Groups;
        int cg = g.InputChannels / groups;
        int ocg = g.OutputChannels / groups;
        int k = g.RowInputs;
        int columns = DensePacking.PaddedOutputs(ocg);
        int packedBytes = DensePacking.PackedLength(k, ocg);
        int elementBytes = requantization.ElementBytes;
        if (input.Length < g.InputHeight * g.InputWidth * g.InputChannels)
            throw new ArgumentException("The input is shorter than the layer's input tensor.", nameof(input));
        if (output.Length < g.OutputHeight * g.OutputWidth * g.OutputChannels * elementBytes)
            throw new ArgumentException("The output is shorter than the layer's output tensor.", nameof(output));
        bool direct = g.KernelHeight == 1 && g.KernelWidth == 1 && g.PadTop == 0 && g.PadLeft == 0
            && (g.OutputHeight - 1) * g.StrideHeight < g.InputHeight && (g.OutputWidth - 1) * g.StrideWidth < g.InputWidth;
        if (!direct && workspace.Length < k)
            throw new ArgumentException($"The workspace needs {k} bytes.", nameof(workspace));

        for (int oy = 0; oy < g.OutputHeight; oy++)
        {
            for (int ox = 0; ox < g.OutputWidth; ox++)
            {
                int pixel = oy * g.OutputWidth + ox;
                for (int group = 0; group < groups; group++)
                {
                    ReadOnlySpan<byte> row;
                    if (direct)
                    {
                        row = input.Slice(((oy * g.StrideHeight) * g.InputWidth + ox * g.StrideWidth) * g.InputChannels + group * cg, cg);
                    }
                    else
                    {
                        Gather(g, group, oy, ox, padValue, input, workspace);
                        row = workspace.Slice(0, k);
                    }
                    int table = group * columns;
                    var layer = new PackedDense(
                        k, ocg, inputSigned, weights.Slice(group * packedBytes, packedBytes), foldedBias.Slice(table, columns),
                        Slice(weightZeroPoints, table, columns),
                        new PackedRequantization(
                            Slice(requantization.Multipliers, table, columns), Slice(requantization.LeftShifts, table, columns),
                            Slice(requantization.RightShifts, table, columns), Slice(requantization.Scales, table, columns),
                            requantization.ZeroPoint, requantization.ClampMin, requantization.ClampMax, requantization.OutputType));
                    ScalarDense.Run(layer, row, output.Slice((pixel * g.OutputChannels + group * ocg) * elementBytes, ocg * elementBytes));
                }
            }
        }
    }

    /// <summary>
    /// The declared OHWI weights [OC, kh, kw, C / groups] as raw bytes, from the per-group packed operand (the inverse of
    /// the generator's packing). Generated RunReference uses it, so Run and RunReference read one copy of the weights.
    /// </summary>
    public static byte[] UnpackWeights(ReadOnlySpan<sbyte> packed, int rowInputs, int groupOutputs, int groups, QuantType weightType)
    {
        int groupBytes = DensePacking.PackedLength(rowInputs, groupOutputs);
        if (packed.Length != groupBytes * groups)
            throw new ArgumentException($"Expected {groupBytes * groups} packed bytes, got {packed.Length}.", nameof(packed));
        var weights = new byte[rowInputs * groupOutputs * groups];
        for (int group = 0; group < groups; group++)
        {
            byte[] one = DensePacking.UnpackWeights(packed.Slice(group * groupBytes, groupBytes), rowInputs, groupOutputs, weightType);
            one.CopyTo(weights, group * one.Length);
        }
        return weights;
    }

    private static void Gather(in Conv2DGeometry g, int group, int oy, int ox, byte padValue, ReadOnlySpan<byte> input, Span<byte> row)
    {
        int cg = g.InputChannels / g.Groups;
        int p = 0;
        for (int i = 0; i < g.KernelHeight; i++)
        {
            int iy = oy * g.StrideHeight - g.PadTop + i * g.DilationHeight;
            for (int j = 0; j < g.KernelWidth; j++, p += cg)
            {
                int ix = ox * g.StrideWidth - g.PadLeft + j * g.DilationWidth;
                if (iy < 0 || iy >= g.InputHeight || ix < 0 || ix >= g.InputWidth)
                    row.Slice(p, cg).Fill(padValue);
                else
                    input.Slice((iy * g.InputWidth + ix) * g.InputChannels + group * cg, cg).CopyTo(row.Slice(p, cg));
            }
        }
    }

    private static ReadOnlySpan<T> Slice<T>(ReadOnlySpan<T> span, int start, int length) => span.IsEmpty ? span : span.Slice(start, length);
}
