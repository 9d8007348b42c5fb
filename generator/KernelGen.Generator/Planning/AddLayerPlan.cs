using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>A planned Add: element count, type, and the constants <see cref="Quantization.AddParameters"/> folds, with the
/// declared scales and zero points for the header and the reference.</summary>
/// <param name="FixedPoint">Per scheme FixedPoint: z1, M1, shift1, z2, M2, shift2, M_out, shift_out, z_out (shifts are 0 or negative).</param>
/// <param name="OperandNames">The two input names as written, for the header.</param>
/// <param name="FloatConstants">Per scheme Float: ratio1, ratio2, fixed part.</param>
internal sealed record AddLayerPlan(
    int Index, string Name, string Identifier, EquatableArray<int> InputTensors, int OutputTensor,
    int Elements, bool Signed, RequantizationScheme Scheme, int ClampMin, int ClampMax,
    EquatableArray<int> FixedPoint, EquatableArray<float> FloatConstants,
    float Input1Scale, int Input1ZeroPoint, float Input2Scale, int Input2ZeroPoint, float OutputScale, int OutputZeroPoint,
    Activation Activation, EquatableArray<string> OperandNames)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor);
