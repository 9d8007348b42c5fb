using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>A planned Dense layer: packed weights, folded bias, the requantization step and the dot-product choice.</summary>
internal sealed record DenseLayerPlan(
    int Index,
    string Name,
    string Identifier,
    EquatableArray<int> InputTensors,
    int OutputTensor,
    int Inputs,
    int Outputs,
    bool InputSigned,
    EquatableArray<sbyte> PackedWeights,
    EquatableArray<int> FoldedBias,
    EquatableArray<int> WeightZeroPoints,
    RequantizationPlan Requantization,
    WeightOperand Operand,
    string SaturationProof,
    DenseReferencePlan Reference)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor)
{
    public bool HasWeightZeroPoints => WeightZeroPoints.Length != 0;

    /// <summary>Column tiles RunParallel may share out when a batch is too small to split over rows; 0 when the layer
    /// runs whole (<see cref="ColumnSplit"/>).</summary>
    public int SplitTiles => ColumnSplit.Tiles(Inputs, Outputs);

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
