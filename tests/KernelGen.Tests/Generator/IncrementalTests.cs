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
        AssertAll(second, Steps.Models, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
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
