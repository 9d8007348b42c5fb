using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using KernelGen.Reference;

namespace KernelGen.Tests.Infrastructure;

/// <summary>One DepthwiseConv2D layer of a test model, as declared, with everything its reference layer needs.</summary>
public sealed record TestDepthwise(
    int KernelHeight, int KernelWidth, int DepthMultiplier, int[] Strides, int[] Dilations, Padding Padding, int[]? Pads,
    QuantType WeightType, int[] Weights, float[] WeightScales, int[] WeightZeroPoints, int[]? Bias,
    float OutputScale, int OutputZeroPoint, Activation Activation, bool Int32Output, string? Name = null);

/// <summary>A feature-map model of DepthwiseConv2D layers: its declaration and, independently of the generator, its
/// reference layers (<see cref="DepthwiseConv2DReferenceLayer"/>).</summary>
public sealed record TestDepthwiseModel(
    string ClassName, int Height, int Width, int Channels, QuantType ActivationType, float InputScale, int InputZeroPoint,
    RequantizationScheme Scheme, TestDepthwise[] Layers)
{
    public int InputBytes => Height * Width * Channels;

    public DepthwiseConv2DReferenceLayer[] ReferenceLayers()
    {
        var result = new DepthwiseConv2DReferenceLayer[Layers.Length];
        int h = Height, w = Width, c = Channels;
        float scale = InputScale;
        int zero = InputZeroPoint;
        for (int i = 0; i < Layers.Length; i++)
        {
            TestDepthwise l = Layers[i];
            int[] pads = Pads(l, h, w);
            result[i] = new DepthwiseConv2DReferenceLayer(h, w, c, l.DepthMultiplier, l.KernelHeight, l.KernelWidth, l.Strides, l.Dilations, pads,
                ActivationType, scale, zero, l.WeightType, l.Weights.Select(v => (byte)v).ToArray(), l.WeightScales, l.WeightZeroPoints, l.Bias,
                l.OutputScale, l.OutputZeroPoint, l.Activation, scheme: Scheme, outputType: l.Int32Output ? QuantType.Int32 : null);
            h = result[i].OutputHeight;
            w = result[i].OutputWidth;
            c *= l.DepthMultiplier;
            scale = l.OutputScale;
            zero = l.OutputZeroPoint;
        }
        return result;
    }

    public int OutputBytes => ReferenceLayers()[^1].OutputBytes;

    public bool Int32Output => Layers[^1].Int32Output;

    public static int[] Pads(TestDepthwise l, int h, int w)
    {
        if (l.Pads is not null)
            return l.Pads;
        ConvolutionGeometry.Pads(l.Padding, h, l.KernelHeight, l.Strides[0], l.Dilations[0], out int top, out int bottom);
        ConvolutionGeometry.Pads(l.Padding, w, l.KernelWidth, l.Strides[1], l.Dilations[1], out int left, out int right);
        return new[] { top, left, bottom, right };
    }

    public string Source(string ns)
    {
        var s = new StringBuilder();
        s.Append("namespace ").Append(ns).Append(";\n\n");
        s.Append($"[KernelGen.QuantizedModel({Height}, {Width}, {Channels}, ActivationType = KernelGen.QuantType.{ActivationType}, InputScale = {F(InputScale)}, InputZeroPoint = {InputZeroPoint}");
        if (Scheme != RequantizationScheme.FixedPoint)
            s.Append($", Requantization = KernelGen.RequantizationScheme.{Scheme}");
        s.Append(")]\n");
        for (int i = 0; i < Layers.Length; i++)
        {
            TestDepthwise l = Layers[i];
            var args = new List<string> { I(l.KernelHeight), I(l.KernelWidth) };
            if (l.Name is not null) args.Add($"Name = \"{l.Name}\"");
            if (l.DepthMultiplier != 1) args.Add($"DepthMultiplier = {l.DepthMultiplier}");
            if (l.Strides[0] != 1 || l.Strides[1] != 1) args.Add($"Strides = new[] {{ {l.Strides[0]}, {l.Strides[1]} }}");
            if (l.Dilations[0] != 1 || l.Dilations[1] != 1) args.Add($"Dilations = new[] {{ {l.Dilations[0]}, {l.Dilations[1]} }}");
            if (l.Pads is not null) args.Add($"Pads = new[] {{ {string.Join(", ", l.Pads)} }}");
            else if (l.Padding == Padding.Same) args.Add("Padding = KernelGen.Padding.Same");
            if (l.WeightType != QuantType.Int8) args.Add($"WeightType = KernelGen.QuantType.{l.WeightType}");
            args.Add($"Weights = nameof(W{i})");
            args.Add(l.WeightScales.Length == 1 ? $"WeightScale = {F(l.WeightScales[0])}" : $"WeightScales = new float[] {{ {string.Join(", ", l.WeightScales.Select(F))} }}");
            if (l.WeightZeroPoints.Length == 1)
            {
                if (l.WeightZeroPoints[0] != 0) args.Add($"WeightZeroPoint = {l.WeightZeroPoints[0]}");
            }
            else
            {
                args.Add($"WeightZeroPoints = new int[] {{ {string.Join(", ", l.WeightZeroPoints)} }}");
            }
            if (l.Bias is not null) args.Add($"Bias = nameof(B{i})");
            if (l.Int32Output)
            {
                args.Add("OutputType = KernelGen.QuantType.Int32");
            }
            else
            {
                args.Add($"OutputScale = {F(l.OutputScale)}");
                args.Add($"OutputZeroPoint = {l.OutputZeroPoint}");
                if (l.Activation != Activation.None) args.Add($"Activation = KernelGen.Activation.{l.Activation}");
            }
            s.Append("[KernelGen.DepthwiseConv2D(").Append(string.Join(", ", args)).Append(")]\n");
        }
        s.Append($"public partial class {ClassName}\n{{\n");
        for (int i = 0; i < Layers.Length; i++)
        {
            TestDepthwise l = Layers[i];
            s.Append($"    private static readonly {(l.WeightType == QuantType.Int8 ? "sbyte" : "byte")}[] W{i} = {{ {string.Join(", ", l.Weights)} }};\n");
            if (l.Bias is not null)
                s.Append($"    private static readonly int[] B{i} = {{ {string.Join(", ", l.Bias)} }};\n");
        }
        s.Append("}\n");
        return s.ToString();
    }

    /// <summary>Random layers: sizes, kernels, strides, dilations, paddings, types, zero points, scales, bias, activations.</summary>
    public static TestDepthwiseModel Random(Random random, string className)
    {
        QuantType activationType = random.Next(2) == 0 ? QuantType.UInt8 : QuantType.Int8;
        var scheme = random.Next(2) == 0 ? RequantizationScheme.FixedPoint : RequantizationScheme.Float;
        int h = random.Next(1, 17), w = random.Next(1, 17), c = random.Next(4) == 0 ? random.Next(1, 9) : random.Next(1, 41);
        float inputScale = LogUniform(random, 1e-3, 0.5);
        int inputZero = ZeroPoint(random, activationType);
        int layerCount = random.Next(5) == 0 ? 2 : 1;
        var layers = new List<TestDepthwise>();
        int ch = h, cw = w, cc = c;
        float scale = inputScale;
        for (int i = 0; i < layerCount; i++)
        {
            TestDepthwise? layer = null;
            for (int attempt = 0; attempt < 100 && layer is null; attempt++)
                layer = TryLayer(random, ch, cw, cc, scale, activationType, last: i == layerCount - 1);
            if (layer is null)
                break;
            layers.Add(layer);
            int[] pads = Pads(layer, ch, cw);
            ch = ConvolutionGeometry.OutputSize(ch, layer.KernelHeight, layer.Strides[0], layer.Dilations[0], pads[0], pads[2]);
            cw = ConvolutionGeometry.OutputSize(cw, layer.KernelWidth, layer.Strides[1], layer.Dilations[1], pads[1], pads[3]);
            cc *= layer.DepthMultiplier;
            scale = layer.OutputScale;
        }
        if (layers.Count == 0)
            layers.Add(TryLayer(random, h, w, c, inputScale, activationType, last: true, force1x1: true)!);
        return new TestDepthwiseModel(className, h, w, c,
            activationType, inputScale, inputZero, scheme, layers.ToArray());
    }

    private static TestDepthwise? TryLayer(Random random, int h, int w, int c, float scale, QuantType activationType, bool last, bool force1x1 = false)
    {
        int kh = force1x1 ? 1 : random.Next(1, 6), kw = force1x1 ? 1 : random.Next(1, 6);
        int m = random.Next(3) == 0 ? random.Next(2, 4) : 1;
        int[] strides = { random.Next(1, 4), random.Next(1, 4) };
        int[] dilations = random.Next(3) == 0 ? new[] { random.Next(1, 3), random.Next(1, 3) } : new[] { 1, 1 };
        Padding padding = random.Next(2) == 0 ? Padding.Valid : Padding.Same;
        int[]? pads = random.Next(4) == 0 ? new[] { random.Next(0, 4), random.Next(0, 4), random.Next(0, 4), random.Next(0, 4) } : null;
        var candidate = new TestDepthwise(kh, kw, m, strides, dilations, padding, pads, QuantType.Int8, Array.Empty<int>(), Array.Empty<float>(),
            Array.Empty<int>(), null, 1f, 0, Activation.None, false);
        int[] resolved = Pads(candidate, h, w);
        if (!ConvolutionGeometry.TryValidate(h, kh, strides[0], dilations[0], resolved[0], resolved[2], out _, out _)
            || !ConvolutionGeometry.TryValidate(w, kw, strides[1], dilations[1], resolved[1], resolved[3], out _, out _))
        {
            return null;
        }

        int oc = c * m;
        QuantType weightType = random.Next(4) == 0 ? QuantType.UInt8 : QuantType.Int8;
        bool small = random.Next(3) == 0;
        int[] weights = Enumerable.Range(0, kh * kw * oc).Select(_ => weightType == QuantType.Int8
            ? (small ? random.Next(-20, 21) : random.Next(-128, 128))
            : (small ? random.Next(108, 149) : random.Next(0, 256))).ToArray();
        bool perChannel = random.Next(2) == 0;
        int channels = perChannel ? oc : 1;
        int[] weightZeros = random.Next(3) == 0
            ? Enumerable.Range(0, random.Next(2) == 0 ? oc : 1).Select(_ => ZeroPoint(random, weightType)).ToArray()
            : new[] { weightType == QuantType.UInt8 ? 128 : 0 };
        float[] weightScales = Enumerable.Range(0, channels).Select(_ => LogUniform(random, 1e-4, 0.1)).ToArray();
        int taps = kh * kw;
        int[]? bias = random.Next(4) == 0 ? null : Enumerable.Range(0, oc).Select(_ => random.Next(20) == 0
            ? (random.Next(2) == 0 ? int.MaxValue - random.Next(1000) : int.MinValue + random.Next(1000))
            : (int)((random.NextDouble() * 2 - 1) * 8192 * Math.Sqrt(taps))).ToArray();
        double multiplier = 1.0 / (128.0 * Math.Sqrt(taps)) * Math.Pow(2, random.NextDouble() * 6 - 3);
        float outputScale = (float)(scale * (double)weightScales.Max() / multiplier);
        if (!(outputScale > 0) || float.IsInfinity(outputScale))
            outputScale = 1f;
        bool int32 = last && random.Next(6) == 0;
        return candidate with
        {
            WeightType = weightType, Weights = weights, WeightScales = weightScales, WeightZeroPoints = weightZeros, Bias = bias,
            OutputScale = int32 ? 1f : outputScale, OutputZeroPoint = int32 ? 0 : ZeroPoint(random, activationType),
            Activation = int32 ? Activation.None : (Activation)random.Next(3), Int32Output = int32,
        };
    }

    /// <summary>Random input images with edge images mixed in: all minimum, all maximum, all zero point, alternating.</summary>
    public byte[] Input(Random random, int rows)
    {
        var input = new byte[rows * InputBytes];
        random.NextBytes(input);
        byte min = ActivationType == QuantType.Int8 ? (byte)0x80 : (byte)0;
        byte max = ActivationType == QuantType.Int8 ? (byte)0x7F : (byte)0xFF;
        for (int r = 0; r < rows; r++)
        {
            Span<byte> row = input.AsSpan(r * InputBytes, InputBytes);
            switch (r % 6)
            {
                case 1: row.Fill(min); break;
                case 2: row.Fill(max); break;
                case 3: row.Fill((byte)InputZeroPoint); break;
                case 4:
                    for (int i = 0; i < row.Length; i++) row[i] = i % 2 == 0 ? min : max;
                    break;
            }
        }
        return input;
    }

    /// <summary>Runs Run (or RunReference) of the loaded model on raw bytes, whatever its element types.</summary>
    public static void Invoke(Type type, string method, byte[] input, byte[] output)
    {
        MethodInfo info = type.GetMethods().Single(m => m.Name == method && m.GetParameters().Length == 2);
        Type inElement = info.GetParameters()[0].ParameterType.GetGenericArguments()[0];
        Type outElement = info.GetParameters()[1].ParameterType.GetGenericArguments()[0];
        typeof(TestDepthwiseModel).GetMethod(nameof(InvokeTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(inElement, outElement).Invoke(null, new object[] { info, input, output });
    }

    private delegate void Typed<TIn, TOut>(ReadOnlySpan<TIn> input, Span<TOut> output);

    private static void InvokeTyped<TIn, TOut>(MethodInfo method, byte[] input, byte[] output) where TIn : struct where TOut : struct
        => method.CreateDelegate<Typed<TIn, TOut>>()(MemoryMarshal.Cast<byte, TIn>(input.AsSpan()), MemoryMarshal.Cast<byte, TOut>(output.AsSpan()));

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    private static float LogUniform(Random random, double min, double max)
        => (float)Math.Exp(Math.Log(min) + random.NextDouble() * (Math.Log(max) - Math.Log(min)));

    private static int ZeroPoint(Random random, QuantType type)
    {
        int min = type == QuantType.Int8 ? -128 : 0;
        return random.Next(4) switch
        {
            0 => min,
            1 => min + 255,
            2 => type == QuantType.Int8 ? 0 : 128,
            _ => random.Next(min, min + 256),
        };
    }
}
