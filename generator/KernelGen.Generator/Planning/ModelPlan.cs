using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Everything the emitter needs, with every constant already folded: the emitter makes no decisions about numbers.
/// A plan with diagnostics is not emitted.
/// </summary>
/// <param name="Tensors">Every tensor by id: 0 is the model input, step s writes tensor s + 1, the last is the output.</param>
/// <param name="Steps">The layers in execution order, with the layout conversions at the edges when the model is NCHW.</param>
internal sealed record ModelPlan(
    ModelDeclaration Declaration,
    EquatableArray<Tensor> Tensors,
    EquatableArray<LayerPlan> Steps,
    MemoryPlan Memory,
    TensorLayout Layout,
    RequantizationScheme Scheme,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    public string ClassName => Declaration.Type.Name;

    /// <summary>A plan that is only diagnostics (nothing is emitted for it).</summary>
    public static ModelPlan Failed(ModelDeclaration declaration, EquatableArray<DiagnosticInfo> diagnostics)
        => new(declaration, EquatableArray<Tensor>.Empty, EquatableArray<LayerPlan>.Empty,
            new MemoryPlan(EquatableArray<Storage>.Empty, EquatableArray<Storage>.Empty, EquatableArray<bool>.Empty, 0),
            TensorLayout.Nhwc, RequantizationScheme.FixedPoint, diagnostics);

    public Tensor Input => Tensors[0];

    public Tensor Output => Tensors[Tensors.Length - 1];
}
