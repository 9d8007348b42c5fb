using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Generator.Ops;
using KernelGen.Quantization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Model to plan: validates the input, names the layers, resolves each layer's input tensors by name (default: the
/// previous layer's output), hands the layer to its op's planning rule, and places every tensor with the memory planner.
/// </summary>
internal static class ModelPlanner
{
    public const int MaxInputSize = PlanningChecks.MaxSize;

    /// <summary>The name layers use for the model input.</summary>
    public const string InputName = "input";

    public static ModelPlan Plan(ModelInputs inputs, CancellationToken cancellationToken)
    {
        ModelSpec model = inputs.Model;
        var diagnostics = new List<DiagnosticInfo>(model.Diagnostics);
        Tensor input = PlanInput(model, diagnostics);

        if (model.Layers.Length == 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelHasNoLayers, model.Input.Location ?? model.Location, model.ClassName, OpTable.AttributeList));

        var tensors = new List<Tensor> { input };
        var steps = new List<LayerPlan>();
        var names = new Dictionary<string, Tensor>(System.StringComparer.Ordinal) { [InputName] = input };
        var identifiers = new HashSet<string>();
        bool complete = true;
        Tensor previous = input;
        foreach (LayerSpec layer in model.Layers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string identifier = Identifier(layer, identifiers, diagnostics);
            List<Tensor> layerInputs = ResolveInputs(layer, names, previous, diagnostics, ref complete);
            var context = new LayerContext(identifier, layerInputs, tensors.Count, model.Input.Scheme, inputs, diagnostics, cancellationToken);
            LayerPlan? plan = OpTable.For(layer).Plan(layer, context, out Tensor output);
            if (plan is null)
                complete = false;
            else
                steps.Add(plan);
            tensors.Add(output);
            if (layer.Name != InputName)
                names[layer.Name] = output;
            previous = output;
        }

        MemoryPlan? memory = complete && steps.Count > 0 && diagnostics.Count == 0
            ? MemoryPlanner.Plan(steps, tensors.Select(t => t.Bytes).ToList())
            : null;
        if (memory is null && diagnostics.Count == 0)
            throw new System.InvalidOperationException($"a layer of model '{model.ClassName}' was not planned and reported nothing");
        if (memory is null)
            return ModelPlan.Failed(model.Declaration, diagnostics.ToEquatableArray());
        return new ModelPlan(
            model.Declaration,
            tensors.ToEquatableArray(),
            steps.ToEquatableArray(),
            memory,
            model.Input.Layout,
            model.Input.Scheme,
            diagnostics.ToEquatableArray());
    }

    /// <summary>The model input tensor, checked: shape, type, and (for 8-bit inputs) scale and zero point.</summary>
    private static Tensor PlanInput(ModelSpec model, List<DiagnosticInfo> diagnostics)
    {
        InputSpec input = model.Input;
        string owner = $"Model '{model.ClassName}'";
        EquatableArray<int> shape;
        if (input.Shape.Length == 3)
        {
            string[] names = { "height", "width", "channels" };
            bool valid = true;
            for (int i = 0; i < 3; i++)
                valid &= PlanningChecks.Size(owner, "input " + names[i], input.Shape[i], MaxInputSize, input.LocationOf("#" + i) ?? input.Location, diagnostics);
            shape = input.Shape;
            if (valid && (long)shape[0] * shape[1] * shape[2] > Tensor.MaxElements)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSize, input.Location, owner, "InputSize",
                    (long)shape[0] * shape[1] * shape[2], Tensor.MaxElements));
            }
        }
        else
        {
            PlanningChecks.Size(owner, "InputSize", input.Size, MaxInputSize, input.LocationOf("#0") ?? input.LocationOf("inputSize"), diagnostics);
            shape = new[] { input.Size }.ToEquatableArray();
        }

        bool typeValid = input.ActivationType is QuantType.UInt8 or QuantType.Int8 or QuantType.Float32;
        if (!typeValid)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, input.LocationOf("ActivationType"), owner, "ActivationType",
                PlanningChecks.TypeName(input.ActivationType), "the input is UInt8, Int8, or Float32 (read by a Quantize layer)"));
        }
        QuantType type = typeValid ? input.ActivationType : QuantType.UInt8;
        // An undefined scheme would be emitted as "RequantizationScheme.7" in RunReference.
        if (input.Scheme is not (RequantizationScheme.FixedPoint or RequantizationScheme.Float))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConflictingArguments, input.LocationOf("Requantization") ?? input.Location, owner,
                $"Requantization is (RequantizationScheme){(int)input.Scheme}; it is RequantizationScheme.FixedPoint or RequantizationScheme.Float"));
        }
        if (type == QuantType.Float32)
            return new Tensor(0, InputName, shape, type, 1f, 0, "the model input");

        PlanningChecks.Scale(owner, "InputScale", input.Scale, input.LocationOf("InputScale"), diagnostics);
        PlanningChecks.ZeroPoint(owner, "InputZeroPoint", input.ZeroPoint, type, input.LocationOf("InputZeroPoint"), diagnostics);
        return new Tensor(0, InputName, shape, type, input.Scale, input.ZeroPoint, "the model input");
    }

    /// <summary>The tensors a layer reads: its named inputs, or the previous layer's output. Unknown names are KG0024.</summary>
    private static List<Tensor> ResolveInputs(
        LayerSpec layer, Dictionary<string, Tensor> names, Tensor previous, List<DiagnosticInfo> diagnostics, ref bool complete)
    {
        var result = new List<Tensor>();
        if (layer.InputNames.Length == 0)
        {
            result.Add(previous);
            return result;
        }
        for (int i = 0; i < layer.InputNames.Length; i++)
        {
            string name = layer.InputNames[i];
            if (name is not null && names.TryGetValue(name, out Tensor? tensor))
            {
                result.Add(tensor);
                continue;
            }
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownInput, layer.InputLocation(i), layer.DisplayName, name ?? "null"));
            complete = false;
            // Check the rest of the layer against a stand-in, so one mistake is reported once.
            result.Add(previous);
        }
        return result;
    }

    /// <summary>
    /// The PascalCase prefix of a layer's generated members, which are all named "{prefix}_{Role}"; reports names that
    /// are not identifiers or collide. The row drivers and helpers have no underscore, so no layer name can take theirs.
    /// </summary>
    private static string Identifier(LayerSpec layer, HashSet<string> taken, List<DiagnosticInfo> diagnostics)
    {
        string name = layer.Name;
        // C# ignores formatting characters (soft hyphen, zero-width joiner...) in identifiers: "fc\u00ADx" is "fcx" to
        // the compiler, so they are dropped before names are compared and emitted.
        string plain = new string(name.Where(c => char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format).ToArray());
        if (!SyntaxFacts.IsValidIdentifier(name) || name.StartsWith("@", System.StringComparison.Ordinal) || !SyntaxFacts.IsValidIdentifier(plain))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, layer.LocationOf("Name"), name,
                "is not a valid C# identifier; generated members are named after it"));
            return "Layer" + layer.Index;
        }
        if (name == InputName)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, layer.LocationOf("Name"), name,
                "names the model input; layers read the model input by this name"));
            return "Layer" + layer.Index;
        }
        string identifier = char.ToUpperInvariant(plain[0]) + plain.Substring(1);
        if (!taken.Add(identifier))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, layer.LocationOf("Name"), name,
                "is used by an earlier layer (names are compared after capitalizing the first letter and dropping formatting characters)"));
            return "Layer" + layer.Index;
        }
        return identifier;
    }
}
