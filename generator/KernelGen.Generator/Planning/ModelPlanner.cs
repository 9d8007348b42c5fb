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
        bool nchw = model.Input.Layout == TensorLayout.Nchw && model.Layers.Length > 0;
        var layoutNames = new LayoutStepNames(model.Layers);
        if (nchw && input.IsFeatureMap)
        {
            // The caller's NCHW input becomes the NHWC tensor that layers read as "input".
            previous = AddLayoutStep(new LayoutLayerSpec(-1, layoutNames.Next("InputToNhwc"), model.Input.Location, ToNhwc: true),
                input, tensors, steps, inputs, cancellationToken, diagnostics);
            names[InputName] = previous;
        }
        var aliases = new Dictionary<string, string>(System.StringComparer.Ordinal);
        List<LayerSpec> layers = Passes.GraphPasses.Run(model.Layers.AsSpan().ToArray(), aliases);
        foreach (LayerSpec layer in layers)
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
            foreach (KeyValuePair<string, string> alias in aliases)
            {
                if (Passes.GraphPasses.Resolve(alias.Key, aliases) == layer.Name)
                    names[alias.Key] = output;
            }
            previous = output;
        }

        if (nchw && complete && previous.IsFeatureMap && diagnostics.Count == 0)
        {
            AddLayoutStep(new LayoutLayerSpec(model.Layers.Length, layoutNames.Next("OutputToNchw"), model.Input.Location, ToNhwc: false),
                previous, tensors, steps, inputs, cancellationToken, diagnostics);
        }

        if (complete && steps.Count > 0 && diagnostics.Count == 0)
            Passes.QuantizeDequantizeElimination.Run(steps, tensors);

        MemoryPlan? memory = complete && steps.Count > 0 && diagnostics.Count == 0
            ? MemoryPlanner.PlanChunks(steps, tensors.Select(t => t.Bytes).ToList())
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

    /// <summary>Plans a layout conversion of <paramref name="source"/> as the next step; returns its output tensor.</summary>
    private static Tensor AddLayoutStep(
        LayoutLayerSpec spec, Tensor source, List<Tensor> tensors, List<LayerPlan> steps, ModelInputs inputs,
        CancellationToken cancellationToken, List<DiagnosticInfo> diagnostics)
    {
        var context = new LayerContext(spec.Name, new[] { source }, tensors.Count, inputs.Model.Input.Scheme, inputs, diagnostics, cancellationToken);
        LayerPlan? plan = OpTable.For(spec).Plan(spec, context, out Tensor output);
        steps.Add(plan!);
        tensors.Add(output);
        return output;
    }

    /// <summary>Names for the layout steps that no user layer's generated members can take (compared as identifiers).</summary>
    private sealed class LayoutStepNames
    {
        private readonly HashSet<string> _taken = new(System.StringComparer.Ordinal);

        public LayoutStepNames(EquatableArray<LayerSpec> layers)
        {
            foreach (LayerSpec layer in layers)
            {
                string plain = new string((layer.Name ?? "").Where(c => char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format).ToArray());
                if (plain.Length > 0)
                    _taken.Add(char.ToUpperInvariant(plain[0]) + plain.Substring(1));
                _taken.Add("Layer" + layer.Index);
            }
        }

        public string Next(string stem)
        {
            string name = stem;
            for (int i = 1; !_taken.Add(name); i++)
                name = stem + i;
            return name;
        }
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
        if (input.Layout is not (TensorLayout.Nhwc or TensorLayout.Nchw))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConflictingArguments, input.LocationOf("Layout") ?? input.Location, owner,
                $"Layout is (TensorLayout){(int)input.Layout}; it is TensorLayout.Nhwc or TensorLayout.Nchw"));
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
