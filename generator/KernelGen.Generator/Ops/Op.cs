using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Emitting;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Ops;

/// <summary>
/// One op, as every stage of the pipeline sees it: the attribute that declares it and its reader (Parsing), its planning
/// rule (Planning), and its emitter (Emitting). The shared stages find an op only through <see cref="OpTable"/>, so adding
/// one is a spec, a reader, a rule, an emitter and a reference op in new files, plus one line in the table.
/// </summary>
internal abstract class Op
{
    /// <summary>Metadata name of the layer attribute, e.g. "KernelGen.DenseAttribute".</summary>
    public abstract string AttributeName { get; }

    /// <summary>How messages show the attribute, e.g. "[Dense(...)]".</summary>
    public abstract string AttributeUsage { get; }

    /// <summary>Reads one attribute into the op's spec; values as written, validated by <see cref="Plan"/>.</summary>
    public abstract LayerSpec Read(
        AttributeData attribute, int index, INamedTypeSymbol model, Compilation compilation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken);

    /// <summary>True for ops the planner inserts itself (layout conversions): no attribute declares them.</summary>
    public virtual bool Internal => false;

    public abstract bool Handles(LayerSpec spec);

    public abstract bool Handles(LayerPlan plan);

    /// <summary>
    /// Validates and folds the layer. Returns its plan (null when it reported diagnostics) and, in <paramref name="output"/>,
    /// the tensor it produces as declared, also when the layer is invalid, so later layers are still checked.
    /// </summary>
    public abstract LayerPlan? Plan(LayerSpec spec, LayerContext context, out Tensor output);

    /// <summary>
    /// The layer's constants and its kernels, one per path the op has its own kernel for (at least
    /// <see cref="IsaPath.Baseline"/>), each named by <see cref="KernelName"/> and taking (ref byte) for each input tensor,
    /// then the output tensor, then, when the plan has <see cref="LayerPlan.WorkspaceBytes"/>, its workspace, then, for a
    /// <see cref="Batched"/> op, the int number of rows.
    /// </summary>
    public abstract void EmitLayer(SourceWriter w, LayerPlan plan);

    /// <summary>The paths this op has its own kernel for; on the others the model runs the kernel of the path's
    /// <see cref="IsaPath.Fallback"/>.</summary>
    public virtual IReadOnlyCollection<IsaPath> KernelPaths => IsaPath.Baseline;

    /// <summary>The kernel the model's <paramref name="path"/> driver calls for this layer.</summary>
    public virtual string KernelName(LayerPlan plan, IsaPath path) => $"{plan.Identifier}_{path.Resolve(KernelPaths).Name}";

    /// <summary>
    /// True when the kernels take a row count and run a block of rows themselves (each tensor's rows lie its size in
    /// bytes apart); false when the driver calls them once per row.
    /// </summary>
    public virtual bool Batched => false;

    /// <summary>
    /// For a <see cref="Batched"/> op whose layer RunParallel may split over its output columns, the layer's column
    /// tiles: its kernels then take, after the row count, the int range [firstTile, endTile) of tiles to compute. 0 for
    /// layers that always run whole.
    /// </summary>
    public virtual int SplitTiles(LayerPlan plan) => 0;

    /// <summary>The declared data the reference layer needs beyond the kernels' data (inside the Declared class).</summary>
    public abstract void EmitDeclaredData(SourceWriter w, LayerPlan plan);

    /// <summary>An expression constructing the runtime's reference layer (an IReferenceLayer) from the declared parameters.
    /// May span lines ('\n').</summary>
    public abstract string ReferenceLayer(LayerPlan plan);
}

/// <summary>An op whose spec and plan records are <typeparamref name="TSpec"/> and <typeparamref name="TPlan"/>.</summary>
internal abstract class Op<TSpec, TPlan> : Op
    where TSpec : LayerSpec
    where TPlan : LayerPlan
{
    public sealed override bool Handles(LayerSpec spec) => spec is TSpec;

    public sealed override bool Handles(LayerPlan plan) => plan is TPlan;

    public sealed override LayerPlan? Plan(LayerSpec spec, LayerContext context, out Tensor output)
        => Plan((TSpec)spec, context, out output);

    public sealed override void EmitLayer(SourceWriter w, LayerPlan plan) => EmitLayer(w, (TPlan)plan);

    public sealed override void EmitDeclaredData(SourceWriter w, LayerPlan plan) => EmitDeclaredData(w, (TPlan)plan);

    public sealed override string ReferenceLayer(LayerPlan plan) => ReferenceLayer((TPlan)plan);

    protected abstract TPlan? Plan(TSpec spec, LayerContext context, out Tensor output);

    protected abstract void EmitLayer(SourceWriter w, TPlan plan);

    protected abstract void EmitDeclaredData(SourceWriter w, TPlan plan);

    protected abstract string ReferenceLayer(TPlan plan);
}
