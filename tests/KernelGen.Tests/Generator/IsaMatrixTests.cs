using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using System.Text.RegularExpressions;

namespace KernelGen.Tests.Generator;

/// <summary>
/// Every instruction-set path executed natively: the ISA harness (fixed models compiled through the real analyzer) runs
/// in child processes under DOTNET_EnableAVXVNNI=0, DOTNET_EnableAVX512=0 (each and both), DOTNET_EnableAVX2=0 and
/// DOTNET_EnableHWIntrinsic=0. Each run must match RunReference, take the path its knobs leave, and produce the same
/// output bytes as every other run.
/// </summary>
public sealed class IsaMatrixTests
{
    private static readonly string[] Knobs = { "DOTNET_EnableAVXVNNI", "DOTNET_EnableAVX512", "DOTNET_EnableAVX2", "DOTNET_EnableHWIntrinsic", "DOTNET_EnableAVX512F" };

    [Fact]
    public void EveryPath_MatchesTheReferenceAndTheOthers()
    {
        // The test process's own view of the hardware; meaningless if it already runs under a knob.
        bool restricted = Knobs.Any(k => Environment.GetEnvironmentVariable(k) is not null);
        KernelPath avx2 = Avx2.IsSupported ? KernelPath.Avx2 : KernelPath.Scalar;
        KernelPath avx512 = Avx512BW.IsSupported ? KernelPath.Avx512BW : avx2;
        KernelPath native = AvxVnni.IsSupported ? KernelPath.AvxVnni : avx512;

        var runs = new (string Knob, KernelPath Expected)[]
        {
            ("", native),
            ("DOTNET_EnableAVXVNNI=0", avx512),
            ("DOTNET_EnableAVX512=0", AvxVnni.IsSupported ? KernelPath.AvxVnni : avx2),
            ("DOTNET_EnableAVXVNNI=0;DOTNET_EnableAVX512=0", avx2),
            ("DOTNET_EnableAVX2=0", KernelPath.Scalar),
            ("DOTNET_EnableHWIntrinsic=0", KernelPath.Scalar),
        };

        var hashes = new HashSet<string>();
        var paths = new HashSet<string>();
        foreach ((string knob, KernelPath expected) in runs)
        {
            (int exitCode, string output) = RunHarness(knob);
            Match line = Regex.Match(output, @"path=(\w+) mismatches=(\d+) hash=([0-9A-F]+)");
            Assert.True(line.Success, $"[{knob}] unexpected harness output:\n{output}");
            Assert.True(exitCode == 0 && line.Groups[2].Value == "0", $"[{knob}] Run differs from RunReference:\n{output}");
            if (!restricted)
                Assert.Equal(expected.ToString(), line.Groups[1].Value);
            paths.Add(line.Groups[1].Value);
            hashes.Add(line.Groups[3].Value);
        }

        Assert.Single(hashes);
        Assert.Contains("Scalar", paths);
        if (!restricted && Avx2.IsSupported)
            Assert.Contains("Avx2", paths);
        if (!restricted && Avx512BW.IsSupported)
            Assert.Contains("Avx512BW", paths);
    }

    private static (int ExitCode, string Output) RunHarness(string knob)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(HarnessPath());
        foreach (string k in Knobs)
            start.Environment.Remove(k);
        foreach (string setting in knob.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = setting.Split('=');
            start.Environment[parts[0]] = parts[1];
        }
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"[{knob}] the harness did not finish in 2 minutes");
        }
        return (process.ExitCode, output);
    }

    /// <summary>tests/KernelGen.IsaHarness/bin/{Configuration}/net10.0/KernelGen.IsaHarness.dll, built with this project.</summary>
    private static string HarnessPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = here.Name, configuration = here.Parent!.Name;
        DirectoryInfo tests = here.Parent.Parent!.Parent!.Parent!;
        string path = Path.Combine(tests.FullName, "KernelGen.IsaHarness", "bin", configuration, framework, "KernelGen.IsaHarness.dll");
        Assert.True(File.Exists(path), $"ISA harness not built at {path}");
        return path;
    }
}
