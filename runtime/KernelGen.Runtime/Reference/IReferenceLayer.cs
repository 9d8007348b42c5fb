using System;
using System.Collections.Generic;

namespace KernelGen.Reference;

/// <summary>
/// One layer of a model in its declared, unfolded form, computed by plain loops with the published integer semantics.
/// Each op has one (<see cref="DenseReferenceLayer"/>, ...); <see cref="ReferenceOps.Model(ReferenceModel, ReadOnlySpan{byte}, Span{byte})"/>
/// runs them over the model's tensor graph.
/// </summary>
/// <remarks>
/// Tensors reach a layer as raw bytes of one image (one batch row): one byte per uint8 or int8 element, four
/// little-endian bytes per int32 or float element, NHWC order for feature maps.
/// </remarks>
public interface IReferenceLayer
{
    /// <summary>Bytes of this layer's output for one image.</summary>
    int OutputBytes { get; }

    /// <summary>Computes one image: <paramref name="inputs"/> are the layer's input tensors in declaration order.</summary>
    void Run(IReadOnlyList<byte[]> inputs, Span<byte> output);
}
