using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>A planned layout conversion at an edge of an NCHW model: a transpose of (rows x columns) elements.</summary>
internal sealed record LayoutLayerPlan(
    int Index, string Name, string Identifier, EquatableArray<int> InputTensors, int OutputTensor,
    int Height, int Width, int Channels, int ElementBytes, bool ToNhwc)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor)
{
    /// <summary>Rows of the source matrix: C for NCHW to NHWC, H*W for NHWC to NCHW.</summary>
    public int Rows => ToNhwc ? Channels : Height * Width;

    public int Columns => ToNhwc ? Height * Width : Channels;
}
