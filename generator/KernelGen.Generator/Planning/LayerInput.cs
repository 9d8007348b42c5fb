namespace KernelGen.Generator.Planning;

/// <summary>What a layer reads: the model input or the previous layer's output.</summary>
/// <param name="Size">Values per row.</param>
/// <param name="Signed">True for int8 activations.</param>
/// <param name="Scale">Scale of the values.</param>
/// <param name="ZeroPoint">Zero point of the values.</param>
/// <param name="Producer">How messages name the producer: "the model input" or a layer's display name.</param>
internal sealed record LayerInput(int Size, bool Signed, float Scale, int ZeroPoint, string Producer);
