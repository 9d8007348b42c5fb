using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>One Dense layer as declared: what the ONNX Runtime and fp32 baselines are built from.</summary>
internal sealed record LayerInfo(
    int Inputs,
    int Outputs,
    sbyte[] Weights,        // row-major [Outputs, Inputs], as KernelGen declares them
    float[] WeightScales,   // one per output channel
    float InputScale,
    int InputZeroPoint,
    float OutputScale,
    int OutputZeroPoint,
    Activation Activation);

/// <summary>
/// Reads a benchmark model's [QuantizedModel] / [Dense] declaration back by reflection, with the weights from its
/// static readonly fields, so the baselines compute the very layers KernelGen compiled.
/// </summary>
internal sealed class ModelInfo
{
    private ModelInfo(Type type, int inputSize, IReadOnlyList<LayerInfo> layers)
    {
        Type = type;
        InputSize = inputSize;
        Layers = layers;
    }

    public Type Type { get; }

    public int InputSize { get; }

    public int OutputSize => Layers[^1].Outputs;

    public IReadOnlyList<LayerInfo> Layers { get; }

    public static ModelInfo Of<TModel>() => Of(typeof(TModel));

    public static ModelInfo Of(Type type)
    {
        QuantizedModelAttribute model = type.GetCustomAttribute<QuantizedModelAttribute>()
            ?? throw new InvalidOperationException($"{type.Name} has no [QuantizedModel].");
        if (model.ActivationType != QuantType.UInt8)
            throw new NotSupportedException("The benchmarks use uint8 activations.");

        // Reflection does not promise declaration order; the layers chain by size, which fixes the order here.
        var remaining = type.GetCustomAttributes<DenseAttribute>().ToList();
        var layers = new List<LayerInfo>();
        int inputs = model.InputSize;
        float inputScale = model.InputScale;
        int inputZeroPoint = model.InputZeroPoint;
        while (remaining.Count > 0)
        {
            DenseAttribute dense = remaining.Single(d => d.Inputs == inputs);
            remaining.Remove(dense);
            if (dense.WeightType != QuantType.Int8 || dense.Weights is null || dense.Bias is not null || dense.BiasFile is not null
                || dense.WeightZeroPoint != 0 || dense.WeightZeroPoints is not null)
                throw new NotSupportedException($"{type.Name}: the baselines support int8 symmetric weights from a field, no bias.");

            var weights = (sbyte[])(type.GetField(dense.Weights, BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
                ?.GetValue(null) ?? throw new InvalidOperationException($"{type.Name}.{dense.Weights} not found."));
            float[] scales = dense.WeightScales ?? Enumerable.Repeat(dense.WeightScale, dense.Outputs).ToArray();
            if (weights.Length != dense.Inputs * dense.Outputs || scales.Length != dense.Outputs)
                throw new InvalidOperationException($"{type.Name}: weights or scales do not match {dense.Inputs}x{dense.Outputs}.");

            layers.Add(new LayerInfo(dense.Inputs, dense.Outputs, weights, scales, inputScale, inputZeroPoint,
                dense.OutputScale, dense.OutputZeroPoint, dense.Activation));
            inputs = dense.Outputs;
            inputScale = dense.OutputScale;
            inputZeroPoint = dense.OutputZeroPoint;
        }
        return new ModelInfo(type, model.InputSize, layers);
    }

    /// <summary>The generated <c>ActivePath</c> of the model class.</summary>
    public KernelPath ActivePath => ActivePathOf(Type);

    /// <summary>The generated <c>ActivePath</c> of any KernelGen model class.</summary>
    public static KernelPath ActivePathOf(Type model) => (KernelPath)model.GetProperty("ActivePath", BindingFlags.Static | BindingFlags.Public)!.GetValue(null)!;

    public string Describe() => $"{Type.Name}: {InputSize} -> " + string.Join(" -> ",
        Layers.Select(l => l.Outputs + (l.Activation == Activation.None ? "" : " " + l.Activation)));
}
