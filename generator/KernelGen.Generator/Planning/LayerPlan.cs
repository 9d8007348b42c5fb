namespace KernelGen.Generator.Planning;

/// <summary>A planned layer. Each op adds a record deriving from this and an emitter for it.</summary>
internal abstract record LayerPlan(int Index, string Name, string Identifier, int Inputs, int Outputs);
