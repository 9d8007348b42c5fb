namespace KernelGen.Generator.Model;

/// <summary>Which pool a <see cref="PoolLayerSpec"/> declares.</summary>
internal enum PoolKind
{
    /// <summary>[MaxPool]: the max over each window.</summary>
    Max,

    /// <summary>[AveragePool]: the rounded average over each window.</summary>
    Average,

    /// <summary>[GlobalAveragePool]: the rounded average over the whole height and width.</summary>
    GlobalAverage,
}

/// <summary>[MaxPool], [AveragePool] or [GlobalAveragePool], as written (GlobalAveragePool has no window arguments).</summary>
/// <param name="Strides">{height, width} as written, or null.</param>
/// <param name="Pads">{top, left, bottom, right} as written, or null.</param>
/// <param name="Padding">The Padding argument as an int (an undefined value is kept and reported).</param>
internal sealed record PoolLayerSpec(
    int Index,
    string Name,
    LocationInfo? Location,
    EquatableArray<ArgumentLocation> Arguments,
    EquatableArray<string> InputNames,
    PoolKind Kind,
    int WindowHeight,
    int WindowWidth,
    EquatableArray<int>? Strides,
    EquatableArray<int>? Pads,
    int Padding,
    float? OutputScale,
    int? OutputZeroPoint,
    Activation Activation)
    : LayerSpec(Index, Name, Location, Arguments, InputNames)
{
    public override string Op => Kind switch
    {
        PoolKind.Max => "MaxPool",
        PoolKind.Average => "AveragePool",
        _ => "GlobalAveragePool",
    };
}
