using System;

namespace KernelGen.Reference;

/// <summary>One layer in a <see cref="ReferenceModel"/> and the tensors it reads.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Inputs">Tensor indices: 0 is the model input, i (1 or more) the output of node i - 1. Only earlier tensors.</param>
public sealed record ReferenceNode(IReferenceLayer Layer, params int[] Inputs);

/// <summary>
/// A model as the reference runs it: its input size in bytes and its nodes in execution order; the last node's output is
/// the model's output.
/// </summary>
public sealed class ReferenceModel
{
    /// <summary>Creates a model; every node may read only the model input and earlier nodes.</summary>
    public ReferenceModel(int inputBytes, params ReferenceNode[] nodes)
    {
        if (inputBytes <= 0) throw new ArgumentOutOfRangeException(nameof(inputBytes), inputBytes, "Must be positive.");
        if (nodes is null || nodes.Length == 0) throw new ArgumentException("A model needs at least one layer.", nameof(nodes));
        for (int i = 0; i < nodes.Length; i++)
        {
            if (nodes[i] is null || nodes[i].Layer is null)
                throw new ArgumentException($"Node {i} has no layer.", nameof(nodes));
            if (nodes[i].Layer.OutputBytes <= 0)
                throw new ArgumentException($"Node {i}'s layer has no output.", nameof(nodes));
            foreach (int input in nodes[i].Inputs ?? throw new ArgumentException($"Node {i} has no inputs.", nameof(nodes)))
            {
                if (input < 0 || input > i)
                    throw new ArgumentException($"Node {i} reads tensor {input}; only 0 (the model input) to {i} exist before it.", nameof(nodes));
            }
        }
        InputBytes = inputBytes;
        Nodes = nodes;
    }

    /// <summary>A chain: each layer reads the previous one's output, the first one the model input.</summary>
    public static ReferenceModel Chain(int inputBytes, params IReferenceLayer[] layers)
    {
        if (layers is null) throw new ArgumentNullException(nameof(layers));
        var nodes = new ReferenceNode[layers.Length];
        for (int i = 0; i < layers.Length; i++)
            nodes[i] = new ReferenceNode(layers[i], i);
        return new ReferenceModel(inputBytes, nodes);
    }

    /// <summary>Bytes of the model input for one image.</summary>
    public int InputBytes { get; }

    /// <summary>Bytes of the model output for one image.</summary>
    public int OutputBytes => Nodes[Nodes.Length - 1].Layer.OutputBytes;

    /// <summary>The nodes in execution order.</summary>
    public ReferenceNode[] Nodes { get; }
}
