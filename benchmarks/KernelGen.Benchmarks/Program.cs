using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace KernelGen.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project benchmarks/KernelGen.Benchmarks -- --filter '*' --job short
    //
    // Every BenchmarkDotNet option works, with three taken over here because the suite makes one job per KernelGen
    // path (PathJobs):
    //   --job <default|dry|short|medium|long|verylong>   the preset each path job copies (BenchmarkDotNet's own --job
    //                                                     would add a plain job beside them and run everything twice)
    //   --envVars KEY:VALUE ...                          added to every path job (BenchmarkDotNet's would replace the
    //                                                     jobs' knobs)
    //   --paths <auto|none|Path,Path,...>                 which forced-path jobs to add to the native one: auto (default)
    //                                                     every path this CPU has, none, or a list (Avx2, AvxVnni,
    //                                                     Avx512BW, Scalar)
    public static void Main(string[] args)
    {
        var rest = new List<string>();
        Job baseJob = Job.Default;
        List<string>? paths = null;
        var variables = new List<EnvironmentVariable>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? inline = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            switch (arg)
            {
                case "--job" or "-j":
                    baseJob = Preset(inline ?? Next(args, ref i, arg));
                    break;
                case "--paths":
                    string list = inline ?? Next(args, ref i, arg);
                    paths = list.Equals("auto", StringComparison.OrdinalIgnoreCase) ? null
                        : list.Equals("none", StringComparison.OrdinalIgnoreCase) ? []
                        : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
                    break;
                case "--envVars" or "--envvars":
                    if (inline is not null)
                        variables.Add(Variable(inline));
                    while (i + 1 < args.Length && !args[i + 1].StartsWith('-'))
                        variables.Add(Variable(args[++i]));
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        Job[] jobs = PathJobs.Create(baseJob, paths, variables);
        Console.WriteLine($"// KernelGen paths: native = {PathJobs.NativePath}; jobs: " +
            string.Join(", ", jobs.Select(j => $"{j.Id} ({PathJobs.ExpectedPath[j.Id]}" +
                string.Concat(j.Environment.EnvironmentVariables?.Select(v => $", {v.Key}={v.Value}") ?? []) + ")")));
        IConfig config = ManualConfig.Create(DefaultConfig.Instance).AddJob(jobs);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), config);
    }

    private static string Next(string[] args, ref int i, string option)
        => ++i < args.Length ? args[i] : throw new ArgumentException($"{option} needs a value.");

    private static Job Preset(string name) => name.ToLowerInvariant() switch
    {
        "default" => Job.Default,
        "dry" => Job.Dry,
        "short" => Job.ShortRun,
        "medium" => Job.MediumRun,
        "long" => Job.LongRun,
        "verylong" => Job.VeryLongRun,
        _ => throw new ArgumentException($"--job {name}: expected default, dry, short, medium, long or verylong."),
    };

    private static EnvironmentVariable Variable(string text)
    {
        string[] parts = text.Split(':', 2);
        return parts.Length == 2 ? new EnvironmentVariable(parts[0], parts[1]) : throw new ArgumentException($"--envVars {text}: expected KEY:VALUE.");
    }
}
