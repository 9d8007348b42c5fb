namespace KernelGen;

/// <summary>
/// The geometry of a sliding window along one spatial axis (convolutions and pools): output size from input size, kernel,
/// stride, dilation and padding, and the padding that <see cref="Padding.Same"/> implies. The generator compiles this
/// same file, so the shapes it plans and the ones the reference computes come from one definition.
/// </summary>
/// <remarks>
/// Along one axis, output position o reads input positions o * stride - padBefore + k * dilation for k in [0, kernel);
/// positions outside [0, input) are padding. The dilated kernel spans (kernel - 1) * dilation + 1 positions.
/// </remarks>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
static class ConvolutionGeometry
{
    /// <summary>The positions a kernel of <paramref name="kernel"/> taps spans with <paramref name="dilation"/>:
    /// (kernel - 1) * dilation + 1.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">The kernel or dilation is not positive, or the span
    /// overflows an int.</exception>
    public static int DilatedKernel(int kernel, int dilation)
    {
        if (kernel <= 0) throw new System.ArgumentOutOfRangeException(nameof(kernel), kernel, "Must be positive.");
        if (dilation <= 0) throw new System.ArgumentOutOfRangeException(nameof(dilation), dilation, "Must be positive.");
        long span = (long)(kernel - 1) * dilation + 1;
        if (span > int.MaxValue) throw new System.ArgumentOutOfRangeException(nameof(dilation), dilation, "The dilated kernel overflows an int.");
        return (int)span;
    }

    /// <summary>
    /// The output size with explicit padding: floor((input + padBefore + padAfter - ((kernel - 1) * dilation + 1)) / stride) + 1
    /// (TFLite, ONNX with explicit pads and floor rounding).
    /// </summary>
    /// <exception cref="System.ArgumentException">The arguments fail <see cref="TryValidate"/>; the message says why.</exception>
    public static int OutputSize(int input, int kernel, int stride, int dilation, int padBefore, int padAfter)
    {
        if (!TryValidate(input, kernel, stride, dilation, padBefore, padAfter, out int output, out string? reason))
            throw new System.ArgumentException(reason);
        return output;
    }

    /// <summary>The output size of <see cref="Padding.Same"/> (TFLite SAME, ONNX SAME_UPPER): ceil(input / stride).</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">The input or stride is not positive.</exception>
    public static int SameOutputSize(int input, int stride)
    {
        if (input <= 0) throw new System.ArgumentOutOfRangeException(nameof(input), input, "Must be positive.");
        if (stride <= 0) throw new System.ArgumentOutOfRangeException(nameof(stride), stride, "Must be positive.");
        return (int)(((long)input + stride - 1) / stride);
    }

    /// <summary>
    /// The padding of <see cref="Padding.Same"/> (TFLite SAME, ONNX SAME_UPPER): the output is ceil(input / stride), the
    /// total padding max((output - 1) * stride + (kernel - 1) * dilation + 1 - input, 0), of which
    /// <paramref name="padBefore"/> gets total / 2 and <paramref name="padAfter"/> the rest (the extra one at the
    /// bottom / right).
    /// </summary>
    /// <exception cref="System.ArgumentOutOfRangeException">A size, stride or dilation is not positive, or the padding
    /// overflows an int.</exception>
    public static void SamePadding(int input, int kernel, int stride, int dilation, out int padBefore, out int padAfter)
    {
        int span = DilatedKernel(kernel, dilation);
        int output = SameOutputSize(input, stride);
        long total = (long)(output - 1) * stride + span - input;
        if (total < 0) total = 0;
        if (total > int.MaxValue) throw new System.ArgumentOutOfRangeException(nameof(kernel), kernel, "The padding overflows an int.");
        padBefore = (int)(total / 2);
        padAfter = (int)(total - padBefore);
    }

    /// <summary>The padding that <paramref name="padding"/> implies: none for <see cref="Padding.Valid"/>,
    /// <see cref="SamePadding"/> for <see cref="Padding.Same"/>.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">An unknown padding, or as <see cref="SamePadding"/>.</exception>
    public static void Pads(Padding padding, int input, int kernel, int stride, int dilation, out int padBefore, out int padAfter)
    {
        switch (padding)
        {
            case Padding.Valid:
                padBefore = 0;
                padAfter = 0;
                break;
            case Padding.Same:
                SamePadding(input, kernel, stride, dilation, out padBefore, out padAfter);
                break;
            default:
                throw new System.ArgumentOutOfRangeException(nameof(padding), padding, "Unknown padding.");
        }
    }

    /// <summary>
    /// Checks one axis of a window without throwing: positive input, kernel, stride and dilation, non-negative padding,
    /// a dilated kernel that fits in the padded input (at least one output), and sizes that fit an int. On success
    /// <paramref name="output"/> is the output size and <paramref name="reason"/> null; on failure
    /// <paramref name="output"/> is 0 and <paramref name="reason"/> says what is wrong.
    /// </summary>
    public static bool TryValidate(int input, int kernel, int stride, int dilation, int padBefore, int padAfter, out int output, out string? reason)
    {
        output = 0;
        reason = Check(input, kernel, stride, dilation, padBefore, padAfter, out long size);
        if (reason != null)
            return false;
        output = (int)size;
        return true;
    }

    /// <summary>
    /// <see cref="TryValidate"/> for a pool (dilation 1) with TFLite's rule that every window holds at least one input
    /// value: each padding must be smaller than the window, or a window lies wholly in the padding and has no max and
    /// no average.
    /// </summary>
    public static bool TryValidatePool(int input, int window, int stride, int padBefore, int padAfter, out int output, out string? reason)
    {
        if (!TryValidate(input, window, stride, 1, padBefore, padAfter, out output, out reason))
            return false;
        if (padBefore >= window || padAfter >= window)
        {
            output = 0;
            reason = $"The padding ({padBefore} before, {padAfter} after) must be smaller than the window ({window}): a window wholly in the padding has no value.";
            return false;
        }
        return true;
    }

    private static string? Check(int input, int kernel, int stride, int dilation, int padBefore, int padAfter, out long output)
    {
        output = 0;
        if (input <= 0) return $"The input size ({input}) must be positive.";
        if (kernel <= 0) return $"The kernel size ({kernel}) must be positive.";
        if (stride <= 0) return $"The stride ({stride}) must be positive.";
        if (dilation <= 0) return $"The dilation ({dilation}) must be positive.";
        if (padBefore < 0 || padAfter < 0) return $"The padding ({padBefore} before, {padAfter} after) must not be negative.";
        long span = (long)(kernel - 1) * dilation + 1;
        long padded = (long)input + padBefore + padAfter;
        if (span > int.MaxValue) return $"The dilated kernel ((kernel - 1) * dilation + 1 = {span}) overflows an int.";
        if (padded > int.MaxValue) return $"The padded input ({padded}) overflows an int.";
        if (span > padded)
            return $"The dilated kernel ({span}) is larger than the padded input ({input} + {padBefore} + {padAfter} = {padded}).";
        output = (padded - span) / stride + 1;
        return null;
    }
}
