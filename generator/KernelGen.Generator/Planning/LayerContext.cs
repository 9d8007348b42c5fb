using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>What an op's planning rule gets besides its spec: the tensors it reads, the model-wide choices, and where to
/// report.</summary>
internal sealed class LayerContext
{
    public LayerContext(
        string identifier, IReadOnlyList<Tensor> inputs, int outputId, RequantizationScheme scheme, ModelInputs modelInputs,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        Identifier = identifier;
        Inputs = inputs;
        OutputId = outputId;
        Scheme = scheme;
        ModelInputs = modelInputs;
        Diagnostics = diagnostics;
        CancellationToken = cancellationToken;
    }

    /// <summary>The PascalCase prefix of the layer's generated members.</summary>
    public string Identifier { get; }

    /// <summary>The tensors the layer reads, in declaration order (at least one).</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>The first (for most ops, the only) input.</summary>
    public Tensor Input => Inputs[0];

    /// <summary>The id the layer's output tensor gets.</summary>
    public int OutputId { get; }

    /// <summary>The model's requantization scheme.</summary>
    public RequantizationScheme Scheme { get; }

    public ModelInputs ModelInputs { get; }

    public List<DiagnosticInfo> Diagnostics { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>The layer's output tensor.</summary>
    public Tensor Output(LayerSpec spec, EquatableArray<int> shape, QuantType type, float scale, int zeroPoint)
        => new(OutputId, spec.Name, shape, type, scale, zeroPoint, spec.DisplayName);

    public void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments)
        => Diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
}
