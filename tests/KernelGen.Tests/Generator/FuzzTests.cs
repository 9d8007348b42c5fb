extern alias generator;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using generator::KernelGen.Generator;
using KernelGen.Reference;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit.Abstractions;

namespace KernelGen.Tests.Generator;

/// <summary>
/// Fuzzing the generator with thousands of random and mutated declarations per run (issue 10). Each run is seeded:
/// <c>KERNELGEN_FUZZ_SEED</c> if set (to reproduce a failure), otherwise a fresh seed, printed in every failure message.
/// Declarations are batched, each in its own syntax tree and namespace, and the generator runs once per batch through
/// <see cref="CSharpGeneratorDriver"/>; diagnostics and generated files are attributed to declarations by syntax tree and
/// by the model type a generated file extends.
/// <list type="bullet">
/// <item>Valid declarations (valid by construction) get no KG error, exactly one generated file per model, and compile.</item>
/// <item>Invalid ones (one mutation from <see cref="FuzzMutator.Catalog"/>) get the expected KG id at the expected
/// argument or member, no other KG id than the mutation allows, and no generated source for the mutated model.</item>
/// <item>Garbage (random token damage): no exception, no KG9999, and when the user's code compiles and no KG error was
/// reported, the generated code compiles.</item>
/// <item>One batch in twelve is emitted, loaded and run: Run equals RunReference and the runtime's ReferenceOps
/// computed from the fuzzer's own description of each model, byte for byte.</item>
/// </list>
/// <c>KERNELGEN_FUZZ_BATCH=n</c> runs batch n of the seed alone; <c>KERNELGEN_FUZZ_BATCHES=n</c> changes the number of batches.
/// </summary>
public sealed class FuzzTests
{
    private const int DefaultBatches = 70;
    private const int UnitsPerBatch = 75;
    private const int TooOldUnitsPerBatch = 25;
    private const int ExecuteEvery = 12;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var list = platform.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        list.Add(MetadataReference.CreateFromFile(typeof(QuantizedModelAttribute).Assembly.Location));
        return list.ToImmutableArray();
    });

    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void RandomAndMutatedDeclarations_NeverThrow_RejectTheInvalid_CompileAndRunTheValid()
    {
        int seed = Seed();
        int batches = Environment.GetEnvironmentVariable("KERNELGEN_FUZZ_BATCHES") is { Length: > 0 } b ? int.Parse(b, CultureInfo.InvariantCulture) : DefaultBatches;
        int? only = Environment.GetEnvironmentVariable("KERNELGEN_FUZZ_BATCH") is { Length: > 0 } o ? int.Parse(o, CultureInfo.InvariantCulture) : null;
        _output.WriteLine($"fuzz seed: {seed} (rerun with KERNELGEN_FUZZ_SEED={seed})");

        var run = new FuzzRun(seed);
        var clock = Stopwatch.StartNew();
        string directory = Path.Combine(Path.GetTempPath(), "kernelgen-fuzz", $"{seed}-{Environment.ProcessId}");
        try
        {
            // Two batches at a time: each is one compilation, checked mostly on one thread.
            var indices = Enumerable.Range(0, batches).Where(batch => only is null || batch == only).ToList();
            var parts = new FuzzRun[batches];
            Parallel.ForEach(indices, new ParallelOptions { MaxDegreeOfParallelism = 2 }, batch =>
            {
                var part = new FuzzRun(seed);
                try
                {
                    RunBatch(part, batch, Path.Combine(directory, "b" + batch));
                }
                catch (Exception e)
                {
                    // Whatever threw (the fuzzer, the compiler, a loaded model), the failure must still name the seed.
                    part.Failures.Add(("batch: the test itself threw", $"batch {batch} (KERNELGEN_FUZZ_BATCH={batch})", e.ToString(), null));
                }
                parts[batch] = part;
            });
            foreach (FuzzRun part in parts.Where(p => p is not null))
                run.Merge(part);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        clock.Stop();

        string summary = run.Summary(clock.Elapsed);
        _output.WriteLine(summary);
        string reportPath = Path.Combine(Path.GetTempPath(), "kernelgen-fuzz", $"report-{seed}.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
        File.WriteAllText(reportPath, summary + "\n\n" + run.FullReport());

        if (run.Failures.Count > 0)
            Assert.Fail(run.FailureMessage(reportPath));

        // The fuzzer must exercise what it claims to, or a green run means nothing.
        if (only is null && batches >= DefaultBatches)
        {
            Assert.True(run.Units >= 5000, $"fuzz seed {seed}: only {run.Units} declarations");
            Assert.True(run.Counts[FuzzKind.Valid] > 2000 && run.Counts[FuzzKind.Invalid] > 1200 && run.Counts[FuzzKind.Garbage] > 300,
                $"fuzz seed {seed}: {string.Join(", ", run.Counts.Select(c => $"{c.Value} {c.Key}"))}");
            Assert.True(run.Executed >= 150, $"fuzz seed {seed}: only {run.Executed} models executed");
            Assert.True(run.OutputsInsideClamp > run.Outputs / 10, $"fuzz seed {seed}: only {run.OutputsInsideClamp} of {run.Outputs} outputs inside the clamp range");
            var missing = FuzzMutator.Catalog.Select(c => c.Id).Append(FuzzMutator.TooOldId).Distinct().Where(id => !run.ExpectedIdsSeen.Contains(id)).ToList();
            Assert.True(missing.Count == 0, $"fuzz seed {seed}: no declaration exercised {string.Join(", ", missing)}");
        }
    }

    private static int Seed()
    {
        string? text = Environment.GetEnvironmentVariable("KERNELGEN_FUZZ_SEED");
        if (!string.IsNullOrWhiteSpace(text))
        {
            Assert.True(int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed),
                $"KERNELGEN_FUZZ_SEED='{text}' is not a 32-bit integer");
            return seed;
        }
        return Random.Shared.Next(1, int.MaxValue);
    }

    /// <summary>Each batch has its own generator, derived from the run's seed, so a batch can be rerun alone.</summary>
    private static int BatchSeed(int seed, int batch)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)batch * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    private static FuzzBatchOptions Options(Random r, bool tooOld)
    {
        LanguageVersion version = tooOld
            ? new[] { LanguageVersion.CSharp6, LanguageVersion.CSharp7, LanguageVersion.CSharp7_1, LanguageVersion.CSharp7_2 }[r.Next(4)]
            : r.Next(100) switch
            {
                < 22 => LanguageVersion.CSharp7_3,
                < 30 => LanguageVersion.CSharp8,
                < 37 => LanguageVersion.CSharp9,
                < 46 => LanguageVersion.CSharp10,
                < 53 => LanguageVersion.CSharp11,
                < 65 => LanguageVersion.CSharp12,
                < 77 => LanguageVersion.CSharp13,
                < 92 => LanguageVersion.Latest,
                _ => LanguageVersion.Preview,
            };
        return new FuzzBatchOptions(version, allowUnsafe: r.Next(2) == 0, nullable: r.Next(2) == 0, documentation: r.Next(4) == 0);
    }

    // --------------------------------------------------------------------------------------------------------------------

    private void RunBatch(FuzzRun run, int batch, string directory)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(BatchSeed(run.Seed, batch));
        bool tooOld = batch % 25 == 7;
        FuzzBatchOptions options = Options(random, tooOld);
        var context = new FuzzBatchContext { Batch = batch, Options = options, Directory = directory };
        var factory = new FuzzFactory(random, context);
        var mutator = new FuzzMutator(random, context);
        factory.GlobalUsings();

        // Declarations: the global-namespace one (if any) first, so every other one knows what it shadows.
        int count = tooOld ? TooOldUnitsPerBatch : UnitsPerBatch;
        bool hasGlobal = random.Next(2) == 0;
        var units = new List<FuzzUnit>();
        for (int index = 0; index < count; index++)
        {
            bool global = hasGlobal && index == 0;
            FuzzUnit unit = factory.Create(index, global);
            unit.Render();
            int roll = random.Next(100);
            if (tooOld)
                FuzzMutator.TooOld(unit);
            else if (roll < 46 || (global && roll >= 86))
            {
                // valid
            }
            else if (roll < 86)
            {
                mutator.Invalidate(unit);
                unit.Render();
            }
            else
            {
                mutator.Garble(unit);
            }
            units.Add(unit);
        }

        // KERNELGEN_FUZZ_DUMP=dir writes every declaration of the batch there, to reproduce or minimize a failure by hand.
        if (Environment.GetEnvironmentVariable("KERNELGEN_FUZZ_DUMP") is { Length: > 0 } dump)
        {
            string folder = Path.Combine(dump, $"seed{run.Seed}", $"b{batch}");
            Directory.CreateDirectory(folder);
            foreach (FuzzUnit unit in units)
            {
                File.WriteAllText(Path.Combine(folder, $"d{unit.Index}.cs"), $"// {unit.Describe()}\n{unit.Text}");
                if (unit.SecondText is { } second)
                    File.WriteAllText(Path.Combine(folder, $"d{unit.Index}.part2.cs"), second);
            }
            if (context.GlobalUsingsSource is { } g)
                File.WriteAllText(Path.Combine(folder, "GlobalUsings.cs"), g);
        }

        foreach (FuzzFile file in units.SelectMany(u => u.Files))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file.Path)!);
            File.WriteAllBytes(file.Path, file.Bytes);
        }
        var additional = units.SelectMany(u => u.Files).Select(f => (AdditionalText)new FileAdditionalText(f.Path)).ToImmutableArray();

        CSharpParseOptions parse = options.ParseOptions;
        var byTree = new Dictionary<SyntaxTree, FuzzUnit>();
        var byPath = new Dictionary<string, FuzzUnit>(StringComparer.Ordinal);
        var trees = new List<SyntaxTree>();
        foreach (FuzzUnit unit in units)
        {
            SyntaxTree tree = CSharpSyntaxTree.ParseText(unit.Text, parse, path: unit.Path, encoding: Encoding.UTF8);
            trees.Add(tree);
            byTree[tree] = unit;
            byPath[unit.Path] = unit;
            if (unit.SecondText is { } second)
            {
                SyntaxTree part = CSharpSyntaxTree.ParseText(second, parse, path: unit.SecondPath, encoding: Encoding.UTF8);
                trees.Add(part);
                byTree[part] = unit;
                byPath[unit.SecondPath] = unit;
            }
        }
        SyntaxTree? helper = null;
        if (context.GlobalUsingsSource is { } globalUsings)
        {
            helper = CSharpSyntaxTree.ParseText(globalUsings, parse, path: $"/fuzz/b{batch}/GlobalUsings.cs", encoding: Encoding.UTF8);
            trees.Add(helper);
        }

        var compilation = CSharpCompilation.Create($"Fuzz{batch}", trees, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: options.AllowUnsafe,
                optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: options.Nullable ? NullableContextOptions.Enable : NullableContextOptions.Disable));

        // What the user's code says on its own, for the garbage rule.
        var userErrors = new Dictionary<FuzzUnit, List<Diagnostic>>();
        foreach (FuzzUnit unit in units.Where(u => u.Kind == FuzzKind.Garbage))
        {
            try
            {
                userErrors[unit] = byTree.Where(p => p.Value == unit)
                    .SelectMany(p => compilation.GetSemanticModel(p.Key).GetDiagnostics())
                    .Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            }
            catch (Exception e) when (e is NullReferenceException or InvalidOperationException or AggregateException)
            {
                // Roslyn itself fails on some damaged trees (not KernelGen's concern): count it as not compiling.
                userErrors[unit] = new List<Diagnostic> { Diagnostic.Create("FUZZ0001", "Fuzz", "the compiler threw: " + e.GetType().Name, DiagnosticSeverity.Error, DiagnosticSeverity.Error, true, 0) };
                lock (_output)
                    _output.WriteLine($"note: the compiler threw {e.GetType().Name} analysing garbage declaration {unit.Describe()}");
            }
        }

        // KERNELGEN_FUZZ_SELFCHECK=1: the fuzzer's own check that valid and invalid declarations compile without the generator.
        if (Environment.GetEnvironmentVariable("KERNELGEN_FUZZ_SELFCHECK") == "1")
        {
            foreach (Diagnostic d in compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
            {
                if (d.Location.SourceTree is { } t && byTree.TryGetValue(t, out FuzzUnit? u) && u.Kind != FuzzKind.Garbage && !u.AllowedUserErrors.Contains(d.Id) && d.Id != "CS0592")
                    run.Failures.Add(($"fuzzer: {u.Kind} declaration does not compile on its own ({d.Id})", $"batch {batch} declaration {u.Index}", $"{d}\n    {Line(d)}", u));
                else if (d.Location.SourceTree is null || !byTree.ContainsKey(d.Location.SourceTree))
                    run.Failures.Add(($"fuzzer: error outside the declarations ({d.Id})", $"batch {batch}", d.ToString(), null));
            }
        }

        long build = clock.ElapsedMilliseconds;
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new KernelGenGenerator().AsSourceGenerator() }, additional, parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();
        long generate = clock.ElapsedMilliseconds;

        var batchRun = new BatchRun(run, batch, options, units, byPath);
        foreach (GeneratorRunResult r in result.Results)
        {
            if (r.Exception is not null)
            {
                bool ours = r.Exception.StackTrace?.Contains("KernelGen.Generator", StringComparison.Ordinal) == true;
                batchRun.BatchFailure(ours
                    ? "generator threw (every model of the batch lost its generated code)"
                    : "Roslyn threw inside the generator driver before KernelGen's code ran (a compiler bug; see the stack)", r.Exception.ToString());
            }
        }
        foreach (Diagnostic d in generatorDiagnostics.Where(d => d.Id == "CS8785"))
            batchRun.BatchFailure("CS8785: the generator failed and its output was dropped", d.ToString());

        // Generated files -> (unit, model).
        var generated = new Dictionary<SyntaxTree, (FuzzUnit? Unit, int Model, string HintName)>();
        ImmutableArray<GeneratedSourceResult> sources = result.Results.SelectMany(r => r.GeneratedSources).ToImmutableArray();
        var treeByPath = output.SyntaxTrees.ToDictionary(t => t.FilePath, t => t, StringComparer.Ordinal);
        foreach (GeneratedSourceResult source in sources)
        {
            SyntaxTree tree = treeByPath.TryGetValue(source.SyntaxTree.FilePath, out SyntaxTree? t) ? t : source.SyntaxTree;
            (FuzzUnit? unit, int model) = Attribute(output, tree, source.HintName, units, byTree);
            generated[tree] = (unit, model, source.HintName);
            if (unit is null)
                batchRun.BatchFailure("a generated file belongs to no declaration", $"{source.HintName}:\n{Head(source.SourceText.ToString(), 40)}");
            else
                batchRun.Generated(unit, model, source.HintName);
        }

        // KG diagnostics -> units.
        foreach (Diagnostic d in generatorDiagnostics.Where(d => d.Id.StartsWith("KG", StringComparison.Ordinal)))
        {
            string path = d.Location.GetLineSpan().Path ?? "";
            if (byPath.TryGetValue(path, out FuzzUnit? unit))
                batchRun.Reported(unit, d);
            else
                batchRun.BatchFailure($"{d.Id} without a location in a declaration", d.ToString());
        }

        // Compile errors of the whole output -> user trees and generated trees.
        foreach (Diagnostic d in CompilerDiagnostics(output, byTree, batchRun))
        {
            if (d.Severity != DiagnosticSeverity.Error)
            {
                if (d.Location.SourceTree is { } wt && generated.TryGetValue(wt, out var warned))
                {
                    if (warned.Unit is not null && d.Severity == DiagnosticSeverity.Warning)
                        batchRun.GeneratedWarning(warned.Unit, warned.Model, warned.HintName, d);
                    run.GeneratedWarnings[d.Id] = run.GeneratedWarnings.GetValueOrDefault(d.Id) + 1;
                    if (!run.WarningExamples.ContainsKey(d.Id))
                        run.WarningExamples[d.Id] = $"{d}\n    {Line(d)}\n    in {warned.Unit?.Describe()}";
                }
                continue;
            }
            SyntaxTree? tree = d.Location.SourceTree;
            if (tree is not null && byPath.TryGetValue(tree.FilePath, out FuzzUnit? unit))
                batchRun.UserError(unit, d);
            else if (tree is not null && generated.TryGetValue(tree, out var owner))
            {
                if (owner.Unit is null)
                    batchRun.BatchFailure($"generated code does not compile ({d.Id})", $"{owner.HintName}: {d}\n    {Line(d)}");
                else
                    batchRun.GeneratedError(owner.Unit, owner.Model, owner.HintName, d);
            }
            else
                batchRun.BatchFailure($"compile error outside the declarations ({d.Id})", d.ToString());
        }

        batchRun.Check(userErrors);
        long check = clock.ElapsedMilliseconds;

        if (!tooOld && batch % ExecuteEvery == 5)
            Execute(run, batchRun, random, output, units, byTree, generated);

        run.Timings.Add((batch, build, generate - build, check - generate, clock.ElapsedMilliseconds - check));
        lock (_output)
            _output.WriteLine($"batch {batch}: {options}, {units.Count} declarations, {sources.Length} files, {sources.Sum(s => s.SourceText.Length) / 1024} KiB generated, {units.Sum(u => u.Text.Length) / 1024} KiB user code, build {build} ms, generate {generate - build} ms, check {check - generate} ms, execute {clock.ElapsedMilliseconds - check} ms");
    }

    /// <summary>
    /// Every diagnostic of the output compilation. Roslyn itself throws on a few damaged trees (e.g. an assignment to a
    /// readonly field inside nameof in an attribute argument); then the trees are asked one by one and a garbage tree that
    /// makes the compiler throw is left out (the user's build fails in the compiler, not in KernelGen).
    /// </summary>
    private IEnumerable<Diagnostic> CompilerDiagnostics(Compilation output, Dictionary<SyntaxTree, FuzzUnit> byTree, BatchRun batchRun)
    {
        try
        {
            return output.GetDiagnostics();
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or AggregateException)
        {
            var all = new List<Diagnostic>();
            foreach (SyntaxTree tree in output.SyntaxTrees)
            {
                try
                {
                    all.AddRange(output.GetSemanticModel(tree).GetDiagnostics());
                }
                catch (Exception inner) when (inner is NullReferenceException or InvalidOperationException or AggregateException)
                {
                    if (byTree.TryGetValue(tree, out FuzzUnit? unit) && unit.Kind == FuzzKind.Garbage)
                        continue;
                    batchRun.BatchFailure("the compiler threw on a tree that is not garbage", $"{tree.FilePath}: {inner}");
                }
            }
            return all;
        }
    }

    /// <summary>Which declaration (and which of its models) a generated file extends.</summary>
    private static (FuzzUnit? Unit, int Model) Attribute(Compilation output, SyntaxTree tree, string hintName, List<FuzzUnit> units, Dictionary<SyntaxTree, FuzzUnit> byTree)
    {
        SemanticModel semantic = output.GetSemanticModel(tree);
        // The innermost [QuantizedModel] type: a model nested in a model has both in its file.
        foreach (TypeDeclarationSyntax declaration in tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>()
                     .OrderByDescending(d => d.Ancestors().Count()))
        {
            if (semantic.GetDeclaredSymbol(declaration) is not INamedTypeSymbol symbol
                || !symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "KernelGen.QuantizedModelAttribute"))
                continue;
            foreach (Location location in symbol.Locations)
            {
                if (location.SourceTree is null || !byTree.TryGetValue(location.SourceTree, out FuzzUnit? unit))
                    continue;
                for (int j = 0; j < unit.Models.Count; j++)
                {
                    foreach (string key in new[] { $"m{j}.Id", $"m{j}.Id2" })
                    {
                        if (unit.SpansFor(location.SourceTree.FilePath).TryGetValue(key, out var spans) && spans.Any(s => s.OverlapsWith(location.SourceSpan)))
                            return (unit, j);
                    }
                }
                return (unit, -1);
            }
        }
        // Not a [QuantizedModel] type (e.g. a partial for a file-local type): fall back on the declaration's token in the hint name.
        FuzzUnit? byToken = units.FirstOrDefault(u => Regex.IsMatch(hintName, Regex.Escape(u.Token) + @"(?![0-9])"));
        return (byToken, byToken is { Models.Count: 1 } ? 0 : -1);
    }

    // --------------------------------------------------------------------------------------------------------------------

    private static void Execute(FuzzRun run, BatchRun batchRun, Random random, Compilation output, List<FuzzUnit> units,
        Dictionary<SyntaxTree, FuzzUnit> byTree, Dictionary<SyntaxTree, (FuzzUnit? Unit, int Model, string HintName)> generated)
    {
        var keep = units.Where(u => u.Kind == FuzzKind.Valid && !batchRun.Failed.Contains(u)).ToHashSet();
        var remove = output.SyntaxTrees.Where(t =>
            (byTree.TryGetValue(t, out FuzzUnit? u) && !keep.Contains(u))
            || (generated.TryGetValue(t, out var g) && (g.Unit is null || !keep.Contains(g.Unit)))).ToList();
        Compilation compilation = output.RemoveSyntaxTrees(remove);
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        if (!emitted.Success)
        {
            batchRun.BatchFailure("the valid declarations of an executed batch do not emit", string.Join("\n",
                emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
            return;
        }
        stream.Position = 0;
        var context = new AssemblyLoadContext($"KernelGenFuzz-{run.Seed}-{batchRun.Batch}", isCollectible: true);
        try
        {
            Assembly assembly = context.LoadFromStream(stream);
            foreach (FuzzUnit unit in keep)
            {
                for (int j = 0; j < unit.Models.Count; j++)
                {
                    FuzzModel model = unit.Models[j];
                    try
                    {
                        ExecuteModel(assembly, model, random, out string? problem, out int inside, out int outputs);
                        run.OutputsInsideClamp += inside;
                        run.Outputs += outputs;
                        if (problem is not null)
                            batchRun.UnitFailure(unit, "valid: Run / RunReference / ReferenceOps disagree", $"model {model.ReflectionName} ({model.Semantics.Describe()}): {problem}");
                        run.Executed++;
                    }
                    catch (Exception e)
                    {
                        batchRun.UnitFailure(unit, "valid: running the generated model failed", $"model {model.ReflectionName}: {e}");
                    }
                }
            }
        }
        finally
        {
            context.Unload();
        }
    }

    private static void ExecuteModel(Assembly assembly, FuzzModel model, Random random, out string? problem, out int inside, out int outputs)
    {
        problem = null;
        inside = outputs = 0;
        Type type = assembly.GetType(model.ReflectionName, throwOnError: true)!;
        if (type.IsGenericTypeDefinition)
            type = type.MakeGenericType(Enumerable.Repeat(typeof(int), type.GetGenericArguments().Length).ToArray());
        bool signed = model.Semantics.ActivationType == QuantType.Int8;
        Type element = signed ? typeof(sbyte) : typeof(byte);
        Type[] parameters = { typeof(ReadOnlySpan<>).MakeGenericType(element), typeof(Span<>).MakeGenericType(element) };
        MethodInfo runMethod = type.GetMethod("Run", BindingFlags.Public | BindingFlags.Static, parameters)
            ?? throw new InvalidOperationException($"{type} has no public static Run({element.Name} spans)");
        MethodInfo referenceMethod = type.GetMethod("RunReference", BindingFlags.Public | BindingFlags.Static, parameters)
            ?? throw new InvalidOperationException($"{type} has no public static RunReference({element.Name} spans)");
        ByteModel run = Wrap(runMethod, signed), reference = Wrap(referenceMethod, signed);

        FuzzSemantics s = model.Semantics;
        int rows = 6 + random.Next(3);
        byte[] input = s.Input(random, rows);
        byte[] expected = new byte[rows * s.OutputSize], actual = new byte[expected.Length], declared = new byte[expected.Length];
        ReferenceOps.Model(s.InputSize, s.ReferenceLayers(), input, expected);
        run(input, actual);
        reference(input, declared);
        problem = Compare(expected, declared, s, "RunReference") ?? Compare(expected, actual, s, "Run");

        // Not vacuous: outputs strictly inside the clamp range, where every bit of the arithmetic shows.
        FuzzDense last = s.Layers[^1];
        Quantization.QuantizationMath.ActivationRange(last.Activation, last.OutputScale, last.OutputZeroPoint, s.ActivationType, out int min, out int max);
        foreach (byte b in expected)
        {
            int v = signed ? (sbyte)b : b;
            inside += v > min && v < max ? 1 : 0;
        }
        outputs = expected.Length;
    }

    private static string? Compare(byte[] expected, byte[] actual, FuzzSemantics s, string what)
    {
        int index = expected.AsSpan().CommonPrefixLength(actual);
        if (index == expected.Length)
            return null;
        return $"{what} differs from ReferenceOps at row {index / s.OutputSize}, output {index % s.OutputSize}: expected {expected[index]}, got {actual[index]}";
    }

    private static ByteModel Wrap(MethodInfo method, bool signed)
    {
        if (!signed)
            return method.CreateDelegate<ByteModel>();
        SByteModel typed = method.CreateDelegate<SByteModel>();
        return (input, output) => typed(
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(input),
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(output));
    }

    internal static string Head(string text, int lines) => string.Join("\n", text.Split('\n').Take(lines));

    internal static string Line(Diagnostic d)
    {
        if (d.Location.SourceTree is not { } tree)
            return "";
        var line = d.Location.GetLineSpan().StartLinePosition.Line;
        var lines = tree.GetText().Lines;
        return line < lines.Count ? lines[line].ToString().Trim() : "";
    }

    // --------------------------------------------------------------------------------------------------------------------

    /// <summary>Everything one run found, for the failure message and the report.</summary>
    private sealed class FuzzRun
    {
        public FuzzRun(int seed) => Seed = seed;

        public int Seed { get; }
        public int Units { get; set; }
        public int Executed { get; set; }
        public long Outputs { get; set; }
        public long OutputsInsideClamp { get; set; }
        public Dictionary<FuzzKind, int> Counts { get; } = Enum.GetValues<FuzzKind>().ToDictionary(k => k, _ => 0);
        public Dictionary<string, int> Mutations { get; } = new();
        public HashSet<string> ExpectedIdsSeen { get; } = new();
        public Dictionary<string, int> GeneratedWarnings { get; } = new();
        public Dictionary<string, string> WarningExamples { get; } = new();
        public List<(int Batch, long Build, long Generate, long Check, long Execute)> Timings { get; } = new();
        public List<(string Category, string Where, string Detail, FuzzUnit? Unit)> Failures { get; } = new();

        public void Merge(FuzzRun part)
        {
            Units += part.Units;
            Executed += part.Executed;
            Outputs += part.Outputs;
            OutputsInsideClamp += part.OutputsInsideClamp;
            foreach (var c in part.Counts)
                Counts[c.Key] += c.Value;
            foreach (var m in part.Mutations)
                Mutations[m.Key] = Mutations.GetValueOrDefault(m.Key) + m.Value;
            ExpectedIdsSeen.UnionWith(part.ExpectedIdsSeen);
            foreach (var w in part.GeneratedWarnings)
                GeneratedWarnings[w.Key] = GeneratedWarnings.GetValueOrDefault(w.Key) + w.Value;
            foreach (var w in part.WarningExamples)
                WarningExamples.TryAdd(w.Key, w.Value);
            Timings.AddRange(part.Timings);
            Failures.AddRange(part.Failures);
        }

        public string Summary(TimeSpan elapsed)
        {
            var s = new StringBuilder();
            s.AppendLine($"fuzz seed {Seed}: {Units} declarations ({string.Join(", ", Counts.Select(c => $"{c.Value} {c.Key.ToString().ToLowerInvariant()}"))}), "
                + $"{Executed} models executed ({OutputsInsideClamp} of {Outputs} outputs inside the clamp range), {Failures.Count} failures, {elapsed.TotalSeconds:F1} s");
            if (Timings.Count > 0)
            {
                s.AppendLine($"time per phase (s): build {Timings.Sum(t => t.Build) / 1000.0:F1}, generate {Timings.Sum(t => t.Generate) / 1000.0:F1}, "
                    + $"check/compile {Timings.Sum(t => t.Check) / 1000.0:F1}, execute {Timings.Sum(t => t.Execute) / 1000.0:F1}");
            }
            s.AppendLine("mutations: " + string.Join(", ", Mutations.OrderBy(m => m.Key).Select(m => $"{m.Key} {m.Value}")));
            if (GeneratedWarnings.Count > 0)
            {
                s.AppendLine("warnings in generated code: " + string.Join(", ", GeneratedWarnings.OrderByDescending(w => w.Value).Select(w => $"{w.Key} x{w.Value}")));
                foreach (var w in WarningExamples)
                    s.AppendLine($"  e.g. {w.Value}");
            }
            return s.ToString();
        }

        public string FailureMessage(string reportPath)
        {
            var s = new StringBuilder();
            s.AppendLine($"Fuzz seed {Seed} (rerun: KERNELGEN_FUZZ_SEED={Seed}): {Failures.Count} failures in {Units} declarations. Full report: {reportPath}");
            s.AppendLine("By category:");
            foreach (var group in Failures.GroupBy(f => f.Category).OrderByDescending(g => g.Count()).Take(40))
                s.AppendLine($"  {group.Count(),5} x {group.Key}   [first: seed {Seed}, {group.First().Where}]");
            s.AppendLine();
            s.AppendLine("First failures:");
            foreach (var f in Failures.GroupBy(f => f.Category).Select(g => g.First()).Take(6))
                s.AppendLine(Describe(f)).AppendLine();
            return s.ToString();
        }

        public string FullReport()
        {
            var s = new StringBuilder();
            foreach (var f in Failures)
                s.AppendLine(Describe(f)).AppendLine();
            return s.ToString();
        }

        private string Describe((string Category, string Where, string Detail, FuzzUnit? Unit) f)
        {
            var s = new StringBuilder();
            s.AppendLine($"--- [seed {Seed}, {f.Where}] {f.Category}");
            s.AppendLine(f.Detail);
            if (f.Unit is not null)
            {
                s.AppendLine(f.Unit.Describe());
                s.AppendLine("declaration:");
                s.AppendLine(f.Unit.Text.Length > 6000 ? f.Unit.Text.Substring(0, 6000) + "\n..." : f.Unit.Text);
                if (f.Unit.SecondText is { } second)
                    s.AppendLine($"second file {f.Unit.SecondPath}:").AppendLine(second.Length > 3000 ? second.Substring(0, 3000) + "\n..." : second);
            }
            return s.ToString();
        }
    }

    /// <summary>Collects what the generator and the compiler said about each declaration of one batch, then judges it.</summary>
    private sealed class BatchRun
    {
        private readonly FuzzRun _run;
        private readonly FuzzBatchOptions _options;
        private readonly List<FuzzUnit> _units;
        private readonly Dictionary<FuzzUnit, List<Diagnostic>> _reported = new();
        private readonly Dictionary<FuzzUnit, List<Diagnostic>> _userErrors = new();
        private readonly Dictionary<FuzzUnit, List<(int Model, string HintName, Diagnostic Error)>> _generatedErrors = new();
        private readonly Dictionary<FuzzUnit, List<(int Model, string HintName, Diagnostic Error)>> _generatedWarnings = new();
        private readonly Dictionary<FuzzUnit, List<(int Model, string HintName)>> _generated = new();

        public BatchRun(FuzzRun run, int batch, FuzzBatchOptions options, List<FuzzUnit> units, Dictionary<string, FuzzUnit> byPath)
        {
            _run = run;
            Batch = batch;
            _options = options;
            _units = units;
        }

        public int Batch { get; }
        public HashSet<FuzzUnit> Failed { get; } = new();
        private bool _batchBroken;

        public void BatchFailure(string category, string detail)
        {
            _batchBroken = true;
            _run.Failures.Add(("batch: " + category, $"batch {Batch} ({_options})", detail, null));
            foreach (FuzzUnit unit in _units)
                Failed.Add(unit);
        }

        public void UnitFailure(FuzzUnit unit, string category, string detail)
        {
            Failed.Add(unit);
            _run.Failures.Add((category, $"batch {Batch} declaration {unit.Index}", detail, unit));
        }

        public void Generated(FuzzUnit unit, int model, string hintName) => Add(_generated, unit, (model, hintName));

        public void Reported(FuzzUnit unit, Diagnostic d) => Add(_reported, unit, d);

        public void UserError(FuzzUnit unit, Diagnostic d) => Add(_userErrors, unit, d);

        public void GeneratedError(FuzzUnit unit, int model, string hintName, Diagnostic d) => Add(_generatedErrors, unit, (model, hintName, d));

        public void GeneratedWarning(FuzzUnit unit, int model, string hintName, Diagnostic d) => Add(_generatedWarnings, unit, (model, hintName, d));

        private static void Add<T>(Dictionary<FuzzUnit, List<T>> map, FuzzUnit unit, T item)
        {
            if (!map.TryGetValue(unit, out List<T>? list))
                map[unit] = list = new List<T>();
            list.Add(item);
        }

        private static string Show(Diagnostic d) => $"{d.Id} at {d.Location.GetLineSpan().StartLinePosition}: {d.GetMessage(CultureInfo.InvariantCulture)}";

        private static string FirstErrors(IEnumerable<(int Model, string HintName, Diagnostic Error)> errors)
            => string.Join("\n", errors.Take(6).Select(e => $"  {e.HintName}: {Show(e.Error)}\n      {Line(e.Error)}"));

        public void Check(Dictionary<FuzzUnit, List<Diagnostic>> userErrorsAlone)
        {
            foreach (FuzzUnit unit in _units)
            {
                _run.Units++;
                _run.Counts[unit.Kind]++;
                string mutation = unit.Kind == FuzzKind.Garbage ? "garbage" : unit.Mutation;
                _run.Mutations[mutation] = _run.Mutations.GetValueOrDefault(mutation) + 1;
                if (unit.ExpectedId is not null)
                    _run.ExpectedIdsSeen.Add(unit.ExpectedId);
                if (_batchBroken)
                    continue;

                List<Diagnostic> reported = _reported.GetValueOrDefault(unit) ?? new();
                List<Diagnostic> kgErrors = reported.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                List<Diagnostic> userErrors = _userErrors.GetValueOrDefault(unit) ?? new();
                var generatedErrors = _generatedErrors.GetValueOrDefault(unit) ?? new();
                var generated = _generated.GetValueOrDefault(unit) ?? new();

                foreach (Diagnostic d in reported.Where(d => d.Id == "KG9999"))
                    UnitFailure(unit, $"{Kind(unit)}: KG9999 (the generator failed internally)", Show(d));

                switch (unit.Kind)
                {
                    case FuzzKind.Valid:
                        if (kgErrors.Count > 0)
                            UnitFailure(unit, $"valid: reported {string.Join(", ", kgErrors.Select(d => d.Id).Distinct())}", string.Join("\n", kgErrors.Select(Show)));
                        for (int j = 0; j < unit.Models.Count; j++)
                        {
                            int files = generated.Count(g => g.Model == j || (g.Model == -1 && unit.Models.Count == 1));
                            if (files != 1)
                            {
                                string note = _units.Any(u => u.Kind != FuzzKind.Valid) ? " (the batch also holds invalid or garbage declarations)" : "";
                                UnitFailure(unit, $"valid: {(files == 0 ? "no generated file" : files + " generated files")} for a model{(unit.Models.Count > 1 ? " of a two-model declaration" : "")}",
                                    $"model {unit.Models[j].ReflectionName} got {files} files{note}: {string.Join(", ", generated.Select(g => g.HintName))}");
                            }
                        }
                        if (generated.Any(g => g.Model == -1) && unit.Models.Count > 1)
                            UnitFailure(unit, "valid: a generated file extends no model of its declaration", string.Join(", ", generated.Where(g => g.Model == -1).Select(g => g.HintName)));
                        if (generatedErrors.Count > 0)
                            UnitFailure(unit, $"valid: generated code does not compile ({generatedErrors[0].Error.Id})", FirstErrors(generatedErrors));
                        // README: generated code compiles without warnings too (a project may treat warnings as errors).
                        var warnings = _generatedWarnings.GetValueOrDefault(unit);
                        if (warnings is { Count: > 0 })
                            UnitFailure(unit, $"valid: warning in generated code ({warnings[0].Error.Id})", FirstErrors(warnings));
                        foreach ((int model, string hintName) in generated.Where(g => g.Model >= 0))
                        {
                            string expected = HintName(unit.Models[model]);
                            if (!Regex.IsMatch(hintName, "^" + Regex.Escape(expected) + @"(-[0-9]+)?\.KernelGen\.g\.cs$"))
                                UnitFailure(unit, "valid: hint name is not README's {Namespace}.{Containing types}.{Class}.KernelGen.g.cs", $"{hintName}, expected {expected}[-n].KernelGen.g.cs");
                        }
                        if (userErrors.Count > 0)
                            UnitFailure(unit, $"valid: errors in the user's tree after generation ({userErrors[0].Id})", string.Join("\n", userErrors.Take(6).Select(d => "  " + Show(d) + "\n      " + Line(d))));
                        break;

                    case FuzzKind.Invalid:
                    {
                        var expected = kgErrors.Where(d => d.Id == unit.ExpectedId).ToList();
                        if (expected.Count == 0)
                        {
                            UnitFailure(unit, $"invalid [{unit.Mutation}]: {unit.ExpectedId} not reported",
                                "reported: " + (kgErrors.Count == 0 ? "nothing" : string.Join("\n", kgErrors.Select(Show))));
                        }
                        else if (!expected.Any(d => unit.OnAnchor(d.Location.GetLineSpan().Path, d.Location.SourceSpan)))
                        {
                            UnitFailure(unit, $"invalid [{unit.Mutation}]: {unit.ExpectedId} at the wrong place",
                                string.Join("\n", expected.Select(d => $"{Show(d)} spans '{Excerpt(unit, d)}'")) + "\nexpected on: " + string.Join(", ", unit.Anchors));
                        }
                        var others = kgErrors.Where(d => d.Id != unit.ExpectedId && !unit.AllowedIds.Contains(d.Id)).ToList();
                        if (others.Count > 0)
                            UnitFailure(unit, $"invalid [{unit.Mutation}]: also reported {string.Join(", ", others.Select(d => d.Id).Distinct())}", string.Join("\n", others.Select(Show)));
                        // A language version below 7.3 invalidates every model of the declaration; a catalog mutation the first only.
                        bool all = unit.Mutation == FuzzMutator.TooOldName;
                        int files = all ? generated.Count : generated.Count(g => g.Model == 0 || (g.Model == -1 && unit.Models.Count == 1));
                        if (files > 0)
                            UnitFailure(unit, $"invalid [{unit.Mutation}]: source generated for the invalid model", string.Join(", ", generated.Select(g => g.HintName)));
                        for (int j = 1; j < unit.Models.Count && !all; j++)
                        {
                            if (generated.Count(g => g.Model == j) != 1)
                                UnitFailure(unit, "invalid: the valid second model of the declaration lost its generated file", $"model {unit.Models[j].ReflectionName}: {string.Join(", ", generated.Select(g => g.HintName))}");
                        }
                        if (generatedErrors.Count > 0)
                            UnitFailure(unit, $"invalid [{unit.Mutation}]: generated code does not compile ({generatedErrors[0].Error.Id})", FirstErrors(generatedErrors));
                        var unexpected = userErrors.Where(d => !unit.AllowedUserErrors.Contains(d.Id)).ToList();
                        if (unexpected.Count > 0)
                            UnitFailure(unit, $"invalid [{unit.Mutation}]: errors in the user's tree ({unexpected[0].Id})", string.Join("\n", unexpected.Take(6).Select(d => "  " + Show(d) + "\n      " + Line(d))));
                        break;
                    }

                    case FuzzKind.Garbage:
                    {
                        bool compilesAlone = userErrorsAlone.GetValueOrDefault(unit) is not { Count: > 0 };
                        if (compilesAlone && kgErrors.Count == 0 && generatedErrors.Count > 0)
                            UnitFailure(unit, $"garbage: user code compiles, no KG error, generated code does not compile ({generatedErrors[0].Error.Id})", FirstErrors(generatedErrors));
                        break;
                    }
                }
            }
        }

        /// <summary>README: <c>{Namespace}.{Containing types}.{Class}.KernelGen.g.cs</c>, type parameters in cref style (<c>N.G{TKey,TValue}.M</c>).</summary>
        private static string HintName(FuzzModel m)
        {
            static string Part(string name, List<string> parameters)
                => FuzzField.Unescaped(name) + (parameters.Count == 0 ? "" : "{" + string.Join(",", parameters.Select(FuzzField.Unescaped)) + "}");
            var parts = new List<string>();
            if (m.Namespace is not null)
                parts.AddRange(m.Namespace.Split('.').Select(FuzzField.Unescaped));
            parts.AddRange(m.Containers.Select(c => Part(c.Name, c.TypeParameters)));
            parts.Add(Part(m.Name, m.TypeParameters));
            return string.Join(".", parts);
        }

        private static string Kind(FuzzUnit unit) => unit.Kind.ToString().ToLowerInvariant();

        private static string Excerpt(FuzzUnit unit, Diagnostic d)
        {
            var span = d.Location.SourceSpan;
            string all = unit.TextFor(d.Location.GetLineSpan().Path);
            if (span.End > all.Length)
                return "(outside the text)";
            string text = all.Substring(span.Start, Math.Min(span.Length, 120));
            return text.Replace("\n", " ");
        }
    }
}
