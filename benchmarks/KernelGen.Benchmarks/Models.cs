using KernelGen;

namespace KernelGen.Benchmarks;

// The models under test, declared the way a KernelGen user declares them. The weights (static readonly sbyte[] fields
// W, W1, W2) are written at build time with fixed seeds by build/WriteBenchmarkWeights.cs into obj/.../BenchmarkWeights.g.cs;
// uniform int8 in [-127, 127], symmetric (zero point 0), one scale per output channel. No bias: ONNX QLinearMatMul has
// no bias input, so every implementation computes the same function.
//
// ReLU layers use output zero point 0, so ReLU is the clamp at 0 that every uint8 requantization already applies:
// ONNX Runtime's QLinearMatMul computes exactly the same layer without a separate Relu node.
//
// The ONNX Runtime and fp32 baselines are built from these attributes at run time (by reflection, see ModelInfo), so
// the three implementations cannot drift apart.

/// <summary>One Dense layer, 64 inputs to 32 outputs, ReLU.</summary>
[QuantizedModel(64, InputScale = 0.02f, InputZeroPoint = 128)]
[Dense(64, 32, Name = "fc", Weights = nameof(W), OutputScale = 0.025f, OutputZeroPoint = 0, Activation = Activation.Relu,
    WeightScales = new[]
        {
            0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f,
            0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f
        })]
internal partial class Dense64x32
{
}

/// <summary>One Dense layer, 256 inputs to 256 outputs, ReLU.</summary>
[QuantizedModel(256, InputScale = 0.02f, InputZeroPoint = 128)]
[Dense(256, 256, Name = "fc", Weights = nameof(W), OutputScale = 0.05f, OutputZeroPoint = 0, Activation = Activation.Relu,
    WeightScales = new[]
        {
            0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f,
            0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f,
            0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f,
            0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f,
            0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f,
            0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f,
            0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f,
            0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f,
            0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f,
            0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f,
            0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f,
            0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f,
            0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f,
            0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f,
            0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f,
            0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f, 0.0021f, 0.0028f, 0.0024f, 0.0020f, 0.0027f, 0.0023f, 0.0030f, 0.0026f, 0.0022f, 0.0029f, 0.0025f
        })]
internal partial class Dense256x256
{
}

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
