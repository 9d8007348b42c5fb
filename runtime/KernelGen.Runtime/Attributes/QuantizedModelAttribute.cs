using System;

namespace KernelGen;

/// <summary>
/// Marks a <c>partial</c> class as a quantized model and declares its input. The layers follow as
/// <see cref="DenseAttribute"/>s on the same class; declaration order is execution order. At build time the
/// KernelGen generator adds <c>Run</c>, <c>RunReference</c>, <c>InputSize</c>, <c>OutputSize</c> and <c>ActivePath</c>
/// to the class.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class QuantizedModelAttribute : Attribute
{
    /// <summary>Declares a model whose input rows hold <paramref name="inputSize"/> values.</summary>
    public QuantizedModelAttribute(int inputSize) => InputSize = inputSize;

    /// <summary>Values per input row.</summary>
    public int InputSize { get; }

    /// <summary>Element type of the input and of every activation between layers: <see cref="QuantType.UInt8"/> (default)
    /// or <see cref="QuantType.Int8"/>.</summary>
    public QuantType ActivationType { get; set; } = QuantType.UInt8;

    /// <summary>Scale of the input: real = InputScale * (q - InputZeroPoint). Must be finite and positive.</summary>
    public float InputScale { get; set; }

    /// <summary>Zero point of the input, inside the range of <see cref="ActivationType"/>.</summary>
    public int InputZeroPoint { get; set; }
}
