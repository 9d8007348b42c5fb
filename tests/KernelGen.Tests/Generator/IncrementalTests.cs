extern alias generator;

using System.Collections.Generic;
using System.Linq;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Steps = generator::KernelGen.Generator.KernelGenGenerator.Steps;

namespace KernelGen.Tests.Generator;

/// <summary>The pipeline caches: edits that change no model reuse the parsed spec, the plan and the emitted source.</summary>
public sealed class IncrementalTests
{
    private const string ModelSource = """
        using KernelGen;
        namespace C;
        [QuantizedModel(4, InputScale = 0.5f)]
        [Dense(4, 2, Weights = nameof(W), WeightScale = 0.25f, OutputScale = 0.5f)]
        public partial class M
        {
            static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8 };
            public static int Helper() => 1;
        }
        """;

    [Fact]
    public void UnrelatedNewFile_LeavesEveryStepCached()
    {
        (GeneratorRunResult second, _) = RunTwice(c => c.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { }", GeneratorHarness.ParseOptions)));
        AssertAll(second, Steps.Models, IncrementalStepRunReason.Cached);
        AssertAll(second, Steps.Plans, IncrementalStepRunReason.Cached);
        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void EditInsideTheModelFileThatChangesNoAttribute_ReusesThePlan()
    {
        (GeneratorRunResult second, _) = RunTwice(c => Replace(c, "public static int Helper() => 1;", "public static int Helper() => 2;"));
        // The model file changed, so its spec is re-read, but it compares equal and nothing downstream runs again.
        AssertAll(second, Steps.Models, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        AssertAll(second, Steps.Plans, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void ChangedScale_RegeneratesTheModel()
    {
        (GeneratorRunResult second, GeneratorRunResult first) = RunTwice(c => Replace(c, "OutputScale = 0.5f", "OutputScale = 0.25f"));
        AssertAll(second, Steps.Models, IncrementalStepRunReason.Modified);
        AssertAll(second, Steps.Plans, IncrementalStepRunReason.Modified);
        Assert.NotEqual(first.GeneratedSources[0].SourceText.ToString(), second.GeneratedSources[0].SourceText.ToString());
    }

    [Fact]
    public void ChangedWeight_RegeneratesTheModel()
    {
        (GeneratorRunResult second, _) = RunTwice(c => Replace(c, "{ 1, 2, 3, 4, 5, 6, 7, 8 }", "{ 1, 2, 3, 4, 5, 6, 7, 9 }"));
        AssertAll(second, Steps.Plans, IncrementalStepRunReason.Modified);
    }

    /// <summary>A 1024 x 1024 layer, 1 MB of int8 weights written inline, in a file of its own.</summary>
    private static string LargeModelSource()
    {
        var random = new System.Random(5);
        var text = new System.Text.StringBuilder("""
            using KernelGen;
            namespace Big;
            [QuantizedModel(1024, InputScale = 0.02f)]
            [Dense(1024, 1024, Weights = nameof(W), WeightScale = 0.001f, OutputScale = 0.05f)]
            public partial class Large
            {
                static readonly sbyte[] W = {
            """);
        for (int i = 0; i < 1024 * 1024; i++)
            text.Append(random.Next(-128, 128)).Append(i % 64 == 63 ? ",\n" : ", ");
        return text.Append("};\n}\n").ToString();
    }

    [Fact]
    public void MegabyteOfInlineWeights_AnEditElsewhereCostsUnder50msAndReadsNothingAgain()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { LargeModelSource(), ModelSource, "class Unrelated { }" });
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Equal(2, first.GeneratedSources.Length);
        // The packed weights are most of the generated source: 19 characters per 8 bytes (SourceWriter.ByteTable), about
        // 2.4 per weight byte, plus the layer's kernels and small tables.
        int largeSource = first.GeneratedSources.Single(s => s.HintName.StartsWith("Big.", System.StringComparison.Ordinal)).SourceText.Length;
        Assert.True(largeSource < 2.75 * 1024 * 1024, $"{largeSource} characters for 1 MB of weights");

        // Three edits to the unrelated file; the fastest is compared, so a busy machine does not fail the test.
        var elapsed = new List<System.TimeSpan>();
        for (int edit = 1; edit <= 3; edit++)
        {
            SyntaxTree unrelated = compilation.SyntaxTrees.Last();
            compilation = compilation.ReplaceSyntaxTree(unrelated, unrelated.WithChangedText(
                Microsoft.CodeAnalysis.Text.SourceText.From($"class Unrelated {{ int field{edit}; }}")));
            driver = driver.RunGenerators(compilation);
            elapsed.Add(driver.GetTimingInfo().ElapsedTime);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            // The large file's constants are not read again, and no model is re-planned or re-emitted.
            Assert.All(result.TrackedSteps[Steps.Constants].Where(s => s.Inputs.Any(i => ((SyntaxTree)i.Source.Outputs[i.OutputIndex].Value).FilePath == "Model0.cs")),
                step => Assert.All(step.Outputs, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason)));
            AssertAll(result, Steps.Models, IncrementalStepRunReason.Cached);
            AssertAll(result, Steps.Inputs, IncrementalStepRunReason.Cached);
            AssertAll(result, Steps.Plans, IncrementalStepRunReason.Cached);
            Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
                o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }
        System.TimeSpan fastest = elapsed.Min();
        Assert.True(fastest < System.TimeSpan.FromMilliseconds(50), $"the generator took {fastest.TotalMilliseconds:F1} ms after an unrelated edit");
        System.Console.WriteLine($"Unrelated edit with 1 MB of inline weights: {string.Join(", ", elapsed.Select(e => e.TotalMilliseconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} ms; generated source {largeSource} characters");
    }

    [Fact]
    public void ChangedScaleOfOneModel_ReplansAndReemitsOnlyThatModel()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { ModelSource, ModelSource.Replace("namespace C;", "namespace Other;") });
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.First();
        compilation = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(
            Microsoft.CodeAnalysis.Text.SourceText.From(tree.ToString().Replace("OutputScale = 0.5f", "OutputScale = 0.25f"))));
        GeneratorRunResult result = driver.RunGenerators(compilation).GetRunResult().Results.Single();
        List<IncrementalStepRunReason> plans = result.TrackedSteps[Steps.Plans].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, plans.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, plans.Count(r => r == IncrementalStepRunReason.Cached));
        List<IncrementalStepRunReason> outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Cached));
    }

    [Fact]
    public void ChangedWeightsFile_ReplansOnlyTheModelThatNamesIt()
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("kg-incremental").FullName;
        string Write(string name, byte[] bytes)
        {
            string path = System.IO.Path.Combine(directory, name);
            System.IO.File.WriteAllBytes(path, bytes);
            return path;
        }
        string a = Write("a.bin", new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        string b = Write("b.bin", new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 });
        string notes = Write("notes.txt", new byte[] { 65 });
        string Model(string ns, string file) => ModelSource.Replace("namespace C;", $"namespace {ns};")
            .Replace("Weights = nameof(W)", $"WeightsFile = \"{file}\"");
        CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { Model("A", "a.bin"), Model("B", "b.bin") });
        var files = new AdditionalText[] { new FileAdditionalText(a), new FileAdditionalText(b), new FileAdditionalText(notes) };
        GeneratorDriver driver = GeneratorHarness.Driver(files, trackSteps: true).RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Equal(2, first.GeneratedSources.Length);
        // Only the two named files are read; notes.txt is matched by no model and yields nothing.
        string[] read = first.TrackedSteps[Steps.Files].SelectMany(s => s.Outputs).Select(o => o.Value?.ToString() ?? "")
            .Where(v => v.Length > 0).ToArray();
        Assert.Equal(2, read.Length);
        Assert.Contains(read, v => v.Contains(a, System.StringComparison.Ordinal));
        Assert.Contains(read, v => v.Contains(b, System.StringComparison.Ordinal));
        Assert.DoesNotContain(read, v => v.Contains(notes, System.StringComparison.Ordinal));

        System.IO.File.WriteAllBytes(a, new byte[] { 1, 2, 3, 4, 5, 6, 7, 9 });
        driver = driver.ReplaceAdditionalText(files[0], new FileAdditionalText(a)).RunGenerators(compilation);
        GeneratorRunResult second = driver.GetRunResult().Results.Single();
        List<IncrementalStepRunReason> plans = second.TrackedSteps[Steps.Plans].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, plans.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, plans.Count(r => r == IncrementalStepRunReason.Cached));
        Assert.NotEqual(first.GeneratedSources.Single(s => s.HintName.StartsWith("A.", System.StringComparison.Ordinal)).SourceText.ToString(),
            second.GeneratedSources.Single(s => s.HintName.StartsWith("A.", System.StringComparison.Ordinal)).SourceText.ToString());
        System.IO.Directory.Delete(directory, recursive: true);
    }

    private static (GeneratorRunResult Second, GeneratorRunResult First) RunTwice(System.Func<CSharpCompilation, CSharpCompilation> edit)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { ModelSource });
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Single(first.GeneratedSources);
        driver = driver.RunGenerators(edit(compilation));
        return (driver.GetRunResult().Results.Single(), first);
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, string from, string to)
    {
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.ToString().Replace(from, to))));
    }

    private static void AssertAll(GeneratorRunResult result, string step, params IncrementalStepRunReason[] allowed)
    {
        Assert.True(result.TrackedSteps.TryGetValue(step, out var runs), $"step {step} was not tracked");
        List<IncrementalStepRunReason> reasons = runs.SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.Contains(reason, allowed));
    }
}
