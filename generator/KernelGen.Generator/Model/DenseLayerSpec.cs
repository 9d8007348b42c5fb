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
        => Weights.OutputType == QuantType.Int32 ? null : this with { Weights = Weights with { OutputScale = scale, OutputZeroPoint = zeroPoint, OutputType = type ?? Weights.OutputType } };

    public override LayerSpec? WithActivation(Activation activation)
        => Weights.OutputType == QuantType.Int32 || Weights.Activation is not (Activation.None or Activation.Relu or Activation.Relu6)
            ? null
            : this with { Weights = Weights with { Activation = Planning.Passes.ActivationFusion.Combine(Weights.Activation, activation) } };

    public override System.Collections.Generic.IEnumerable<ConstantSource> Constants()
    {
        yield return Weights.Values;
        yield return Weights.Bias;
    }
}
