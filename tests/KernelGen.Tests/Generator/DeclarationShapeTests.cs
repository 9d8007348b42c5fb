using System;
using System.Linq;
using System.Reflection;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>The shapes of declaration a user may write all get a working model: records, generic and nested types, no namespace, internal.</summary>
public sealed class DeclarationShapeTests
{
    private const string Layers = """
        [KernelGen.QuantizedModel(3, InputScale = 0.5f, InputZeroPoint = 1)]
        [KernelGen.Dense(3, 2, Weights = nameof(W), Bias = nameof(B), WeightScale = 0.25f, OutputScale = 0.5f, Activation = KernelGen.Activation.Relu)]
        """;

    private const string Body = "{ static readonly sbyte[] W = { 1, -2, 3, -4, 5, -6 }; static readonly int[] B = { 3, -3 }; }";

    [Theory]
    [InlineData("namespace S; " + Layers + " public partial record R " + Body, "S.R")]
    [InlineData("namespace S; " + Layers + " public partial class G<T> " + Body, "S.G`1[System.Int32]")]
    [InlineData("namespace S; public static partial class Outer { public partial class Inner<U> { " + Layers + " internal static partial class M " + Body + " } }", "S.Outer+Inner`1+M[System.Int32]")]
    [InlineData(Layers + " partial class NoNamespace " + Body, "NoNamespace")]
    [InlineData("namespace S.Deep.Er; " + Layers + " internal sealed partial class Sealed " + Body, "S.Deep.Er.Sealed")]
    public void DeclarationShape_GeneratesAWorkingModel(string source, string typeName)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        Assembly assembly = ModelLoader.Load(run, new[] { source }, PinnedPath.Native);
        string open = typeName.Split('[')[0];
        Type type = assembly.GetType(open, throwOnError: true)!;
        if (type.IsGenericTypeDefinition)
            type = type.MakeGenericType(typeof(int));

        var run1 = type.GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 2).CreateDelegate<ByteModel>();
        var reference = type.GetMethod("RunReference")!.CreateDelegate<ByteModel>();
        byte[] input = { 0, 1, 2, 255, 128, 7 }, actual = new byte[4], expected = new byte[4];
        run1(input, actual);
        reference(input, expected);
        Assert.Equal(expected, actual);
        Assert.Contains(actual, b => b != 0);
    }
}
