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
/// Model to plan: validates the input, names the layers, and hands each layer to its op's planning rule with the
/// previous layer's output as its input.
/// </summary>
internal static class ModelPlanner
{
    public const int MaxInputSize = PlanningChecks.MaxSize;

    public static ModelPlan Plan(ModelInputs inputs, CancellationToken cancellationToken)
    {
        ModelSpec model = inputs.Model;
        var diagnostics = new List<DiagnosticInfo>(model.Diagnostics);
        InputSpec input = model.Input;
        string owner = $"Model '{model.ClassName}'";

        PlanningChecks.Size(owner, "InputSize", input.Size, MaxInputSize, input.LocationOf("#0") ?? input.LocationOf("inputSize"), diagnostics);
        bool typeValid = input.ActivationType is QuantType.UInt8 or QuantType.Int8;
        if (!typeValid)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, input.LocationOf("ActivationType"), owner, "ActivationType",
                PlanningChecks.TypeName(input.ActivationType), "activations must be UInt8 or Int8"));
        }
        QuantType type = typeValid ? input.ActivationType : QuantType.UInt8;
        PlanningChecks.Scale(owner, "InputScale", input.Scale, input.LocationOf("InputScale"), diagnostics);
        PlanningChecks.ZeroPoint(owner, "InputZeroPoint", input.ZeroPoint, type, input.LocationOf("InputZeroPoint"), diagnostics);

        if (model.Layers.Length == 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelHasNoLayers, input.Location ?? model.Location, model.ClassName, OpTable.AttributeList));

        var current = new LayerInput(input.Size, type == QuantType.Int8, input.Scale, input.ZeroPoint, "the model input");
        var identifiers = new HashSet<string>();
        var layers = new List<LayerPlan>();
        foreach (LayerSpec layer in model.Layers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string identifier = Identifier(layer, identifiers, diagnostics);
            LayerPlan? plan = OpTable.For(layer).Plan(layer, current, identifier, inputs, diagnostics, cancellationToken, out current);
            if (plan is not null)
                layers.Add(plan);
        }

        return new ModelPlan(
            model.Declaration,
            input.Size,
            current.Size,
            current.Signed,
            layers.ToEquatableArray(),
            diagnostics.ToEquatableArray());
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
