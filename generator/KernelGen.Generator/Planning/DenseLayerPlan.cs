using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

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
