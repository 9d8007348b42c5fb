using System.Linq;
using KernelGen.Generator.Planning;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emitting;

/// <summary>
/// An unfolded [Requantize]: its 256-entry table (folded at compile time from Rescale.Apply) and one kernel per path:
/// vpshufb table lookups over 32 bytes at a time on the SIMD paths (the runtime's Lookup256), the runtime's ScalarTable
/// otherwise.
/// </summary>
internal static class RequantizeEmitter
{
    public static void EmitLayer(SourceWriter w, RequantizeLayerPlan layer)
    {
        string id = layer.Identifier;
        string formula = layer.Scheme == RequantizationScheme.Float
            ? "z_out + round_half_to_even((float)(q - z_in) * s_in / s_out), as ONNX DequantizeLinear then QuantizeLinear"
            : "z_out + MultiplyByQuantizedMultiplier(q - z_in, QuantizeMultiplier((double)s_in / s_out)), as TFLite's Requantize";
        w.Line("// ------------------------------------------------------------------------------------------------");
        w.Line($"// {layer.Name}: Requantize {layer.Elements} values, {Tensor.TypeName(layer.InputType)} (scale {SourceWriter.Float(layer.InputScale)}, zero point {layer.InputZeroPoint}) -> {Tensor.TypeName(layer.OutputType)} (scale {SourceWriter.Float(layer.OutputScale)}, zero point {layer.OutputZeroPoint})");
        w.Line("//   not folded into its producer (it reads the model input, a layer without weights, or a tensor other layers read too)");
        w.Line($"//   out = table[raw byte], the table folded at compile time: {formula}, saturated");
        w.Line("// ------------------------------------------------------------------------------------------------");
        w.ByteTable($"{id}_Table", $"{id}: output byte for each raw input byte", layer.Table.AsSpan(), 32);
        w.Line();
        foreach (IsaPath path in IsaPath.Baseline)
        {
            w.Line($"/// <summary>{id} on {path.Name}: {layer.Elements} bytes at <paramref name=\"x\"/> to {layer.Elements} bytes at <paramref name=\"y\"/>.</summary>");
            using (w.Block($"internal static void {id}_{path.Name}(ref byte x, ref byte y)"))
            {
                if (path.Simd)
                {
                    w.Line($"global::KernelGen.Simd.Lookup256 table = new global::KernelGen.Simd.Lookup256({id}_Table);");
                    w.Line($"table.Map(ref x, ref y, {layer.Elements}, {id}_Table);");
                }
                else
                {
                    w.Line($"global::KernelGen.Kernels.ScalarTable.Map({id}_Table, {Global.MemoryMarshal}.CreateReadOnlySpan(ref x, {layer.Elements}), {Global.MemoryMarshal}.CreateSpan(ref y, {layer.Elements}));");
                }
            }
            w.Line();
        }
    }

    public static string ReferenceLayer(RequantizeLayerPlan layer)
        => $"new global::KernelGen.Reference.RequantizeReferenceLayer({layer.Elements}, {Global.QuantType}.{layer.InputType}, {SourceWriter.Float(layer.InputScale)}, {layer.InputZeroPoint},\n"
            + $"    {Global.QuantType}.{layer.OutputType}, {SourceWriter.Float(layer.OutputScale)}, {layer.OutputZeroPoint}, global::KernelGen.RequantizationScheme.{layer.Scheme})";
}
