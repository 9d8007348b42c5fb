using System.Linq;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Ops;

/// <summary>
/// Every op KernelGen compiles: the one place the shared stages look one up. A spec or plan no op handles is an internal
/// error, reported as KG9999 naming the layer, never a layer silently left out.
/// </summary>
internal static class OpTable
{
    public static readonly Op[] All =
    {
        new DenseOp(),
        new Conv2DOp(),
        new DepthwiseConv2DOp(),
    };

    /// <summary>The op declared by an attribute of this metadata name, or null when the attribute is no layer.</summary>
    public static Op? ForAttribute(string? attributeName) => All.FirstOrDefault(op => op.AttributeName == attributeName);

    public static Op For(LayerSpec spec)
        => All.FirstOrDefault(op => op.Handles(spec))
            ?? throw new System.InvalidOperationException($"no op in OpTable handles the spec of {spec.DisplayName} ({spec.GetType().Name})");

    public static Op For(LayerPlan plan)
        => All.FirstOrDefault(op => op.Handles(plan))
            ?? throw new System.InvalidOperationException($"no op in OpTable emits layer '{plan.Name}' ({plan.GetType().Name})");

    /// <summary>The layer attributes for messages: "[Dense(...)]", and the others as they are added.</summary>
    public static string AttributeList => string.Join(", ", All.Select(op => op.AttributeUsage));
}
