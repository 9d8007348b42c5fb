using KernelGen;

namespace KernelGen.Benchmarks;

// The CNN of the convolution issue: samples/DigitsCnn's topology (8x8x1 NHWC input, two 3x3 SAME convolutions with ReLU,
// a 2x2 max pool between them, flatten, a 256 -> 10 Dense layer) declared as a user would, with random weights from
// build/BenchmarkWeights.targets (the sample's trained weights come from .bin files with biases; these have no bias so
// that the ONNX Runtime graph needs none) and the float requantization scheme (ONNX Runtime's arithmetic, so ORT's
// QLinearConv layers give the same bytes). The ONNX Runtime baseline is built from these attributes (CnnModelInfo).

/// <summary>The digits CNN of samples/DigitsCnn (the convolution issue's CNN), same topology and quantization layout, with
/// random weights and no bias: 8x8x1 -> conv1 3x3 1 -> 8 (SAME, ReLU) -> 2x2 max pool -> conv2 3x3 8 -> 16 (SAME, ReLU) ->
/// flatten (4x4x16 = 256, (h, w, c) order) -> fc 256 -> 10. 25,600 multiply-adds per image.</summary>
[QuantizedModel(8, 8, 1, InputScale = 0.0627451f, InputZeroPoint = 0, Requantization = RequantizationScheme.Float)]
[Conv2D(8, 3, 3, Name = "conv1", Padding = Padding.Same, Weights = nameof(W1), OutputScale = 0.06f, OutputZeroPoint = 0,
    Activation = Activation.Relu, WeightScales = new[] { 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f })]
[MaxPool(2, 2, Name = "pool")]
[Conv2D(16, 3, 3, Name = "conv2", Padding = Padding.Same, Weights = nameof(W2), OutputScale = 0.12f, OutputZeroPoint = 0,
    Activation = Activation.Relu,
    WeightScales = new[]
        {
            0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f
        })]
[Flatten(Name = "flat")]
[Dense(256, 10, Name = "fc", Weights = nameof(W3), OutputScale = 0.4f, OutputZeroPoint = 128,
    WeightScales = new[] { 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f })]
internal partial class DigitsCnn8x8
{
}

/// <summary>DigitsCnn8x8 twin with weights in [-63, 63] (output scales halved with them): vpmaddubsw proven exact in every layer.</summary>
[QuantizedModel(8, 8, 1, InputScale = 0.0627451f, InputZeroPoint = 0, Requantization = RequantizationScheme.Float)]
[Conv2D(8, 3, 3, Name = "conv1", Padding = Padding.Same, Weights = nameof(W1), OutputScale = 0.03f, OutputZeroPoint = 0,
    Activation = Activation.Relu, WeightScales = new[] { 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f })]
[MaxPool(2, 2, Name = "pool")]
[Conv2D(16, 3, 3, Name = "conv2", Padding = Padding.Same, Weights = nameof(W2), OutputScale = 0.06f, OutputZeroPoint = 0,
    Activation = Activation.Relu,
    WeightScales = new[]
        {
            0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f
        })]
[Flatten(Name = "flat")]
[Dense(256, 10, Name = "fc", Weights = nameof(W3), OutputScale = 0.2f, OutputZeroPoint = 128,
    WeightScales = new[] { 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f })]
internal partial class DigitsCnn8x8Narrow
{
}
