using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace KernelGen.Tests.Generator;

/// <summary>
/// The generator must never throw, whatever it is given: a thrown generator breaks the user's build. Seeded random
/// declarations mix valid and invalid sizes, scales, zero points, types, names and sources; every run must end either
/// in KG diagnostics and no generated source, or in generated source that compiles.
/// </summary>
public sealed class RobustnessTests
{
    [Fact]
    public void MalformedDeclarations_NeverThrowAndNeverEmitBrokenCode()
    {
        var random = new Random(99);
        int withDiagnostics = 0, generated = 0;
        for (int i = 0; i < 120; i++)
        {
            string source = Declaration(random);
            GeneratorRun run = GeneratorHarness.Run(source); // throws if the generator threw
            if (run.Diagnostics.Any(d => d.Id.StartsWith("KG", StringComparison.Ordinal)))
            {
                Assert.Empty(run.Files);
                Assert.DoesNotContain(run.Diagnostics, d => d.Id == "KG9999");
                withDiagnostics++;
            }
            else if (run.Files.Length > 0)
            {
                Assert.Empty(run.CompileErrors.Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
                generated++;
            }
        }
        // Both outcomes must actually occur, or the test exercises nothing.
        Assert.True(withDiagnostics > 20 && generated > 5, $"{withDiagnostics} rejected, {generated} generated");
    }

    [Fact]
    public void MalformedDepthwiseDeclarations_NeverThrowAndNeverEmitBrokenCode()
    {
        var random = new Random(2025);
        int withDiagnostics = 0, generated = 0;
        for (int i = 0; i < 100; i++)
        {
            string source = DepthwiseDeclaration(random);
            GeneratorRun run = GeneratorHarness.Run(source);
            if (run.Diagnostics.Any(d => d.Id.StartsWith("KG", StringComparison.Ordinal)))
            {
                Assert.Empty(run.Files);
                Assert.DoesNotContain(run.Diagnostics, d => d.Id == "KG9999");
                withDiagnostics++;
            }
            else if (run.Files.Length > 0)
            {
                Assert.Empty(run.CompileErrors.Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
                generated++;
            }
        }
        Assert.True(withDiagnostics > 20 && generated > 5, $"{withDiagnostics} rejected, {generated} generated");
    }

    private static string DepthwiseDeclaration(Random random)
    {
        string Pair() => Mostly(random, "new[] { 1, 1 }", "new[] { 0, 1 }", "new[] { 2 }", "new[] { -1, 2 }", "new[] { 3, 3 }", "null", "new int[0]", "new[] { 2147483647, 2 }");
        int h = random.Next(7) == 0 ? Pick(random, 0, -2, 70000) : Pick(random, 1, 3, 5, 8);
        int w = Pick(random, 1, 2, 4, 9);
        int c = random.Next(9) == 0 ? 0 : Pick(random, 1, 3, 8, 17);
        int kh = random.Next(7) == 0 ? Pick(random, 0, -1, 9, 100000) : Pick(random, 1, 2, 3);
        int kw = Pick(random, 1, 2, 3);
        int m = random.Next(7) == 0 ? Pick(random, 0, -1, 70000) : Pick(random, 1, 2);
        int count = Math.Clamp(kh * kw * c * m, 0, 2000) + (random.Next(8) == 0 ? random.Next(-2, 3) : 0);
        string values = string.Join(", ", Enumerable.Range(0, Math.Max(0, count)).Select(_ => random.Next(-100, 100).ToString(CultureInfo.InvariantCulture)));
        var args = new List<string> { kh.ToString(CultureInfo.InvariantCulture), kw.ToString(CultureInfo.InvariantCulture), "Weights = nameof(W)" };
        if (m != 1) args.Add($"DepthMultiplier = {m}");
        if (random.Next(2) == 0) args.Add($"Strides = {Pair()}");
        if (random.Next(3) == 0) args.Add($"Dilations = {Pair()}");
        if (random.Next(3) == 0) args.Add($"Padding = {Mostly(random, "Padding.Same", "(Padding)7", "Padding.Valid")}");
        if (random.Next(4) == 0) args.Add($"Pads = {Mostly(random, "new[] { 1, 1, 1, 1 }", "new[] { 1 }", "new[] { -1, 0, 0, 0 }", "new[] { 100000, 0, 0, 0 }", "null")}");
        args.Add(Mostly(random, "WeightScale = 0.5f", "WeightScales = new[] { 0.5f, 0.25f }", ""));
        args.Add($"OutputScale = {Mostly(random, "0.5f", "0f", "float.NaN")}");
        args.Add($"OutputType = {Mostly(random, "QuantType.UInt8", "QuantType.Int32", "QuantType.Float32")}");
        string model = random.Next(6) == 0 ? $"QuantizedModel({h * w * Math.Max(c, 1)}, InputScale = 0.5f)" : $"QuantizedModel({h}, {w}, {c}, InputScale = 0.5f, InputZeroPoint = 2)";
        string second = random.Next(5) == 0 ? "[Dense(4, 2, Weights = nameof(W), WeightScale = 1f, OutputScale = 1f)]" : "";
        return $$"""
            using KernelGen;
            namespace F;
            [{{model}}]
            [DepthwiseConv2D({{string.Join(", ", args.Where(a => a.Length > 0))}})]
            {{second}}
            public partial class M
            {
                static readonly sbyte[] W = { {{values}} };
            }
            """;
    }

    private static string Declaration(Random random)
    {
        string Scale() => Mostly(random, "0.5f", "1e-30f", "1e30f", "-1f", "0f", "float.NaN", "float.PositiveInfinity", "float.Epsilon", "0.0039f");
        int k = random.Next(7) == 0 ? Pick(random, 0, -3, 70000) : Pick(random, 1, 4, 5, 13);
        int n = random.Next(7) == 0 ? 0 : Pick(random, 1, 2, 3, 9);
        int weightCount = Math.Clamp(k * n, 0, 400) + (random.Next(8) == 0 ? random.Next(-2, 3) : 0);
        string element = Mostly(random, "sbyte", "float", "int");
        string values = string.Join(", ", Enumerable.Range(0, Math.Max(0, weightCount)).Select(_ => random.Next(0, 100).ToString(CultureInfo.InvariantCulture)));

        var args = new List<string> { k.ToString(CultureInfo.InvariantCulture), n.ToString(CultureInfo.InvariantCulture) };
        args.Add(Mostly(random, "Weights = nameof(W)", "Weights = \"Nope\"", "WeightsFile = \"missing.bin\"", "Weights = nameof(W), WeightsFile = \"w.bin\""));
        args.Add($"WeightType = {Mostly(random, "QuantType.Int8", "QuantType.Int32", "(QuantType)9", "QuantType.UInt8")}");
        args.Add(Mostly(random, $"WeightScale = {Scale()}", "", $"WeightScales = new[] {{ {string.Join(", ", Enumerable.Repeat("0.5f", Math.Max(0, n - 1)))} }}"));
        args.Add($"WeightZeroPoint = {Mostly(random, "0", "-129", "300")}");
        args.Add(Mostly(random, "Bias = nameof(B)", "Bias = nameof(W)", "BiasFile = \"b.bin\""));
        args.Add($"OutputScale = {Scale()}");
        args.Add($"OutputZeroPoint = {Mostly(random, "3", "-1", "256")}");
        args.Add($"Activation = {Mostly(random, "Activation.Relu", "(Activation)3")}");
        args.Add($"Name = \"{Mostly(random, "ok", "9x", "a b")}\"");
        string layers = random.Next(15) == 0 ? "" : $"[Dense({string.Join(", ", args.Where(a => a.Length > 0))})]";
        string partial = random.Next(15) == 0 ? "" : "partial ";
        return $$"""
            using KernelGen;
            namespace F;
            [QuantizedModel({{k}}, ActivationType = {{Mostly(random, "QuantType.UInt8", "QuantType.Int32")}}, InputScale = {{Scale()}}, InputZeroPoint = {{Mostly(random, "7", "-1")}})]
            {{layers}}
            public {{partial}}class M
            {
                static readonly {{element}}[] W = { {{values}} };
                static readonly int[] B = { {{string.Join(", ", Enumerable.Range(0, Math.Max(0, n)).Select(j => j * 1000))}} };
            }
            """;
    }

    /// <summary>
    /// Malformed tensor-op declarations ([Add], [Concat], [Reshape], [Flatten], [Quantize], [Dequantize], NCHW models):
    /// null, unknown and repeated input names, empty Concat, shapes that do not fit, bad scales, zero points and types.
    /// </summary>
    [Fact]
    public void MalformedTensorOpDeclarations_NeverThrowAndNeverEmitBrokenCode()
    {
        var random = new Random(1234);
        int withDiagnostics = 0, generated = 0;
        for (int i = 0; i < 150; i++)
        {
            string source = TensorOpDeclaration(random);
            GeneratorRun run = GeneratorHarness.Run(source);
            if (run.Diagnostics.Any(d => d.Id.StartsWith("KG", StringComparison.Ordinal)))
            {
                Assert.Empty(run.Files);
                Assert.DoesNotContain(run.Diagnostics, d => d.Id == "KG9999");
                withDiagnostics++;
            }
            else if (run.Files.Length > 0)
            {
                Assert.Empty(run.CompileErrors.Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
                generated++;
            }
        }
        Assert.True(withDiagnostics > 20 && generated > 10, $"{withDiagnostics} rejected, {generated} generated");
    }

    private static string TensorOpDeclaration(Random random)
    {
        string Scale() => Mostly(random, "0.5f", "1e-30f", "1e30f", "-1f", "0f", "float.NaN", "float.PositiveInfinity", "1e-9f");
        string Name() => Mostly(random, "\"input\"", "\"a\"", "\"b\"", "null", "\"\"", "\"zz\"");
        string shape = Mostly(random, "2, 2, 3", "12", "3, 4", "0, 2, 6", "4, 3, 1", "-1, -12, 1", "70000, 1, 1");
        string input = Mostly(random, "2, 2, 3", "12", "1, 1, 1", "3, 2, 2");
        string type = Mostly(random, "QuantType.UInt8", "QuantType.Int8", "QuantType.Float32", "QuantType.Int32", "(QuantType)7");
        string layout = Mostly(random, "TensorLayout.Nhwc", "TensorLayout.Nchw", "(TensorLayout)5");
        string scheme = Mostly(random, "RequantizationScheme.FixedPoint", "RequantizationScheme.Float", "(RequantizationScheme)4");
        var layers = new List<string>();
        int count = random.Next(1, 5);
        for (int l = 0; l < count; l++)
        {
            string name = l == 0 ? "a" : l == 1 ? "b" : "c" + l;
            layers.Add(random.Next(8) switch
            {
                0 => $"[Add({Name()}, {Name()}, Name = \"{name}\", OutputScale = {Scale()}, OutputZeroPoint = {Mostly(random, "0", "-200", "300")}, Activation = {Mostly(random, "Activation.None", "Activation.Relu6", "(Activation)8")})]",
                1 => $"[Concat({Mostly(random, $"{Name()}, {Name()}", "", Name(), "new string[0]", "null", $"{Name()}, {Name()}, {Name()}")}, Name = \"{name}\"{Mostly(random, "", $", OutputScale = {Scale()}", ", OutputZeroPoint = 400")})]",
                2 => $"[Reshape({shape}, Name = \"{name}\")]",
                3 => $"[Flatten(Name = \"{name}\"{Mostly(random, "", ", Input = \"zz\"", ", Input = \"input\"")})]",
                4 => $"[Quantize(Name = \"{name}\", Scale = {Scale()}, ZeroPoint = {Mostly(random, "0", "-129", "256")}, OutputType = {Mostly(random, "QuantType.UInt8", "QuantType.Int8", "QuantType.Int32")})]",
                5 => $"[Dequantize(Name = \"{name}\")]",
                6 => $"[Reshape(Name = \"{name}\")]",
                _ => $"[Add(\"input\", \"input\", Name = \"{name}\", OutputScale = 0.25f)]",
            });
        }
        return $$"""
            using KernelGen;
            namespace F;
            [QuantizedModel({{input}}, ActivationType = {{type}}, InputScale = {{Scale()}}, InputZeroPoint = {{Mostly(random, "7", "-1")}}, Layout = {{layout}}, Requantization = {{scheme}})]
            {{string.Join("\n", layers)}}
            public partial class M { }
            """;
    }

    /// <summary>The first option about six times in seven, otherwise one of the others.</summary>
    private static string Mostly(Random random, string usual, params string[] others)
        => random.Next(7) != 0 ? usual : others[random.Next(others.Length)];

    private static int Pick(Random random, params int[] options) => options[random.Next(options.Length)];

    /// <summary>Malformed pool declarations: sizes, strides, pads, padding, scales, zero points, activations, inputs.</summary>
    [Fact]
    public void MalformedPools_NeverThrowAndNeverEmitBrokenCode()
    {
        var random = new Random(1234);
        int withDiagnostics = 0, generated = 0;
        for (int i = 0; i < 120; i++)
        {
            string source = PoolDeclaration(random);
            GeneratorRun run = GeneratorHarness.Run(source);
            if (run.Diagnostics.Any(d => d.Id.StartsWith("KG", StringComparison.Ordinal)))
            {
                Assert.Empty(run.Files);
                Assert.DoesNotContain(run.Diagnostics, d => d.Id == "KG9999");
                withDiagnostics++;
            }
            else if (run.Files.Length > 0)
            {
                Assert.Empty(run.CompileErrors.Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
                generated++;
            }
        }
        Assert.True(withDiagnostics > 20 && generated > 5, $"{withDiagnostics} rejected, {generated} generated");
    }

    private static string PoolDeclaration(Random random)
    {
        string Scale() => Mostly(random, "0.5f", "1e-30f", "1e30f", "-1f", "0f", "float.NaN", "float.PositiveInfinity", "float.Epsilon");
        string input = Mostly(random, "QuantizedModel(6, 5, 3", "QuantizedModel(12", "QuantizedModel(0, 5, 3", "QuantizedModel(70000, 70000, 1", "QuantizedModel(1, 1, 40");
        string type = Mostly(random, "QuantType.UInt8", "QuantType.Int8", "QuantType.Int32", "QuantType.Float32");
        var layers = new List<string>();
        int count = 1 + random.Next(3);
        for (int l = 0; l < count; l++)
        {
            int op = random.Next(3);
            var args = new List<string>();
            if (op < 2)
            {
                args.Add(Mostly(random, "2", "0", "-1", "7", "70000"));
                args.Add(Mostly(random, "3", "0", "9"));
                args.Add(Mostly(random, "", "Strides = new[] { 1, 2 }", "Strides = new[] { 0, 1 }", "Strides = new[] { 1 }", "Strides = null"));
                args.Add(Mostly(random, "", "Padding = Padding.Same", "Padding = (Padding)5", "Pads = new[] { 1, 1, 1, 1 }", "Pads = new[] { 3, 0, 0, 0 }", "Pads = new[] { -1, 0, 0, 0 }", "Pads = new[] { 1 }"));
                args.Add(Mostly(random, "", "Activation = Activation.Relu6", "Activation = (Activation)9"));
            }
            args.Add(Mostly(random, "", $"OutputScale = {Scale()}"));
            args.Add(Mostly(random, "", "OutputZeroPoint = 5", "OutputZeroPoint = 300", "OutputZeroPoint = -129"));
            args.Add(Mostly(random, "", "Input = \"nope\"", "Input = \"input\""));
            string name = op == 0 ? "MaxPool" : op == 1 ? "AveragePool" : "GlobalAveragePool";
            string joined = string.Join(", ", args.Where(a => a.Length > 0));
            layers.Add(joined.Length == 0 ? $"[{name}]" : $"[{name}({joined})]");
        }
        return $$"""
            using KernelGen;
            namespace P;
            [{{input}}, ActivationType = {{type}}, InputScale = {{Scale()}}, InputZeroPoint = {{Mostly(random, "7", "-1")}})]
            {{string.Join("\n", layers)}}
            public partial class M { }
            """;
    }


    [Fact]
    public void MalformedConvolutions_NeverThrowAndNeverEmitBrokenCode()
    {
        var random = new Random(2024);
        int withDiagnostics = 0, generated = 0;
        for (int i = 0; i < 120; i++)
        {
            string source = ConvDeclaration(random);
            GeneratorRun run = GeneratorHarness.Run(source);
            if (run.Diagnostics.Any(d => d.Id.StartsWith("KG", StringComparison.Ordinal)))
            {
                Assert.Empty(run.Files);
                Assert.DoesNotContain(run.Diagnostics, d => d.Id == "KG9999");
                withDiagnostics++;
            }
            else if (run.Files.Length > 0)
            {
                Assert.Empty(run.CompileErrors.Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
                generated++;
            }
        }
        Assert.True(withDiagnostics > 20 && generated > 5, $"{withDiagnostics} rejected, {generated} generated");
    }


    private static string ConvDeclaration(Random random)
    {
        int h = random.Next(8) == 0 ? Pick(random, 0, -1, 70000) : Pick(random, 1, 3, 5);
        int c = random.Next(8) == 0 ? 0 : Pick(random, 1, 2, 4);
        int oc = random.Next(8) == 0 ? Pick(random, 0, -2, 70000) : Pick(random, 1, 4);
        int kh = random.Next(8) == 0 ? Pick(random, 0, -1, 9, 70000) : Pick(random, 1, 2, 3);
        int kw = random.Next(8) == 0 ? Pick(random, 0, 9) : Pick(random, 1, 3);
        int count = Math.Clamp(oc * Math.Max(kh, 0) * Math.Max(kw, 0) * Math.Max(c, 0), 0, 300) + (random.Next(8) == 0 ? random.Next(-2, 3) : 0);
        string values = string.Join(", ", Enumerable.Range(0, Math.Max(0, count)).Select(_ => random.Next(-100, 100).ToString(CultureInfo.InvariantCulture)));
        var args = new List<string> { oc.ToString(CultureInfo.InvariantCulture), kh.ToString(CultureInfo.InvariantCulture), kw.ToString(CultureInfo.InvariantCulture) };
        args.Add(Mostly(random, "Weights = nameof(W)", "Weights = \"Nope\"", "WeightsFile = \"missing.bin\""));
        args.Add(Mostly(random, "WeightScale = 0.5f", "", "WeightScales = new[] { 0.5f, 0.25f }", "WeightScale = -1f"));
        args.Add(Mostly(random, "", "Strides = new[] { 0, 1 }", "Strides = new[] { 2 }", "Strides = new[] { 2, 3 }", "Strides = null"));
        args.Add(Mostly(random, "", "Dilations = new[] { 2, 2 }", "Dilations = new[] { -1, 1 }", "Dilations = new int[0]"));
        args.Add(Mostly(random, "", "Padding = Padding.Same", "Padding = (Padding)7", "Pads = new[] { 1, 1, 1, 1 }", "Pads = new[] { -1, 0, 0, 0 }", "Pads = new[] { 1, 2 }"));
        args.Add(Mostly(random, "", "Groups = 2", "Groups = 0", "Groups = -3", "Groups = 4"));
        args.Add(Mostly(random, "OutputScale = 1f", "OutputType = QuantType.Int32", "OutputType = QuantType.Float32", "OutputScale = 0f"));
        args.Add(Mostly(random, "", "Bias = nameof(B)", "Input = \"nope\"", "Activation = (Activation)9"));
        string model = Mostly(random, $"QuantizedModel({h}, {h}, {c}, InputScale = 0.5f)", $"QuantizedModel({h}, InputScale = 0.5f)", $"QuantizedModel({h}, 2, {c}, InputScale = 0.5f, ActivationType = QuantType.Int8)");
        string dense = random.Next(4) == 0 ? "[Dense(3, 2, Weights = nameof(D), WeightScale = 1f, OutputScale = 1f)]" : "";
        return $$"""
            using KernelGen;
            namespace F;
            [{{model}}]
            [Conv2D({{string.Join(", ", args.Where(a => a.Length > 0))}})]
            {{dense}}
            public partial class M
            {
                static readonly sbyte[] W = { {{values}} };
                static readonly sbyte[] D = { 1, 2, 3, 4, 5, 6 };
                static readonly int[] B = { {{string.Join(", ", Enumerable.Range(0, Math.Clamp(oc, 0, 100)).Select(j => j * 10))}} };
            }
            """;
    }


    /// <summary>
    /// The same for what the tensor graph added: the float scheme with extreme scales (an overflowing scale was once emitted
    /// as the literal "Infinityf"), Int32 outputs with stray output arguments, 8-bit output types, and inputs named well or
    /// badly (unknown, later, the layer itself).
    /// </summary>
    [Fact]
    public void MalformedGraphDeclarations_NeverThrowAndNeverEmitBrokenCode()
    {
        var random = new Random(2511);
        int withDiagnostics = 0, generated = 0;
        for (int i = 0; i < 120; i++)
        {
            string source = GraphDeclaration(random);
            GeneratorRun run = GeneratorHarness.Run(source);
            if (run.Diagnostics.Any(d => d.Id.StartsWith("KG", StringComparison.Ordinal)))
            {
                Assert.Empty(run.Files);
                Assert.DoesNotContain(run.Diagnostics, d => d.Id == "KG9999");
                withDiagnostics++;
            }
            else if (run.Files.Length > 0)
            {
                Assert.Empty(run.CompileErrors.Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
                generated++;
            }
        }
        Assert.True(withDiagnostics > 20 && generated > 10, $"{withDiagnostics} rejected, {generated} generated");
    }


    private static string GraphDeclaration(Random random)
    {
        string Scale() => Mostly(random, "0.05f", "1e-30f", "1e30f", "1e-44f", "float.Epsilon", "3e38f", "0f");
        string Layer(int index, int k, int n)
        {
            var args = new List<string> { k.ToString(CultureInfo.InvariantCulture), n.ToString(CultureInfo.InvariantCulture), $"Name = \"fc{index}\"" };
            string input = Mostly(random, "", "Input = \"input\"", "Input = \"fc0\"", "Input = \"fc1\"", "Input = \"fc9\"", "Input = null", $"Input = \"fc{index}\"");
            args.Add(input);
            args.Add(Mostly(random, "Weights = nameof(W)", "Weights = nameof(W), WeightType = QuantType.UInt8, WeightZeroPoint = 128"));
            args.Add(Mostly(random, $"WeightScale = {Scale()}", "", $"WeightScales = new[] {{ {string.Join(", ", Enumerable.Range(0, n).Select(_ => Scale()))} }}"));
            string outputType = Mostly(random, "", "OutputType = QuantType.Int32", "OutputType = QuantType.Int8", "OutputType = QuantType.UInt8", "OutputType = (QuantType)5");
            args.Add(outputType);
            if (outputType != "OutputType = QuantType.Int32" || random.Next(4) == 0)
            {
                args.Add($"OutputScale = {Scale()}");
                args.Add($"OutputZeroPoint = {Mostly(random, "0", "-128", "255", "300")}");
            }
            args.Add(Mostly(random, "", "Activation = Activation.Relu6", "Bias = nameof(B)"));
            return $"[Dense({string.Join(", ", args.Where(a => a.Length > 0))})]";
        }
        int k = Pick(random, 4, 4, 4, 5);
        string layers = Layer(0, k, 4) + "\n" + (random.Next(3) == 0 ? "" : Layer(1, 4, 4)) + "\n" + (random.Next(2) == 0 ? "" : Layer(2, 4, 4));
        return $$"""
            using KernelGen;
            namespace G;
            [QuantizedModel(4, ActivationType = {{Mostly(random, "QuantType.UInt8", "QuantType.Int8")}}, InputScale = {{Scale()}}, InputZeroPoint = {{Mostly(random, "0", "-1")}}, Requantization = {{Mostly(random, "RequantizationScheme.Float", "RequantizationScheme.FixedPoint", "(RequantizationScheme)7")}})]
            {{layers}}
            public partial class M
            {
                static readonly sbyte[] W = { {{string.Join(", ", Enumerable.Range(0, 16).Select(_ => random.Next(-128, 128)))}} };
                static readonly int[] B = { 1, -2, 3, -4 };
            }
            """;
    }
}
