using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>A planned Concat: per input its channels and either a plain copy or a 256-entry rescale table.</summary>
/// <param name="Tables">Per input: 256 bytes (the rescaled value of each byte), or empty for a copy.</param>
internal sealed record ConcatLayerPlan(
    int Index, string Name, string Identifier, EquatableArray<int> InputTensors, int OutputTensor,
    int Height, int Width, EquatableArray<int> Channels, bool Signed, EquatableArray<EquatableArray<byte>> Tables,
    EquatableArray<float> InputScales, EquatableArray<int> InputZeroPoints, float OutputScale, int OutputZeroPoint,
    RequantizationScheme Scheme, EquatableArray<string> InputNames)
    : LayerPlan(Index, Name, Identifier, InputTensors, OutputTensor)
{
    public int Positions => Height * Width;

    public int OutputChannels
    {
        get
        {
            int sum = 0;
            foreach (int c in Channels)
                sum += c;
            return sum;
        }
    }
}
