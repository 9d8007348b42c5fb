extern alias generator;

using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using generator::KernelGen.Generator.Analyzers;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Tests.Generator;

/// <summary>
/// KG0100: every way of writing a weight or bias field that the analyzer promises to catch is reported once, at the
/// writing expression; reads, read-only views and unrelated fields are not.
/// </summary>
public sealed class ConstantFieldWriteAnalyzerTests
{
    private static string Model(string members) => $$"""
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using KernelGen;
        namespace A;
        [QuantizedModel(4, InputScale = 0.5f)]
        [Dense(4, 2, Name = "fc1", Weights = nameof(W), Bias = nameof(B), WeightScale = 0.25f, OutputScale = 0.5f)]
        public static partial class M
        {
            internal static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8 };
            static readonly int[] B = { 10, -10 };
            static sbyte[] Other = new sbyte[8];
            static void Use<T>(T value) { }
        {{members}}
        }
        """;

    /// <summary>(marked source, field, what the message says the code does).</summary>
    public static TheoryData<string, string, string> Writes => new()
    {
        // Element writes: reported at the assignment or increment.
        { Model("static void F() { [|W[0] = 100|]; }"), "W", "has an element written here" },
        { Model("static void F(int i) { [|W[i] += 1|]; }"), "W", "has an element written here" },
        { Model("static void F(int i) { [|W[i]++|]; }"), "W", "has an element written here" },
        { Model("static void F() { [|--B[1]|]; }"), "B", "has an element written here" },
        { Model("static void F() { sbyte x; [|(W[0], x) = ((sbyte)1, (sbyte)2)|]; }"), "W", "has an element written here" },
        { Model("static void F(bool c) { [|(c ? ref W[0] : ref Other[0]) = 5|]; }"), "W", "has an element written here" },
        { Model("static Action F() => () => [|W[3] = 0|];"), "W", "has an element written here" },
        { Model("") + "class Elsewhere { void F() { [|A.M.W[0] = 1|]; } }", "W", "has an element written here" },
        // Writable references to an element: reported at the element.
        { Model("static void F() { ref sbyte r = ref [|W[0]|]; r = 1; }"), "W", "has an element taken by writable reference here" },
        { Model("static void F() { ref sbyte r = ref Other[0]; r = ref [|W[1]|]; }"), "W", "has an element taken by writable reference here" },
        { Model("static void F() { System.Threading.Interlocked.Increment(ref [|B[0]|]); }"), "B", "has an element taken by writable reference here" },
        { Model("static ref sbyte F() => ref [|W[0]|];"), "W", "has an element taken by writable reference here" },
        { Model("static unsafe void F() { fixed (sbyte* p = &[|W[0]|]) { *p = 1; } }"), "W", "has an element taken by writable reference here" },
        // The field itself: only the static constructor of a readonly field can do this.
        { Model("static M() { [|W = new sbyte[8]|]; }"), "W", "is assigned here" },
        { Model("static M() { [|B ??= new int[2]|]; }"), "B", "is assigned here" },
        { Model("static M() { Array.Resize(ref [|W|], 9); }"), "W", "is taken by writable reference here" },
        // Passed where the callee can write it: reported at the field.
        { Model("static void F() { Array.Fill([|W|], (sbyte)0); }"), "W", "is passed here to a parameter of type 'sbyte[]'" },
        { Model("static void F() { Array.Clear([|B|]); }"), "B", "is passed here to a parameter of type 'Array'" },
        { Model("static void F() { Array.Copy(Other, [|W|], 8); }"), "W", "is passed here to a parameter of type 'Array'" },
        { Model("static void F() { var s = [|W|].AsSpan(); s.Clear(); }"), "W", "is passed here to a parameter of type 'sbyte[]'" },
        { Model("static void Zero(Span<sbyte> s) => s.Clear(); static void F() => Zero([|W|]);"), "W", "is passed here to a parameter of type 'Span<sbyte>'" },
        { Model("static void Sort(IList<int> l) { } static void F() => Sort([|B|]);"), "B", "is passed here to a parameter of type 'IList<int>'" },
        { Model("static void F() { System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference([|W|]) = 1; }"), "W", "is passed here to a parameter of type 'sbyte[]'" },
        // Converted to a writable view, or stored as a writable alias.
        { Model("static void F() { Span<sbyte> s = [|W|]; s[0] = 1; }"), "W", "is converted here to 'Span<sbyte>'" },
        { Model("static void F() { ((IList<sbyte>)[|W|])[0] = 1; }"), "W", "is converted here to 'IList<sbyte>'" },
        { Model("static unsafe void F() { fixed (sbyte* p = [|W|]) { *p = 1; } }"), "W", "is converted here to 'sbyte*'" },
        { Model("static void F() { var alias = [|W|]; alias[0] = 1; }"), "W", "escapes here as a writable 'sbyte[]'" },
        { Model("public static int[] Biases => [|B|];"), "B", "escapes here as a writable 'int[]'" },
        { Model("static void F() { [|W.SetValue((sbyte)1, 0)|]; }"), "W", "is modified by Array.SetValue here" },
        { Model("static void F() { [|B.Initialize()|]; }"), "B", "is modified by Array.Initialize here" },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public void Write_IsReportedAtTheWritingExpression(string marked, string field, string what)
    {
        (string source, TextSpan span) = Markup.Parse(marked);
        Diagnostic diagnostic = Assert.Single(Analyze(source));
        Assert.Equal("KG0100", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        Assert.StartsWith($"Field '{field}' of model 'M' {what}", message);
        Assert.EndsWith("but KernelGen read its value at compile time and baked it into the kernels: a write at run time has no effect on Run", message);
    }

    [Fact]
    public void Message_NamesTheFieldTheModelAndWhyTheWriteIsLost()
    {
        Diagnostic diagnostic = Assert.Single(Analyze(Model("static void F() { W[0] = 100; }")));
        Assert.Equal(
            "Field 'W' of model 'M' has an element written here, but KernelGen read its value at compile time and baked it "
            + "into the kernels: a write at run time has no effect on Run",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void SeveralWrites_AreEachReported()
    {
        ImmutableArray<Diagnostic> diagnostics = Analyze(Model("static void F() { W[0] = 1; W[1]++; Array.Fill(B, 0); }"));
        Assert.Equal(3, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal("KG0100", d.Id));
    }

    public static TheoryData<string> Reads => new()
    {
        Model("static int F(int i) => W[i] + W.Length + B.Length + B[0];"),
        Model("static int F() { int sum = 0; foreach (sbyte v in W) sum += v; return sum + W.Sum(v => v) + B.Max(); }"),
        // .NET 10's Enumerable.Reverse(T[]) takes the array itself, but LINQ only reads.
        Model("static int F() => W.Reverse().First() + (W.Contains((sbyte)1) ? 1 : 0);"),
        Model("static int Count(ReadOnlySpan<sbyte> s) => s.Length; static int F() => Count(W) + Count(new ReadOnlySpan<sbyte>(W));"),
        Model("static void F() { ReadOnlySpan<sbyte> s = W; ReadOnlyMemory<int> m = B; IEnumerable<sbyte> e = W; IReadOnlyList<int> l = B; object o = W; Use(s.Length); }"),
        Model("static void F() { W.CopyTo(Other, 0); Other = (sbyte[])W.Clone(); Array.Copy(W, Other, 8); Use(Array.IndexOf(W, (sbyte)3)); }"),
        Model("static void F() { ref readonly sbyte r = ref W[0]; Use(r); Read(in W[1]); } static void Read(in sbyte v) { }"),
        Model("static ref readonly sbyte F() => ref W[0];"),
        Model("static bool F() => W == null || W is { Length: 0 } || string.Join(\",\", W).Length == 0;"),
        Model("static void F() { Other[0] = 1; Other = new sbyte[2]; Array.Fill(Other, (sbyte)0); }"),
        Model("static string F() => nameof(W) + nameof(B);"),
    };

    [Theory]
    [MemberData(nameof(Reads))]
    public void Read_IsNotReported(string source)
        => Assert.Empty(Analyze(source));

    [Fact]
    public void FieldsOfAClassThatIsNotAModel_AreNotReported()
    {
        // [Dense] without [QuantizedModel] generates nothing, so the field is an ordinary array.
        const string source = """
            using KernelGen;
            [Dense(4, 2, Weights = nameof(W), WeightScale = 1f, OutputScale = 1f)]
            public static class NotAModel
            {
                static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8 };
                static void F() { W[0] = 100; }
            }
            """;
        Assert.Empty(Analyze(source));
    }

    [Fact]
    public void AFieldNamedLikeAWeightsFile_IsNotReported()
    {
        const string source = """
            using KernelGen;
            [QuantizedModel(4, InputScale = 1f)]
            [Dense(4, 2, WeightsFile = "W", BiasFile = "B", WeightScale = 1f, OutputScale = 1f)]
            public static partial class M
            {
                static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8 };
                static readonly int[] B = { 1, 2 };
                static void F() { W[0] = 100; B[0]++; }
            }
            """;
        Assert.Empty(Analyze(source));
    }

    [Fact]
    public void GenericModel_IsReportedThroughAnyConstruction()
    {
        (string source, TextSpan span) = Markup.Parse("""
            using KernelGen;
            [QuantizedModel(4, InputScale = 1f)]
            [Dense(4, 2, Weights = nameof(W), WeightScale = 1f, OutputScale = 1f)]
            public partial class G<T>
            {
                internal static readonly sbyte[] W = { 1, 2, 3, 4, 5, 6, 7, 8 };
            }
            static class User { static void F() { [|G<int>.W[2] = 0|]; } }
            """);
        Diagnostic diagnostic = Assert.Single(Analyze(source));
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.StartsWith("Field 'W' of model 'G'", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void GeneratedCode_IsNotAnalyzed()
    {
        string model = Model("");
        const string generated = """
            // <auto-generated/>
            namespace A;
            static class Writer { static void F() { M.W[0] = 1; } }
            """;
        Assert.Empty(Analyze(model, generated));
        // The same file without the header is reported, so the assertion above is not vacuous.
        Assert.Single(Analyze(model, generated.Replace("// <auto-generated/>", "")));
    }

    /// <summary>The sample and the ISA harness models, with their programs and the generated kernels: real code, no KG0100.</summary>
    [Theory]
    [InlineData("samples/Digits")]
    [InlineData("tests/KernelGen.IsaHarness")]
    public async System.Threading.Tasks.Task RepositoryModels_HaveNoKG0100(string project)
    {
        string directory = Path.Combine(RepositoryRoot(), project);
        string[] sources = Directory.GetFiles(directory, "*.cs").Select(File.ReadAllText).ToArray();
        AdditionalText[] files = Directory.Exists(Path.Combine(directory, "model"))
            ? Directory.GetFiles(Path.Combine(directory, "model"), "*.bin").Select(p => (AdditionalText)new FileAdditionalText(p)).ToArray()
            : [];
        // Both are programs with top-level statements.
        CSharpCompilation compilation = GeneratorHarness.Compilation(sources);
        compilation = compilation.WithOptions(compilation.Options.WithOutputKind(OutputKind.ConsoleApplication));
        GeneratorDriver driver = GeneratorHarness.Driver(files).RunGeneratorsAndUpdateCompilation(
            compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        Assert.NotEmpty(driver.GetRunResult().GeneratedTrees);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        ImmutableArray<Diagnostic> diagnostics = await output
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ConstantFieldWriteAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();
        Assert.Empty(diagnostics);
    }

    /// <summary>KG0100 diagnostics of <paramref name="sources"/>, which must compile (analyzer exceptions show up as AD0001).</summary>
    private static ImmutableArray<Diagnostic> Analyze(params string[] sources)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(sources);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ConstantFieldWriteAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));
}
