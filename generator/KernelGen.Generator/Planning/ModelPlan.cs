using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Everything the emitter needs, with every constant already folded: the emitter makes no decisions about numbers.
/// A plan with diagnostics is not emitted.
/// </summary>
internal sealed record ModelPlan(
    ModelDeclaration Declaration,
    int InputSize,
    int OutputSize,
    bool Signed,
    EquatableArray<LayerPlan> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    public string ClassName => Declaration.Type.Name;

    /// <summary>Element type of the public spans: byte for uint8 activations, sbyte for int8.</summary>
    public string ElementType => Signed ? "sbyte" : "byte";
}
