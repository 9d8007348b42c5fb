using System.Collections.Generic;
using KernelGen.Generator.Model;
using KernelGen.Quantization;

namespace KernelGen.Generator.Planning.Passes;

/// <summary>
/// Graph pass: fold every explicit rescale into the op that produces its input (Glow's rule). A [Requantize] whose input
/// is read by nothing else is removed: a producer with its own requantization step (a layer with weights) is declared with
/// the Requantize's output quantization instead (one multiplier, one rounding), and two consecutive Requantize layers
/// become one. So a model written with an explicit Requantize compiles to the same kernels as one declared without it.
/// </summary>
internal static class RequantizeFolding
{
    public static bool FoldOnce(List<LayerSpec> list, Dictionary<string, string> aliases)
    {
        for (int i = 1; i < list.Count; i++)
        {
            if (list[i] is not RequantizeLayerSpec requantize || !Valid(requantize))
                continue;
            int p = GraphPasses.SoleProducer(list, i, aliases);
            if (p < 0)
                continue;
            LayerSpec? folded = list[p] is RequantizeLayerSpec first
                ? first with { OutputScale = requantize.OutputScale, OutputZeroPoint = requantize.OutputZeroPoint, OutputType = requantize.OutputType ?? first.OutputType }
                : list[p].WithOutput(requantize.OutputScale, requantize.OutputZeroPoint, requantize.OutputType);
            if (folded is null)
                continue;
            GraphPasses.Fold(list, p, i, folded, aliases);
            return true;
        }
        return false;
    }

    /// <summary>Only a Requantize whose own arguments are valid is folded; otherwise its planning rule reports them.</summary>
    private static bool Valid(RequantizeLayerSpec layer)
        => layer.OutputScale > 0 && !float.IsInfinity(layer.OutputScale)
            && (layer.OutputType is null or QuantType.UInt8 or QuantType.Int8)
            && layer.OutputZeroPoint >= QuantizationMath.TypeMin(layer.OutputType ?? QuantType.Int8)
            && layer.OutputZeroPoint <= QuantizationMath.TypeMax(layer.OutputType ?? QuantType.UInt8);
}
