using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>A planned Quantize (float to 8 bits) or Dequantize (8 bits or int32 to float).</summary>
/// <param name="Quantize">True: QuantizeLinear (input Float32, output <paramref name="Type"/>); false: DequantizeLinear
/// (input <paramref name="Type"/>, output Float32).</param>
/// <param name="Type">The quantized side's type.</param>
internal sealed record QuantizeLayerPlan(
    int Index, string Name, string Identifier, EquatableArray<int> InputTensors, int OutputTensor,
    bool Quantize, int Elements, QuantType Type, float Scale, int ZeroPoint)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor);
