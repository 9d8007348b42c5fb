using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace KernelGen.Benchmarks;

/// <summary>
/// Adds the Path column and joins the benchmark classes into one summary table. The job comes from the command line
/// (e.g. --job short); without one, BenchmarkDotNet's default job runs.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddColumn(new PathColumn());
        WithOptions(ConfigOptions.JoinSummary);
        // BenchmarkDotNet rebuilds the project; the generator folding the conv models' weights makes that build longer
        // than the default 120 s on a busy 2-core machine.
        WithBuildTimeout(TimeSpan.FromMinutes(10));
    }
}

/// <summary>
/// Which code ran: for KernelGen rows the generated model's ActivePath, for ONNX Runtime its version, for fp32 the
/// widest vector TensorPrimitives uses. Evaluated in the host process; each benchmark process also prints its own
/// ActivePath from [GlobalSetup] (in the log), which is the one to trust when a job changes DOTNET_Enable* variables.
/// </summary>
public sealed class PathColumn : IColumn
{
    public string Id => nameof(PathColumn);
    public string ColumnName => "Path";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Job;
    public int PriorityInCategory => 0;
    public bool IsNumeric => false;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Code path: KernelGen ActivePath / ONNX Runtime version (MLAS CPU EP) / fp32 vector width";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        bool pinned = benchmarkCase.Job.Environment.EnvironmentVariables?.Any(v => v.Key.StartsWith("DOTNET_Enable")) == true;
        switch (benchmarkCase.Descriptor.WorkloadMethod.Name)
        {
            case "KernelGen":
                if (pinned)
                    return "see log";
                var model = (KernelGenModelAttribute?)System.Attribute.GetCustomAttribute(benchmarkCase.Descriptor.Type, typeof(KernelGenModelAttribute));
                return model is null ? "?" : ModelInfo.ActivePathOf(model.Model).ToString();
            case "OnnxRuntime":
                return "ORT " + OrtDense.Version;
            case "OnnxRuntimeNhwc":
                return "ORT " + OrtDense.Version + " NHWC";
            case "TensorPrimitivesFp32":
                return pinned ? "see log" : Vector512.IsHardwareAccelerated ? "fp32 Vector512" : "fp32 Vector256";
            default:
                return "";
        }
    }

    public override string ToString() => ColumnName;
}
