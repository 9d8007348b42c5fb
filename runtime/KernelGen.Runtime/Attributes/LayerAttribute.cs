using System;

namespace KernelGen;

/// <summary>
/// What every layer attribute has: a name (the name of the tensor it produces) and the tensor it reads. Layers run in
/// declaration order; a layer may read the model input (named <c>"input"</c>) or any earlier layer's output.
/// </summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>Name of the layer and of its output tensor, used in diagnostics, generated member names and other layers'
    /// <see cref="Input"/>; defaults to the op and the layer's index (<c>Dense0</c>, <c>Conv2D1</c>...). A C# identifier.</summary>
    public string? Name { get; set; }

    /// <summary>The tensor this layer reads: <c>"input"</c> (the model input) or an earlier layer's <see cref="Name"/>.
    /// Defaults to the previous layer's output (the model input for the first layer). Ops with several inputs (Add,
    /// Concat) name them in their constructor instead.</summary>
    public string? Input { get; set; }
}
