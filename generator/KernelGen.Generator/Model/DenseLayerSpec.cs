namespace KernelGen.Generator.Model;

/// <summary>[Dense]: a fully connected layer.</summary>
internal sealed record DenseLayerSpec(
    int Index,
    string Name,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments,
    int Inputs,
    int Outputs,
    ConstantSource Weights,
    QuantType WeightType,
    float? WeightScale,
    EquatableArray<float>? WeightScales,
    int? WeightZeroPoint,
    EquatableArray<int>? WeightZeroPoints,
    ConstantSource Bias,
    float OutputScale,
    int OutputZeroPoint,
    Activation Activation)
    : LayerSpec(Index, Name, Location, Arguments)
{
    public override string Op => "Dense";

    public override System.Collections.Generic.IEnumerable<ConstantSource> Constants()
    {
        yield return Weights;
        yield return Bias;
    }
}
