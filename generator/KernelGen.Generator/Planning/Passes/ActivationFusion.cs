using System.Collections.Generic;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning.Passes;

/// <summary>
/// Graph pass: fuse a standalone [Relu] / [Relu6] into the clamp of the layer that produces its input, when nothing else
/// reads that tensor. Exact: both clamp to TFLite's activation range of the same scale and zero point, and two clamps are
/// one clamp to the intersection (ReLU then ReLU6, in either order, is ReLU6).
/// </summary>
internal static class ActivationFusion
{
    public static bool FoldOnce(List<LayerSpec> list, Dictionary<string, string> aliases)
    {
        for (int i = 1; i < list.Count; i++)
        {
            if (list[i] is not ActivationLayerSpec activation)
                continue;
            int p = GraphPasses.SoleProducer(list, i, aliases);
            if (p < 0)
                continue;
            LayerSpec? folded = list[p] is ActivationLayerSpec first
                ? first with { Kind = Combine(first.Kind, activation.Kind) }
                : list[p].WithActivation(activation.Kind);
            if (folded is null)
                continue;
            GraphPasses.Fold(list, p, i, folded, aliases);
            return true;
        }
        return false;
    }

    /// <summary>The activation of two clamps in a row: ReLU6 if either is, else ReLU if either is.</summary>
    public static Activation Combine(Activation first, Activation second)
        => first == Activation.Relu6 || second == Activation.Relu6 ? Activation.Relu6
            : first == Activation.Relu || second == Activation.Relu ? Activation.Relu
            : Activation.None;
}
