using System;
using System.Numerics.Tensors;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>
/// The plain-C# alternative: the same layers in fp32 (dequantized weights, float activations) with
/// System.Numerics.Tensors.TensorPrimitives: per row and output, one Dot of the input row with the weight row, then
/// ReLU on the layers that have it. Input and output stay float (an fp32 model's own types); buffers are pre-allocated.
/// </summary>
internal sealed class Fp32Dense
{
    private readonly Layer[] _layers;
    private readonly float[] _input;
    private readonly float[][] _activations; // one buffer per layer output; the last is the model output

    private sealed record Layer(int Inputs, int Outputs, float[] Weights, bool Relu);

    public Fp32Dense(ModelInfo model, byte[] quantizedInput)
    {
        int rows = quantizedInput.Length / model.InputSize;
        LayerInfo first = model.Layers[0];
        _input = new float[quantizedInput.Length];
        for (int i = 0; i < _input.Length; i++)
            _input[i] = first.InputScale * (quantizedInput[i] - first.InputZeroPoint);

        _layers = new Layer[model.Layers.Count];
        _activations = new float[model.Layers.Count][];
        for (int l = 0; l < _layers.Length; l++)
        {
            LayerInfo info = model.Layers[l];
            var weights = new float[info.Weights.Length];
            for (int n = 0; n < info.Outputs; n++)
                for (int k = 0; k < info.Inputs; k++)
                    weights[n * info.Inputs + k] = info.WeightScales[n] * info.Weights[n * info.Inputs + k];
            _layers[l] = new Layer(info.Inputs, info.Outputs, weights, info.Activation == Activation.Relu);
            _activations[l] = new float[rows * info.Outputs];
        }
        Rows = rows;
    }

    public int Rows { get; }

    public float[] Output => _activations[^1];

    public void Run()
    {
        ReadOnlySpan<float> x = _input;
        for (int l = 0; l < _layers.Length; l++)
        {
            Layer layer = _layers[l];
            Span<float> y = _activations[l];
            ReadOnlySpan<float> w = layer.Weights;
            for (int r = 0; r < Rows; r++)
            {
                ReadOnlySpan<float> row = x.Slice(r * layer.Inputs, layer.Inputs);
                Span<float> outRow = y.Slice(r * layer.Outputs, layer.Outputs);
                for (int n = 0; n < layer.Outputs; n++)
                    outRow[n] = TensorPrimitives.Dot(row, w.Slice(n * layer.Inputs, layer.Inputs));
            }
            if (layer.Relu)
                TensorPrimitives.Max(y, 0f, y);
            x = y;
        }
    }
}
