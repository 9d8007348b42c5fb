namespace KernelGen.Generator.Model;

/// <summary>[Dense]: a fully connected layer (with OutputType Int32: MatMulInteger).</summary>
internal sealed record DenseLayerSpec(
    int Index,
    string Name,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments,
    EquatableArray<string> InputNames,
    int Inputs,
    int Outputs,
    WeightSpec Weights)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => "Dense";

    public override LayerSpec? WithOutput(float scale, int zeroPoint, QuantType? type)
        => Weights.WithOutput(scale, zeroPoint, type) is { } weights ? this with { Weights = weights } : null;

    public override LayerSpec? WithActivation(Activation activation)
        => Weights.WithActivation(activation) is { } weights ? this with { Weights = weights } : null;

    public override System.Collections.Generic.IEnumerable<ConstantSource> Constants()
    {
        yield return Weights.Values;
        yield return Weights.Bias;
    }
}
