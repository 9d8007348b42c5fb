using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace KernelGen.Benchmarks;

/// <summary>
/// The suite's columns, filter and joined summary. The jobs (one per KernelGen path) come from Program / PathJobs.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddColumn(new PathColumn(), new WeightsColumn(), new GmacColumn(), new PeerRatioColumn("vs ORT", "OnnxRuntime", "OnnxRuntimeNhwc"),
            new PeerRatioColumn("vs fp32", "TensorPrimitivesFp32"), new LimitColumn());
        // Error (half the 99.9 % interval) is wide with --job short and says little more than StdDev; the knobs are in
        // the Job and Path columns; the class (Type) is the Categories and Weights columns.
        HideColumns("Error", "EnvironmentVariables", "Type");
        AddFilter(new SimpleFilter(Runs));
        WithOptions(ConfigOptions.JoinSummary);
        WithOrderer(new SuiteOrderer());
        // BenchmarkDotNet rebuilds the project; the generator folding the 1024x1024 models (two 1M-weight fields, ~4 MB of
        // generated source each) makes that build take 1.5 to 2 minutes here, past the default 120 s limit on a busy machine.
        WithBuildTimeout(TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// KernelGen rows run in every path job. ONNX Runtime, fp32 and the register-only limits do not depend on
    /// KernelGen's path, so they run once, in the native job; ONNX Runtime and fp32 only in the full-range class of a
    /// shape (the proof-accepted twin's ratios use those numbers: same shape, same batch, same work for ORT and fp32).
    /// Limits whose instruction set this CPU lacks are left out. KernelGenParallel (RunParallel on every core, the one
    /// row that is not single-threaded) runs in the native job only.
    /// </summary>
    private static bool Runs(BenchmarkCase benchmark)
    {
        MethodInfo method = benchmark.Descriptor.WorkloadMethod;
        if (method.GetCustomAttribute<RegisterLimitAttribute>() is { } limit)
            return PathJobs.IsNative(benchmark.Job) && LimitColumn.Supported(limit.Isa);
        if (method.Name == "KernelGen")
            return true;
        if (method.Name == "KernelGenParallel")
            return PathJobs.IsNative(benchmark.Job);
        return PathJobs.IsNative(benchmark.Job) && ModelFacts.Of(benchmark.Descriptor.Type)?.PeerRows != false;
    }
}

/// <summary>Shared lookups of the custom columns.</summary>
internal static class Rows
{
    public static bool IsKernelGen(BenchmarkCase c) => c.Descriptor.WorkloadMethod.Name == "KernelGen";

    /// <summary>Mean time per call in ns, or null when the case did not run or failed.</summary>
    public static double? Mean(Summary summary, BenchmarkCase c) => summary[c]?.ResultStatistics?.Mean;

    /// <summary>Int8 multiply-adds one call does: the model's per row times Batch, or the limit loop's.</summary>
    public static long? Macs(BenchmarkCase c)
    {
        if (c.Descriptor.WorkloadMethod.GetCustomAttribute<RegisterLimitAttribute>() is { } limit)
            return limit.MacsPerCall;
        ModelFacts? facts = ModelFacts.Of(c.Descriptor.Type);
        return facts is null || c.Parameters["Batch"] is not int batch ? null : facts.MacsPerRow * batch;
    }

    public static double? Gmacs(Summary summary, BenchmarkCase c)
        => Macs(c) is long macs && Mean(summary, c) is double ns && ns > 0 ? macs / ns : null;

    /// <summary>The native job's row of one of <paramref name="methods"/> for the same category (shape) and Batch: the fastest if several.</summary>
    public static BenchmarkReport? Peer(Summary summary, BenchmarkCase c, IReadOnlyCollection<string> methods)
    {
        string[] category = c.Descriptor.Categories;
        object? batch = c.Parameters["Batch"];
        return summary.Reports
            .Where(r => methods.Contains(r.BenchmarkCase.Descriptor.WorkloadMethod.Name)
                && PathJobs.IsNative(r.BenchmarkCase.Job)
                && r.BenchmarkCase.Descriptor.Categories.SequenceEqual(category)
                && Equals(r.BenchmarkCase.Parameters["Batch"], batch)
                && r.ResultStatistics is not null)
            .MinBy(r => r.ResultStatistics!.Mean);
    }

    /// <summary>
    /// The ActivePath the benchmark process printed from [GlobalSetup] ("// KernelGen setup: ...: ActivePath = Avx2; ...").
    /// BenchmarkDotNet keeps every line a benchmark process wrote (ExecuteResult.StandardOutput).
    /// </summary>
    public static string? PrintedPath(Summary summary, BenchmarkCase c)
    {
        BenchmarkReport? report = summary[c];
        if (report is null)
            return null;
        foreach (var result in report.ExecuteResults)
            foreach (string line in result.StandardOutput ?? [])
                if (ActivePathLine.Match(line) is { Success: true } match)
                    return match.Groups[1].Value;
        return null;
    }

    private static readonly Regex ActivePathLine = new(@"^// KernelGen setup: .*ActivePath = (\w+)", RegexOptions.Compiled);

    /// <summary>The path a KernelGen row ran: printed by its process, else (marked "?") what its job was meant to force.</summary>
    public static string? KernelGenPath(Summary summary, BenchmarkCase c)
        => PrintedPath(summary, c) ?? (PathJobs.ExpectedPath.TryGetValue(c.Job.Id, out string? expected) ? expected + "?" : null);

    public static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>Base of the suite's columns: text, always shown, in the given category.</summary>
public abstract class SuiteColumn(string name, ColumnCategory category, int priority, bool numeric, string legend) : IColumn
{
    public string Id => GetType().Name + "." + ColumnName;
    public string ColumnName { get; } = name;
    public bool AlwaysShow => true;
    public ColumnCategory Category { get; } = category;
    public int PriorityInCategory { get; } = priority;
    public bool IsNumeric { get; } = numeric;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend { get; } = legend;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public abstract string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style);

    public override string ToString() => ColumnName;
}

/// <summary>
/// Which code ran. KernelGen rows: the ActivePath the benchmark process itself printed from [GlobalSetup] (so a
/// DOTNET_Enable* knob that did not act shows here); "Avx2?" means no such line was found and names the path the job
/// was meant to force. ONNX Runtime rows: the version (MLAS, CPU EP). fp32 rows: the vector width TensorPrimitives
/// uses in the native job. Limit rows: the instruction set the sequence needs.
/// </summary>
public sealed class PathColumn() : SuiteColumn("Path", ColumnCategory.Job, 10, false,
    "KernelGen: the ActivePath its benchmark process printed; ONNX Runtime: version; fp32: vector width; limits: instruction set")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<RegisterLimitAttribute>() is { } limit)
            return limit.Isa;
        return benchmarkCase.Descriptor.WorkloadMethod.Name switch
        {
            "KernelGen" => Rows.KernelGenPath(summary, benchmarkCase) ?? "?",
            "KernelGenParallel" => (Rows.KernelGenPath(summary, benchmarkCase) ?? "?") + $" x{Environment.ProcessorCount} threads",
            "OnnxRuntime" => "ORT " + OrtDense.Version,
            "OnnxRuntimeNhwc" => "ORT " + OrtDense.Version + " NHWC",
            "TensorPrimitivesFp32" => Vector512.IsHardwareAccelerated ? "fp32 Vector512" : "fp32 Vector256",
            _ => "",
        };
    }
}

/// <summary>The weights of the model: their range and what the AVX2 / AVX-512BW kernels do with them.</summary>
public sealed class WeightsColumn() : SuiteColumn("Weights", ColumnCategory.Job, 11, false,
    "Weight range; (exact): vpmaddubsw could saturate, AVX2/AVX-512BW widen to int16; (proof): vpmaddubsw proven exact; (int32): depthwise, int32 lanes")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<RegisterLimitAttribute>() is { } limit)
            return limit.Sequence;
        if (ModelFacts.Of(benchmarkCase.Descriptor.Type) is not { } facts)
            return "";
        // ONNX Runtime and fp32 get the same weights; what the AVX2 / AVX-512BW kernels do with them is KernelGen's.
        return Rows.IsKernelGen(benchmarkCase) ? facts.WeightsLabel : $"±{facts.MaxAbsWeight}";
    }
}

/// <summary>Int8 multiply-adds per second: MACs per call / mean time.</summary>
public sealed class GmacColumn() : SuiteColumn("GMAC/s", ColumnCategory.Custom, 0, true,
    "Billions of int8 multiply-adds per second: MACs per call (Dense M*K*N per layer; conv OH*OW*O*kH*kW*C/group per image; summed over layers) / Mean")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        => Rows.Gmacs(summary, benchmarkCase) is double g ? Rows.Format(g, g >= 10 ? "F1" : "F2") : "-";
}

/// <summary>
/// A peer's time / this row's time, the peer being the native job's row of the same category and Batch
/// (for "vs ORT" the faster of the two ONNX Runtime rows where a conv model has two). > 1: this row is faster.
/// </summary>
public sealed class PeerRatioColumn(string name, params string[] methods) : SuiteColumn(name, ColumnCategory.Custom, name.Contains("ORT") ? 1 : 2, true,
    $"{string.Join(" or ", methods)} time (native job, same shape and batch) / this row's time: > 1 means faster than that peer")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<RegisterLimitAttribute>() is not null)
            return "-";
        return Rows.Peer(summary, benchmarkCase, methods)?.ResultStatistics?.Mean is double peer && Rows.Mean(summary, benchmarkCase) is double mean
            ? Rows.Format(peer / mean, "F2")
            : "-";
    }
}

/// <summary>
/// This row's GMAC/s as a share of the register-only limit of the multiply-add sequence its path and weights use.
/// </summary>
public sealed class LimitColumn() : SuiteColumn("% of limit", ColumnCategory.Custom, 3, true,
    "GMAC/s / the GMAC/s of the register-only loop of the sequence this row's path uses (RegisterLimitBenchmarks; mapping in LimitColumn)")
{
    /// <summary>
    /// The RegisterLimitBenchmarks method a KernelGen row is held to:
    /// <code>
    /// path       u8 x s8 dot products (Dense, Conv2D)               depthwise (int32 lanes)
    ///            weights (proof)        weights (exact)
    /// Avx2       Avx2_Maddubs           Avx2_Int16                  Avx2_Int32Mullo
    /// AvxVnni    AvxVnni_Dpbusd         AvxVnni_Dpbusd              Avx2_Int32Mullo
    /// Avx512BW   Avx512BW_Maddubs       Avx512BW_Int16              Avx512F_Int32Mullo
    /// Scalar     none
    /// </code>
    /// The exact path is held to vpmaddwd + vpaddd on int16 operands, not to the widening sequence: the generator may
    /// widen the weights at build time, and the row then shows what widening the activations at run time costs.
    /// </summary>
    internal static string? LimitFor(string path, ModelFacts facts) => (path, facts.Kind, facts.ProofAccepted) switch
    {
        ("Avx2", MacKind.DotProduct, true) => nameof(RegisterLimitBenchmarks.Avx2_Maddubs),
        ("Avx2", MacKind.DotProduct, false) => nameof(RegisterLimitBenchmarks.Avx2_Int16),
        ("Avx2" or "AvxVnni", MacKind.Int32Lanes, _) => nameof(RegisterLimitBenchmarks.Avx2_Int32Mullo),
        ("AvxVnni", MacKind.DotProduct, _) => nameof(RegisterLimitBenchmarks.AvxVnni_Dpbusd),
        ("Avx512BW", MacKind.DotProduct, true) => nameof(RegisterLimitBenchmarks.Avx512BW_Maddubs),
        ("Avx512BW", MacKind.DotProduct, false) => nameof(RegisterLimitBenchmarks.Avx512BW_Int16),
        ("Avx512BW", MacKind.Int32Lanes, _) => nameof(RegisterLimitBenchmarks.Avx512F_Int32Mullo),
        _ => null,
    };

    /// <summary>Whether this CPU runs a limit's instruction set (in the host process, which sets no knobs).</summary>
    public static bool Supported(string isa) => isa switch
    {
        "Avx2" => Avx2.IsSupported,
        "AvxVnni" => AvxVnni.IsSupported,
        "Avx512BW" => Avx512BW.IsSupported,
        _ => false,
    };

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (!Rows.IsKernelGen(benchmarkCase) || ModelFacts.Of(benchmarkCase.Descriptor.Type) is not { } facts)
            return "-";
        string? path = Rows.PrintedPath(summary, benchmarkCase)
            ?? (PathJobs.ExpectedPath.TryGetValue(benchmarkCase.Job.Id, out string? expected) ? expected : null);
        if (path is null || LimitFor(path, facts) is not { } method)
            return "-";
        BenchmarkReport? limit = summary.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Type == typeof(RegisterLimitBenchmarks)
            && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method);
        return limit is not null && Rows.Gmacs(summary, limit.BenchmarkCase) is double ceiling && Rows.Gmacs(summary, benchmarkCase) is double gmacs
            ? Rows.Format(100 * gmacs / ceiling, "F0") + " %"
            : "-";
    }
}

/// <summary>
/// Rows by shape (the categories in <see cref="Categories"/> order), then batch; in each shape-and-batch group ONNX
/// Runtime, fp32, then KernelGen (full-range weights before the proof-accepted twin, the native job before the others);
/// a blank row between groups. The limit rows come last, in declaration order.
/// </summary>
public sealed class SuiteOrderer : IOrderer
{
    public static readonly string[] Categories =
    [
        "Dense 64x32", "Dense 256x256", "Dense 1024x1024", "MLP 64-32-10", "Conv 3x3 32->32 @56x56", "Depthwise 3x3 @112x112x32",
        "CNN digits 8x8", "Register-only limit",
    ];

    private static readonly string[] Methods = ["OnnxRuntime", "OnnxRuntimeNhwc", "TensorPrimitivesFp32", "KernelGen", "KernelGenParallel"];

    private static (int Category, string Name, int Batch, int Method, int Weights, int Job, string JobId) Key(BenchmarkCase c)
    {
        string category = string.Join(",", c.Descriptor.Categories);
        int rank = Array.IndexOf(Categories, category);
        int method = Array.IndexOf(Methods, c.Descriptor.WorkloadMethod.Name);
        return (rank < 0 ? Categories.Length : rank, category, c.Parameters["Batch"] as int? ?? 0,
            method < 0 ? Methods.Length + c.Descriptor.WorkloadMethod.MetadataToken : method,
            ModelFacts.Of(c.Descriptor.Type)?.PeerRows == false ? 1 : 0, PathJobs.IsNative(c.Job) ? 0 : 1, c.Job.Id);
    }

    private static IEnumerable<BenchmarkCase> Sorted(IEnumerable<BenchmarkCase> cases) => cases.OrderBy(Key);

    public IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarksCase, IEnumerable<BenchmarkLogicalGroupRule>? order = null)
        => Sorted(benchmarksCase);

    public IEnumerable<BenchmarkCase> GetSummaryOrder(ImmutableArray<BenchmarkCase> benchmarksCases, Summary summary) => Sorted(benchmarksCases);

    public string? GetHighlightGroupKey(BenchmarkCase benchmarkCase) => null;

    public string? GetLogicalGroupKey(ImmutableArray<BenchmarkCase> allBenchmarksCases, BenchmarkCase benchmarkCase)
        => string.Join(",", benchmarkCase.Descriptor.Categories) + "|" + benchmarkCase.Parameters.ValueInfo;

    public IEnumerable<IGrouping<string, BenchmarkCase>> GetLogicalGroupOrder(IEnumerable<IGrouping<string, BenchmarkCase>> logicalGroups,
        IEnumerable<BenchmarkLogicalGroupRule>? order = null)
        => logicalGroups.OrderBy(g => Key(Sorted(g).First()));

    public bool SeparateLogicalGroups => true;
}
