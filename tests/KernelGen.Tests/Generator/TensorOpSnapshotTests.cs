using System;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>
/// The generated source of one model per tensor op, reviewed like code. Each is also compiled and run on every path and
/// compared with RunReference, so a snapshot is never of broken code.
/// </summary>
public sealed class TensorOpSnapshotTests
{
    /// <summary>Residual Add of two Dense layers (different operand scales, ReLU), fixed point, 11 elements: one SIMD step and a tail.</summary>
    [Fact]
    public void Add_ResidualOfTwoDenseLayers() => Check("""
        [KernelGen.QuantizedModel(4, InputScale = 0.05f, InputZeroPoint = 10)]
        [KernelGen.Dense(4, 11, Name = "fc1", Weights = nameof(W1), WeightScale = 0.02f, OutputScale = 0.04f, OutputZeroPoint = 5)]
        [KernelGen.Dense(11, 11, Name = "fc2", Weights = nameof(W2), WeightScale = 0.01f, OutputScale = 0.06f, OutputZeroPoint = 128)]
        [KernelGen.Add("fc1", "fc2", Name = "residual", OutputScale = 0.08f, OutputZeroPoint = 3, Activation = KernelGen.Activation.Relu)]
        public partial class Model
        {
            static readonly sbyte[] W1 = { 1, -2, 3, 4, 5, 6, -7, 8, 9, 10, 11, 12, 13, -14, 15, 16, 17, 18, 19, 20, -21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, -32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44 };
            static readonly sbyte[] W2 = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, -1 };
        }
        """);

    /// <summary>Float-scheme int8 Add of a feature map with itself, then Concat with the input (a table for the sum, a copy for the input).</summary>
    [Fact]
    public void AddConcat_FloatSchemeInt8FeatureMaps() => Check("""
        [KernelGen.QuantizedModel(2, 2, 3, ActivationType = KernelGen.QuantType.Int8, InputScale = 0.1f, InputZeroPoint = -5, Requantization = KernelGen.RequantizationScheme.Float)]
        [KernelGen.Add("input", "input", Name = "doubled", OutputScale = 0.15f, OutputZeroPoint = 2)]
        [KernelGen.Concat("doubled", "input", Name = "both", OutputScale = 0.1f, OutputZeroPoint = -5)]
        public partial class Model { }
        """);

    /// <summary>Reshape of a vector input (shares the input row), Flatten back (shares again), Concat of two views.</summary>
    [Fact]
    public void ReshapeFlatten_AliasedAndConcatenated() => Check("""
        [KernelGen.QuantizedModel(12, InputScale = 0.1f, InputZeroPoint = 7)]
        [KernelGen.Reshape(2, 2, 3, Name = "map")]
        [KernelGen.Flatten(Name = "flat")]
        [KernelGen.Concat("flat", "input", OutputScale = 0.2f)]
        public partial class Model { }
        """);

    /// <summary>Float in, float out: Quantize to int8, Dense, Dequantize; 13 values (one SIMD step and a tail of 5).</summary>
    [Fact]
    public void QuantizeDenseDequantize_FloatModel() => Check("""
        [KernelGen.QuantizedModel(13, ActivationType = KernelGen.QuantType.Float32)]
        [KernelGen.Quantize(Scale = 0.02f, ZeroPoint = -3, OutputType = KernelGen.QuantType.Int8)]
        [KernelGen.Dense(13, 9, Weights = nameof(W), WeightScale = 0.01f, OutputScale = 0.05f, OutputZeroPoint = 1)]
        [KernelGen.Dequantize]
        public partial class Model
        {
            static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117 };
        }
        """);

    /// <summary>An NCHW model: the input converted to NHWC, a Concat along channels, the output converted back.</summary>
    [Fact]
    public void Nchw_LayoutStepsAtBothEdges() => Check("""
        [KernelGen.QuantizedModel(3, 2, 2, Layout = KernelGen.TensorLayout.Nchw, InputScale = 0.1f)]
        [KernelGen.Concat("input", "input", Name = "inputToNhwc", OutputScale = 0.3f)]
        public partial class Model { }
        """);

    private delegate void Typed<TIn, TOut>(ReadOnlySpan<TIn> input, Span<TOut> output) where TIn : struct where TOut : struct;

    private static void Check(string declaration, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        string source = "namespace Snapshots;\n" + declaration;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        GeneratedFile file = Assert.Single(run.Files);

        var random = new Random(7);
        byte[] input = null!, expected = null!;
        foreach (PinnedPath path in Enum.GetValues<PinnedPath>().Where(ModelLoader.CanRun))
        {
            MethodInfo[] methods = ModelLoader.Load(run, new[] { source }, path).GetType("Snapshots.Model")!.GetMethods();
            MethodInfo runMethod = methods.Single(m => m.Name == "Run" && m.GetParameters().Length == 2);
            Type inType = runMethod.GetParameters()[0].ParameterType.GetGenericArguments()[0];
            Type outType = runMethod.GetParameters()[1].ParameterType.GetGenericArguments()[0];
            int inSize = (int)methods[0].DeclaringType!.GetField("InputSize")!.GetValue(null)!;
            int outSize = (int)methods[0].DeclaringType!.GetField("OutputSize")!.GetValue(null)!;
            int inBytes = inType == typeof(float) ? 4 : 1, outBytes = outType == typeof(float) ? 4 : 1;
            if (input is null)
            {
                input = new byte[4 * inSize * inBytes];
                if (inType == typeof(float))
                {
                    Span<float> floats = MemoryMarshal.Cast<byte, float>(input.AsSpan());
                    for (int i = 0; i < floats.Length; i++)
                        floats[i] = (float)(random.NextDouble() - 0.5) * 6;
                }
                else
                {
                    random.NextBytes(input);
                }
                expected = new byte[4 * outSize * outBytes];
                Call(methods.Single(m => m.Name == "RunReference"), inType, outType, input, expected);
            }
            var actual = new byte[expected.Length];
            Call(runMethod, inType, outType, input, actual);
            Assert.Equal(expected, actual);
        }
        Snapshot.Verify(file.Source, testName: test);
    }

    private static void Call(MethodInfo method, Type inType, Type outType, byte[] input, byte[] output)
        => typeof(TensorOpSnapshotTests).GetMethod(nameof(CallTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(inType, outType).Invoke(null, new object[] { method, input, output });

    private static void CallTyped<TIn, TOut>(MethodInfo method, byte[] input, byte[] output) where TIn : struct where TOut : struct
        => method.CreateDelegate<Typed<TIn, TOut>>()(MemoryMarshal.Cast<byte, TIn>(input.AsSpan()), MemoryMarshal.Cast<byte, TOut>(output.AsSpan()));
}
