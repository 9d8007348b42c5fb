using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning.Passes;

/// <summary>
/// Graph pass on the planned steps: a Dequantize followed by a Quantize with the same type, scale and zero point as the
/// Dequantize's input is the identity, so the layers that read the Quantize read the Dequantize's input instead; then
/// steps whose output nothing reads (and that are not the model output) are removed, and the tensors renumbered (step s
/// writes tensor s + 1). Exact: QuantizeLinear(DequantizeLinear(q)) = q when the parameters are equal.
/// </summary>
internal static class QuantizeDequantizeElimination
{
    public static void Run(List<LayerPlan> steps, List<Tensor> tensors)
    {
        int output = tensors.Count - 1;
        for (int s = 0; s < steps.Count; s++)
        {
            if (steps[s] is not QuantizeLayerPlan { Quantize: true } quantize || quantize.OutputTensor == output)
                continue;
            int t = quantize.InputTensors[0];
            if (t < 1 || steps[t - 1] is not QuantizeLayerPlan { Quantize: false } dequantize)
                continue;
            Tensor original = tensors[dequantize.InputTensors[0]];
            if (original.Type != quantize.Type || !original.Scale.Equals(quantize.Scale) || original.ZeroPoint != quantize.ZeroPoint)
                continue;
            for (int r = s + 1; r < steps.Count; r++)
            {
                if (steps[r].InputTensors.Contains(quantize.OutputTensor))
                {
                    steps[r] = steps[r] with
                    {
                        InputTensors = steps[r].InputTensors.AsSpan().ToArray().Select(i => i == quantize.OutputTensor ? original.Id : i).ToEquatableArray(),
                    };
                }
            }
        }
        RemoveDeadSteps(steps, tensors);
    }

    /// <summary>Removes steps whose output is neither read nor the model output, to a fixed point, and renumbers the tensors.</summary>
    public static void RemoveDeadSteps(List<LayerPlan> steps, List<Tensor> tensors)
    {
        bool removed = true;
        while (removed)
        {
            removed = false;
            int output = steps.Count == 0 ? 0 : steps[steps.Count - 1].OutputTensor;
            var read = new HashSet<int>(steps.SelectMany(step => step.InputTensors));
            for (int s = steps.Count - 1; s >= 0; s--)
            {
                if (steps[s].OutputTensor == output || read.Contains(steps[s].OutputTensor))
                    continue;
                steps.RemoveAt(s);
                removed = true;
                break;
            }
        }

        // Renumber: tensor 0 is the model input, the step at s writes s + 1.
        var ids = new Dictionary<int, int> { [0] = 0 };
        for (int s = 0; s < steps.Count; s++)
            ids[steps[s].OutputTensor] = s + 1;
        var renumbered = new List<Tensor> { tensors[0] };
        for (int s = 0; s < steps.Count; s++)
        {
            renumbered.Add(tensors[steps[s].OutputTensor] with { Id = s + 1 });
            steps[s] = steps[s] with
            {
                InputTensors = steps[s].InputTensors.AsSpan().ToArray().Select(i => ids[i]).ToEquatableArray(),
                OutputTensor = s + 1,
            };
        }
        tensors.Clear();
        tensors.AddRange(renumbered);
    }
}
