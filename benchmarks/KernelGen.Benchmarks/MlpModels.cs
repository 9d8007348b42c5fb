using KernelGen;

namespace KernelGen.Benchmarks;

// The MLP of the benchmark suite and its proof-accepted twin, declared as in Models.cs (weights W1, W2 written at build
// time by build/WriteBenchmarkWeights.cs; the twin's in [-63, 63] with its output scales halved). In a file of their own
// because KernelGen.AotTiming compiles this file too (a link), without the suite's large Dense models.

/// <summary>A two-layer MLP: 64 -> 32 (ReLU) -> 10 (no activation, zero point 128).</summary>
[QuantizedModel(64, InputScale = 0.02f, InputZeroPoint = 128)]
[Dense(64, 32, Name = "hidden", Weights = nameof(W1), OutputScale = 0.03f, OutputZeroPoint = 0, Activation = Activation.Relu,
    WeightScales = new[]
        {
            0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f,
            0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f
        })]
[Dense(32, 10, Name = "logits", Weights = nameof(W2), OutputScale = 0.04f, OutputZeroPoint = 128,
    WeightScales = new[] { 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f })]
internal partial class Mlp64x32x10
{
}

/// <summary>Mlp64x32x10 twin: the same layers with weights in [-63, 63], which the generator proves safe for vpmaddubsw (output scales halved with the weights).</summary>
[QuantizedModel(64, InputScale = 0.02f, InputZeroPoint = 128)]
[Dense(64, 32, Name = "hidden", Weights = nameof(W1), OutputScale = 0.015f, OutputZeroPoint = 0, Activation = Activation.Relu,
    WeightScales = new[]
        {
            0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f,
            0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f
        })]
[Dense(32, 10, Name = "logits", Weights = nameof(W2), OutputScale = 0.02f, OutputZeroPoint = 128,
    WeightScales = new[] { 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f })]
internal partial class Mlp64x32x10Narrow
{
}
