using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Everything the emitter needs, with every constant already folded: the emitter makes no decisions about numbers.
/// A plan with diagnostics is not emitted.
/// </summary>
internal sealed record ModelPlan(
    ModelDeclaration Declaration,
    int InputSize,
    int OutputSize,
    bool Signed,
    EquatableArray<LayerPlan> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    public string ClassName => Declaration.Type.Name;

    /// <summary>Element type of the public spans: byte for uint8 activations, sbyte for int8.</summary>
    public string ElementType => Signed ? "sbyte" : "byte";
}

/// <summary>A planned layer. Each op adds a record deriving from this and an emitter for it.</summary>
internal abstract record LayerPlan(int Index, string Name, string Identifier, int Inputs, int Outputs);

/// <summary>Which exact dot-product sequence the AVX2 path uses for a Dense layer.</summary>
internal enum Avx2DotProduct
{
    /// <summary>vpmaddubsw + vpmaddwd: proven free of int16 saturation for these weights.</summary>
    MultiplyAddBytes,

    /// <summary>Widen both operands to int16 and vpmaddwd: exact for any weights.</summary>
    WidenToInt16,
}

/// <summary>A planned Dense layer: packed weights, folded bias, fixed-point multipliers and clamp bounds.</summary>
internal sealed record DenseLayerPlan(
    int Index,
    string Name,
    string Identifier,
    int Inputs,
    int Outputs,
    bool Signed,
    EquatableArray<sbyte> PackedWeights,
    EquatableArray<int> FoldedBias,
    EquatableArray<int> Multipliers,
    EquatableArray<int> LeftShifts,
    EquatableArray<int> RightShifts,
    EquatableArray<int> WeightZeroPoints,
    int OutputZeroPoint,
    int ClampMin,
    int ClampMax,
    Avx2DotProduct Avx2Dot,
    string SaturationProof,
    DenseReferencePlan Reference)
    : LayerPlan(Index, Name, Identifier, Inputs, Outputs)
{
    /// <summary>True when every column shares one multiplier and shift, so the kernel uses constants.</summary>
    public bool UniformRequantization
    {
        get
        {
            for (int j = 1; j < Outputs; j++)
            {
                if (Multipliers[j] != Multipliers[0] || LeftShifts[j] != LeftShifts[0] || RightShifts[j] != RightShifts[0])
                    return false;
            }
            return true;
        }
    }

    public bool HasLeftShift
    {
        get
        {
            for (int j = 0; j < Outputs; j++)
            {
                if (LeftShifts[j] != 0)
                    return true;
            }
            return false;
        }
    }

    public bool HasWeightZeroPoints => WeightZeroPoints.Length != 0;

    public bool UniformWeightZeroPoint
    {
        get
        {
            for (int j = 1; j < Outputs; j++)
            {
                if (WeightZeroPoints[j] != WeightZeroPoints[0])
                    return false;
            }
            return true;
        }
    }
}

/// <summary>
/// The layer as declared, for the generated RunReference and the kernel's header comment. The declared weights are not
/// repeated: RunReference unpacks them from the packed operand (<see cref="KernelGen.Kernels.DensePacking"/>), so Run
/// and RunReference read the same baked-in data and the generated source holds one copy of it.
/// </summary>
internal sealed record DenseReferencePlan(
    float InputScale,
    int InputZeroPoint,
    int WeightType,
    EquatableArray<float> WeightScales,
    bool PerChannelScales,
    EquatableArray<int> WeightZeroPoints,
    float OutputScale,
    int Activation,
    EquatableArray<int> Bias,
    bool HasBias);
