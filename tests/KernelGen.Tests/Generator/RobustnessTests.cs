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

    /// <summary>The first option about six times in seven, otherwise one of the others.</summary>
    private static string Mostly(Random random, string usual, params string[] others)
        => random.Next(7) != 0 ? usual : others[random.Next(others.Length)];

    private static int Pick(Random random, params int[] options) => options[random.Next(options.Length)];
}
