using KernelGen;

namespace KernelGen.Benchmarks;

// The convolution models under test, declared as a KernelGen user declares them: NHWC uint8 input (scale 0.02, zero
// point 128), int8 symmetric weights with one scale per output channel (0.0020 to 0.0030), no bias, ReLU with output
// zero point 0, SAME padding, stride 1. The weights (static readonly sbyte[] W) are written at build time with fixed
// seeds by build/WriteBenchmarkWeights.cs into obj/.../BenchmarkWeights.g.cs, uniform in [-127, 127] (Conv3x3x32Narrow:
// [-63, 63], which the vpmaddubsw proof accepts; the depthwise layer has no such twin: its AVX2 kernel multiplies in
// int32 lanes whatever the weights).
//
// Both use the float requantization scheme, ONNX Runtime's: acc * (x_scale * w_scale[o] / y_scale) rounded half to
// even. KernelGen's output is then byte-for-byte ONNX Runtime's QLinearConv output, which the setup checks.
//
// The ONNX Runtime baseline is built from these attributes at run time (by reflection, see ConvModelInfo).

/// <summary>Conv2D, 56x56x32 -> 56x56x32, 3x3 SAME, stride 1, ReLU. Weights OHWI [32, 3, 3, 32].</summary>
[QuantizedModel(56, 56, 32, InputScale = 0.02f, InputZeroPoint = 128, Requantization = RequantizationScheme.Float)]
[Conv2D(32, 3, 3, Name = "conv", Padding = Padding.Same, Weights = nameof(W), OutputScale = 0.05f, OutputZeroPoint = 0,
    Activation = Activation.Relu,
    WeightScales = new[]
        {
            0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f,
            0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f
        })]
internal partial class Conv3x3x32
{
}

/// <summary>Conv3x3x32 twin with weights in [-63, 63] (output scale halved with them): the generator proves vpmaddubsw exact for it
/// (255 * 126 <= 32767), so its AVX2 / AVX-512BW kernels take the fast u8*s8 step instead of widening to int16.</summary>
[QuantizedModel(56, 56, 32, InputScale = 0.02f, InputZeroPoint = 128, Requantization = RequantizationScheme.Float)]
[Conv2D(32, 3, 3, Name = "conv", Padding = Padding.Same, Weights = nameof(W), OutputScale = 0.025f, OutputZeroPoint = 0,
    Activation = Activation.Relu,
    WeightScales = new[]
        {
            0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f,
            0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f
        })]
internal partial class Conv3x3x32Narrow
{
}

/// <summary>DepthwiseConv2D, 112x112x32 -> 112x112x32, 3x3 SAME, stride 1, depth multiplier 1, ReLU. Weights [3, 3, 32].</summary>
[QuantizedModel(112, 112, 32, InputScale = 0.02f, InputZeroPoint = 128, Requantization = RequantizationScheme.Float)]
[DepthwiseConv2D(3, 3, Name = "dw", Padding = Padding.Same, Weights = nameof(W), OutputScale = 0.01f, OutputZeroPoint = 0,
    Activation = Activation.Relu,
    WeightScales = new[]
        {
            0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f,
            0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f
        })]
internal partial class Depthwise3x3x32
{
}
