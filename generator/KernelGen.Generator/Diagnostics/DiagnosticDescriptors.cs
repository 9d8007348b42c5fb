using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Diagnostics;

/// <summary>Every diagnostic the generator reports. README.md's diagnostics table lists the same ids.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "KernelGen";

    public static readonly DiagnosticDescriptor ModelNotPartial = Error(
        "KG0001", "Model class must be partial",
        "Model class '{0}' must be declared partial (and so must every type containing it): KernelGen adds its Run method to it");

    public static readonly DiagnosticDescriptor ModelHasNoLayers = Error(
        "KG0002", "Model declares no layers",
        "Model '{0}' declares no layers: add layer attributes ({1}) to the type in execution order");

    public static readonly DiagnosticDescriptor UnsupportedType = Error(
        "KG0003", "Unsupported data type",
        "{0}: {1} is {2}; {3}");

    public static readonly DiagnosticDescriptor InvalidScale = Error(
        "KG0004", "Scale must be finite and positive",
        "{0}: {1} is {2}; a scale must be finite and greater than 0");

    public static readonly DiagnosticDescriptor ZeroPointOutOfRange = Error(
        "KG0005", "Zero point outside its type's range",
        "{0}: {1} is {2}, outside the {3} range [{4}, {5}]");

    public static readonly DiagnosticDescriptor LayerSizesDoNotChain = Error(
        "KG0006", "Layer sizes do not chain",
        "{0} reads {1} inputs, but {2} produces {3} values per row");

    public static readonly DiagnosticDescriptor WeightCountMismatch = Error(
        "KG0007", "Weight count does not match the layer shape",
        "{0}: {1} holds {2} weights; {3} needs {4}");

    public static readonly DiagnosticDescriptor BiasCountMismatch = Error(
        "KG0008", "Bias count does not match the layer's outputs",
        "{0}: {1} holds {2} bias values; the layer has {3} outputs");

    public static readonly DiagnosticDescriptor ChannelCountMismatch = Error(
        "KG0009", "Per-channel parameter count does not match the layer's outputs",
        "{0}: {1} has {2} entries; per-channel parameters need one per output ({3})");

    public static readonly DiagnosticDescriptor SourceFieldMissing = Error(
        "KG0010", "Constant field not found",
        "{0}: {1} names '{2}', but the class has no field of that name");

    public static readonly DiagnosticDescriptor SourceFieldNotConstant = Error(
        "KG0011", "Field is not a constant array",
        "{0}: field '{1}' {2}");

    public static readonly DiagnosticDescriptor SourceFileMissing = Error(
        "KG0012", "Constant file not found",
        "{0}: {1} '{2}' {3}");

    public static readonly DiagnosticDescriptor SourceFileWrongLength = Error(
        "KG0013", "Constant file has the wrong length",
        "{0}: file '{1}' has {2} bytes; {3} needs {4} bytes");

    public static readonly DiagnosticDescriptor ConflictingArguments = Error(
        "KG0014", "Missing or conflicting layer arguments",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor MultiplierOutOfRange = Error(
        "KG0015", "Requantization multiplier out of range",
        "{0}: the requantization multiplier input_scale * weight_scale / output_scale of output {1} is {2}; it must be below 2^31");

    public static readonly DiagnosticDescriptor InvalidSize = Error(
        "KG0016", "Invalid size",
        "{0}: {1} is {2}; sizes must be between 1 and {3}");

    public static readonly DiagnosticDescriptor InvalidLayerName = Error(
        "KG0017", "Invalid layer name",
        "Layer name '{0}' {1}");

    public static readonly DiagnosticDescriptor UnsupportedTarget = Error(
        "KG0018", "Target framework lacks the hardware intrinsics KernelGen emits",
        "Model '{0}' cannot be generated: the compilation has no System.Runtime.Intrinsics.X86.AvxVnni; target .NET 8 or later");

    public static readonly DiagnosticDescriptor UnknownActivation = Error(
        "KG0019", "Unknown activation",
        "{0}: Activation value {1} is not one of None, Relu, Relu6");

    public static readonly DiagnosticDescriptor ModelDeclaredTwice = Error(
        "KG0020", "Model declared more than once",
        "Model '{0}' carries [QuantizedModel] on more than one of its partial declarations; keep exactly one");

    public static readonly DiagnosticDescriptor GeneratedMemberCollision = Error(
        "KG0021", "Member collides with a generated member",
        "{0} '{1}' of model '{2}' collides with the {3} KernelGen generates; rename it");

    public static readonly DiagnosticDescriptor UnsupportedDeclaration = Error(
        "KG0022", "Unsupported model declaration",
        "Model '{0}' is {1}; declare the model as a partial class, struct or record that is not file-local");

    public static readonly DiagnosticDescriptor LanguageVersionTooOld = Error(
        "KG0023", "Language version too old",
        "Model '{0}' cannot be generated for C# {1}: the generated kernels need C# 7.3 or later (ref locals, Span and stackalloc into Span)");

    public static readonly DiagnosticDescriptor UnknownInput = Error(
        "KG0024", "Layer input not found",
        "{0} reads '{1}', which is neither \"input\" (the model input) nor the name of an earlier layer");

    public static readonly DiagnosticDescriptor InvalidGeometry = Error(
        "KG0025", "Tensor shapes do not fit the layer",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor GeneratorFailure = Error(
        "KG9999", "KernelGen failed unexpectedly",
        "KernelGen could not generate model '{0}': {1}. Please report this with the model declaration.");

    /// <summary>Each id's help link: its row in README.md's diagnostics table (anchored by the lower-case id).</summary>
    public const string HelpLinkBase = "https://github.com/kernelgen/kernelgen/blob/main/README.md#";

    private static DiagnosticDescriptor Error(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + id.ToLowerInvariant());

    /// <summary>Reported by <see cref="Analyzers.ConstantFieldWriteAnalyzer"/>, not by the generator.</summary>
    public static readonly DiagnosticDescriptor ConstantFieldWrittenAtRunTime = new(
        "KG0100", "Constant field written at run time",
        "Field '{0}' of model '{1}' {2}, but KernelGen read its value at compile time and baked it into the kernels: a write at run time has no effect on Run",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "kg0100");
}
