using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Jobs;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>
/// One BenchmarkDotNet job per KernelGen path this machine has. Each job runs its benchmark processes with the
/// runtime's instruction-set knobs (read at process start) set so that the generated <c>ActivePath</c> lands on that
/// path:
///
/// <code>
/// job        environment (only the knobs this CPU needs)                    path it forces
/// Native     none                                                             whatever ActivePath picks here (the host's own ActivePath)
/// Avx512BW   DOTNET_EnableAVXVNNI=0                                           Avx512BW  (CPU has AVX-512BW)
/// AvxVnni    DOTNET_EnableAVX512=0                                            AvxVnni   (CPU has AVX-VNNI)
/// Avx2       DOTNET_EnableAVX512=0, DOTNET_EnableAVXVNNI=0                    Avx2      (CPU has AVX2)
/// Scalar     DOTNET_EnableAVX2=0                                              Scalar    (only with --paths Scalar)
/// </code>
///
/// A job is made for a path only when the runtime's <see cref="KernelPath"/> enum names it (so the Avx512BW job appears
/// once the generator has that path), the CPU supports it, and it is not the native job's path already. On a Zen 4
/// (AVX-512, no AVX-VNNI) that is Native (Avx512BW once it exists, Avx2 before) and Avx2; on a Zen 5 or an Intel CPU
/// with AVX-VNNI and AVX-512 it is Native plus the other two of Avx512BW / AvxVnni / Avx2.
///
/// The knobs only make IsSupported report false; the table's Path column shows the ActivePath each benchmark process
/// printed from its [GlobalSetup] (see <see cref="PathColumn"/>), so a knob that did not do what this table says shows.
/// </summary>
internal static class PathJobs
{
    public const string NativeId = "Native";

    /// <summary>The knobs of each forced path, given which instruction sets this CPU has.</summary>
    private static EnvironmentVariable[] KnobsFor(string path) => path switch
    {
        "Avx512BW" => Knobs(("DOTNET_EnableAVXVNNI", AvxVnni.IsSupported)),
        "AvxVnni" => Knobs(("DOTNET_EnableAVX512", Avx512F.IsSupported)),
        "Avx2" => Knobs(("DOTNET_EnableAVX512", Avx512F.IsSupported), ("DOTNET_EnableAVXVNNI", AvxVnni.IsSupported)),
        "Scalar" => Knobs(("DOTNET_EnableAVX2", Avx2.IsSupported)),
        _ => throw new ArgumentException($"Unknown KernelGen path '{path}'. Known: {string.Join(", ", Enum.GetNames<KernelPath>())}."),
    };

    private static EnvironmentVariable[] Knobs(params (string Name, bool Needed)[] knobs)
        => knobs.Where(k => k.Needed).Select(k => new EnvironmentVariable(k.Name, "0")).ToArray();

    /// <summary>Whether this CPU (as this process sees it) can run the path.</summary>
    private static bool Supported(string path) => path switch
    {
        "Avx512BW" => Avx512BW.IsSupported,
        "AvxVnni" => AvxVnni.IsSupported,
        "Avx2" => Avx2.IsSupported,
        "Scalar" => true,
        _ => false,
    };

    /// <summary>The path the generated models take in this (host) process: the native job's path.</summary>
    public static string NativePath => ModelInfo.ActivePathOf(typeof(Dense64x32)).ToString();

    /// <summary>The path each job id is meant to run (the Path column's fallback when a process printed none).</summary>
    public static Dictionary<string, string> ExpectedPath { get; } = new();

    /// <summary>
    /// The jobs for this machine, each a copy of <paramref name="baseJob"/> (the --job preset) with its knobs added to
    /// <paramref name="extraVariables"/> (from --envVars). <paramref name="paths"/>: null for every path this machine
    /// has; otherwise the paths to add to the native job ("Scalar" is only made when asked for).
    /// </summary>
    public static Job[] Create(Job baseJob, IReadOnlyList<string>? paths, IReadOnlyList<EnvironmentVariable> extraVariables)
    {
        string native = NativePath;
        IEnumerable<string> candidates = paths ?? Enum.GetNames<KernelPath>().Where(p => p != "Scalar");
        var jobs = new List<Job> { Make(baseJob, NativeId, native, [], extraVariables) };
        foreach (string path in candidates.Distinct())
        {
            if (!Enum.GetNames<KernelPath>().Contains(path))
            {
                if (paths is not null)
                    throw new ArgumentException($"--paths: '{path}' is not a KernelPath here. Known: {string.Join(", ", Enum.GetNames<KernelPath>())}.");
                continue;
            }
            if (path == native || !Supported(path))
            {
                if (paths is not null)
                    Console.WriteLine($"// KernelGen paths: no job for {path}: " + (path == native ? "it is the native path" : "this CPU does not support it"));
                continue;
            }
            jobs.Add(Make(baseJob, path, path, KnobsFor(path), extraVariables));
        }
        return jobs.ToArray();
    }

    private static Job Make(Job baseJob, string id, string path, EnvironmentVariable[] knobs, IReadOnlyList<EnvironmentVariable> extra)
    {
        ExpectedPath[id] = path;
        EnvironmentVariable[] variables = extra.Concat(knobs).ToArray();
        Job job = baseJob.WithId(id);
        return variables.Length == 0 ? job : job.WithEnvironmentVariables(variables);
    }

    /// <summary>
    /// The native job: the one that sets no DOTNET_Enable* knob. ONNX Runtime, fp32 and the register-only limits run
    /// only there (they do not depend on KernelGen's path), and the ratio columns of every job use its numbers.
    /// </summary>
    public static bool IsNative(Job job)
        => job.Environment.EnvironmentVariables?.Any(v => v.Key.StartsWith("DOTNET_Enable", StringComparison.Ordinal)) != true;
}
