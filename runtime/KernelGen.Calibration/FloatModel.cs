using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace KernelGen.Calibration;

/// <summary>
/// A fully connected float layer, in the vocabulary of [Dense]: <see cref="Weights"/> row-major [outputs, inputs],
/// an optional bias per output, and the activation the quantized layer folds into its clamp.
/// </summary>
public sealed class FloatDenseLayer
{
    /// <summary>A layer named <paramref name="name"/> (the [Dense] Name) from K = <paramref name="inputs"/> to N = <paramref name="outputs"/>.</summary>
    /// <exception cref="ArgumentException">A size, a length or a value is invalid (named in the message).</exception>
    public FloatDenseLayer(string name, int inputs, int outputs, float[] weights, float[]? bias = null, Activation activation = Activation.None)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(weights);
        if (name.Length == 0)
            throw new ArgumentException("A layer needs a name.", nameof(name));
        if (inputs < 1 || outputs < 1)
            throw new ArgumentException($"Layer '{name}': inputs ({inputs}) and outputs ({outputs}) must be at least 1.");
        if (weights.Length != (long)inputs * outputs)
            throw new ArgumentException($"Layer '{name}': {weights.Length} weights, expected {inputs} x {outputs} = {(long)inputs * outputs} (row-major [outputs, inputs]).", nameof(weights));
        if (bias is not null && bias.Length != outputs)
            throw new ArgumentException($"Layer '{name}': {bias.Length} biases, expected one per output ({outputs}).", nameof(bias));
        CheckFinite(name, "weight", weights);
        if (bias is not null)
            CheckFinite(name, "bias", bias);
        if (activation is not (Activation.None or Activation.Relu or Activation.Relu6))
            throw new ArgumentException($"Layer '{name}': activation {activation} is not None, Relu or Relu6.", nameof(activation));
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        Weights = weights;
        Bias = bias;
        Activation = activation;
    }

    /// <summary>The layer's name.</summary>
    public string Name { get; }

    /// <summary>K.</summary>
    public int Inputs { get; }

    /// <summary>N.</summary>
    public int Outputs { get; }

    /// <summary>Row-major [outputs, inputs].</summary>
    public float[] Weights { get; }

    /// <summary>One per output, or null.</summary>
    public float[]? Bias { get; }

    /// <summary>None, Relu or Relu6.</summary>
    public Activation Activation { get; }

    /// <summary>One row: y_n = act(Σ_k w[n, k] x_k + b_n), in float32 (TensorPrimitives.Dot per output).</summary>
    public void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        for (int n = 0; n < Outputs; n++)
        {
            float y = TensorPrimitives.Dot(new ReadOnlySpan<float>(Weights, n * Inputs, Inputs), input[..Inputs]);
            if (Bias is not null)
                y += Bias[n];
            output[n] = Activation switch
            {
                Activation.Relu => Math.Max(y, 0f),
                Activation.Relu6 => Math.Clamp(y, 0f, 6f),
                _ => y,
            };
        }
    }

    private static void CheckFinite(string layer, string what, float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"Layer '{layer}': {what} {i} is {values[i]}; every {what} must be finite.");
        }
    }
}

/// <summary>
/// A float model, layer by layer, in the vocabulary of the attributes: the model a calibration run observes and the
/// quantized model is compared with.
/// </summary>
public sealed class FloatModel
{
    private readonly List<FloatDenseLayer> _layers = new();

    /// <summary>A model whose rows have <paramref name="inputSize"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputSize"/> is less than 1.</exception>
    public FloatModel(int inputSize)
    {
        if (inputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "A model needs at least one input.");
        InputSize = inputSize;
    }

    /// <summary>Values per input row.</summary>
    public int InputSize { get; }

    /// <summary>Values per output row: the last layer's outputs (the input size for an empty model).</summary>
    public int OutputSize => _layers.Count == 0 ? InputSize : _layers[^1].Outputs;

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<FloatDenseLayer> Layers => _layers;

    /// <summary>Appends a layer; its inputs must equal the model's current output size.</summary>
    /// <exception cref="ArgumentException">The sizes do not chain, or the name is taken.</exception>
    public FloatModel Add(FloatDenseLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.Inputs != OutputSize)
            throw new ArgumentException($"Layer '{layer.Name}' takes {layer.Inputs} inputs, but the model's last tensor has {OutputSize} values.", nameof(layer));
        if (_layers.Exists(l => string.Equals(l.Name, layer.Name, StringComparison.OrdinalIgnoreCase)))
            throw new ArgumentException($"A layer named '{layer.Name}' is already in the model.", nameof(layer));
        _layers.Add(layer);
        return this;
    }

    /// <summary>One row through every layer; <paramref name="tensors"/> receives the input and each layer's output
    /// (index 0 the input, i + 1 layer i's output), each at least its size.</summary>
    public void Run(ReadOnlySpan<float> input, float[][] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (input.Length != InputSize)
            throw new ArgumentException($"The input row has {input.Length} values, the model takes {InputSize}.", nameof(input));
        if (tensors.Length != _layers.Count + 1)
            throw new ArgumentException($"{tensors.Length} tensors given, the model has {_layers.Count + 1} (the input and one per layer).", nameof(tensors));
        input.CopyTo(tensors[0]);
        for (int i = 0; i < _layers.Count; i++)
            _layers[i].Run(tensors[i], tensors[i + 1]);
    }

    /// <summary>Buffers for <see cref="Run(ReadOnlySpan{float}, float[][])"/>: the input and each layer's output.</summary>
    public float[][] CreateTensors()
    {
        var tensors = new float[_layers.Count + 1][];
        tensors[0] = new float[InputSize];
        for (int i = 0; i < _layers.Count; i++)
            tensors[i + 1] = new float[_layers[i].Outputs];
        return tensors;
    }
}
