using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>A planned layer: one step of the model. Each op adds a record deriving from this and an emitter for it.</summary>
/// <param name="InputTensors">Ids of the tensors the step reads, in the order its kernels take them.</param>
/// <param name="OutputTensor">Id of the tensor it writes.</param>
internal abstract record LayerPlan(int Index, string Name, string Identifier, EquatableArray<int> InputTensors, int OutputTensor)
{
    /// <summary>Bytes of scratch the step's kernels need for themselves while they run (im2col rows, ...), from the arena.</summary>
    public virtual int WorkspaceBytes => 0;

    /// <summary>True when the output is the input's bytes as they are (Reshape): the memory plan lets both share one
    /// buffer where it can, and the step then emits no kernel.</summary>
    public virtual bool CanAliasInput => false;
}
