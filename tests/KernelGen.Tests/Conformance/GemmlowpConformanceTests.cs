using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using System.Threading.Tasks;
using KernelGen.Quantization;
using KernelGen.Simd;
using KernelGen.Tests.Infrastructure;
using KernelGen.Tests.Runtime;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// Compiles <c>gemmlowp_oracle.cpp</c> (beside this file) against gemmlowp's real fixedpoint header with g++, once per
/// test class, in a temporary directory.
/// </summary>
public sealed class GemmlowpOracle : IDisposable
{
    public const string Header = "/usr/include/gemmlowp/fixedpoint/fixedpoint.h";
    private const string SourceName = "gemmlowp_oracle.cpp";

    private readonly string _directory;

    public GemmlowpOracle()
    {
        _directory = Path.Combine(Path.GetTempPath(), "kernelgen-gemmlowp-" + Guid.NewGuid().ToString("N"));
        try
        {
            Error = Prepare();
        }
        catch (Exception e)
        {
            Error = "Could not build the gemmlowp oracle: " + e;
        }
    }

    /// <summary>Why the oracle could not be built although its inputs are installed (always a failure), or null.</summary>
    public string? Error { get; }

    /// <summary>Which Debian package is not installed, or null (see <see cref="ExternalOracle"/>).</summary>
    public string? Missing { get; private set; }

    /// <summary>Skips (outside CI) or fails when the oracle is not available.</summary>
    public void Require()
    {
        ExternalOracle.Require(Missing);
        Assert.True(Error is null, Error);
    }

    public string? Executable { get; private set; }

    private string? Prepare()
    {
        string? compiler = FindOnPath("g++");
        var missing = new List<string>();
        if (!File.Exists(Header))
            missing.Add($"gemmlowp's fixedpoint header {Header} (Debian package libgemmlowp-dev)");
        if (compiler is null)
            missing.Add("the C++ compiler g++ (Debian package g++)");
        if (missing.Count > 0)
        {
            Missing = $"Missing {string.Join(" and ", missing)}. Run: apt-get update && apt-get install -y libgemmlowp-dev g++.";
            return null;
        }

        string source = FindSource()
            ?? throw new FileNotFoundException($"{SourceName} not found beside GemmlowpConformanceTests.cs or under the repository's tests/KernelGen.Tests/Conformance.");
        Directory.CreateDirectory(_directory);
        string executable = Path.Combine(_directory, "gemmlowp_oracle");
        (int code, string output, string errors) = Run(compiler!, new[] { "-std=c++17", "-O1", "-fwrapv", "-o", executable, source }, input: null);
        if (code != 0)
            return $"g++ failed to compile {source} (exit {code}):\n{output}\n{errors}";
        Executable = executable;
        return null;
    }

    /// <summary>Runs the oracle on the commands (one per line) and returns one result per command.</summary>
    public int[] Evaluate(IReadOnlyList<string> commands)
    {
        Require();
        var input = new StringBuilder();
        foreach (string command in commands)
            input.Append(command).Append('\n');
        (int code, string output, string errors) = Run(Executable!, Array.Empty<string>(), input.ToString());
        Assert.True(code == 0, $"gemmlowp oracle exited with {code}: {errors}");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(commands.Count, lines.Length);
        var results = new int[lines.Length];
        for (int i = 0; i < lines.Length; i++)
            results[i] = int.Parse(lines[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return results;
    }

    private static (int Code, string Output, string Errors) Run(string file, IEnumerable<string> arguments, string? input)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (input is not null)
            process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} did not finish within 60 s.");
        }
        return (process.ExitCode, output.Result, errors.Result);
    }

    private static string? FindOnPath(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    private static string? FindSource([CallerFilePath] string thisFile = "")
    {
        string? beside = string.IsNullOrEmpty(thisFile) ? null : Path.Combine(Path.GetDirectoryName(thisFile) ?? "", SourceName);
        if (beside is not null && File.Exists(beside))
            return beside;
        // The compile-time path may be mapped (deterministic CI builds): walk up from the test assembly instead.
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "KernelGen.Tests", "Conformance", SourceName);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(_directory))
                Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// FixedPoint and FixedPoint256 against gemmlowp's own C++ (fixedpoint.h from libgemmlowp-dev), and TFLite's
/// MultiplyByQuantizedMultiplier composed from it, on random and edge inputs. A missing header or g++ skips the tests
/// with the install command outside CI and fails them under CI=true.
/// </summary>
public sealed class GemmlowpConformanceTests : IClassFixture<GemmlowpOracle>
{
    private readonly GemmlowpOracle _oracle;

    public GemmlowpConformanceTests(GemmlowpOracle oracle) => _oracle = oracle;

    private static List<int> EdgeValues()
    {
        var values = new List<int> { int.MinValue, int.MinValue + 1, int.MaxValue, int.MaxValue - 1, 0, 1, -1, 2, -2, 3, -3, 5, -5 };
        for (int k = 2; k <= 30; k += 2)
        {
            int p = 1 << k;
            values.AddRange(new[] { p, p - 1, p + 1, -p, -p + 1, -p - 1, p + (p >> 1), -(p + (p >> 1)) });
        }
        values.Add(1 << 30);
        values.Add(-(1 << 30));
        values.Add(1518500250);
        return values;
    }

    private static int RandomInt(Random random) => (random.Next(4)) switch
    {
        0 => random.Next(int.MinValue, int.MaxValue) ^ (random.Next(2) << 31),
        1 => random.Next(-100000, 100001),
        2 => (int)((1L << random.Next(31)) + random.Next(-2, 3)) * (random.Next(2) == 0 ? 1 : -1),
        _ => random.Next(int.MinValue, int.MaxValue),
    };

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);

    [SkippableFact]
    public void SaturatingRoundingDoublingHighMul_MatchesGemmlowp()
    {
        var random = new Random(31);
        List<int> edges = EdgeValues();
        var pairs = new List<(int A, int B)>();
        foreach (int a in edges)
            foreach (int b in edges)
                pairs.Add((a, b));
        for (int i = 0; i < 4000; i++)
            pairs.Add((RandomInt(random), RandomInt(random)));
        for (int i = 0; i < 1000; i++)
            pairs.Add((RandomInt(random), random.Next(1 << 30, int.MaxValue)));   // Q31 multipliers as used

        var commands = pairs.ConvertAll(p => Invariant($"S {p.A} {p.B}"));
        int[] expected = _oracle.Evaluate(commands);
        for (int i = 0; i < pairs.Count; i++)
        {
            int actual = FixedPoint.SaturatingRoundingDoublingHighMul(pairs[i].A, pairs[i].B);
            if (actual != expected[i])
                Assert.Fail($"SaturatingRoundingDoublingHighMul({pairs[i].A}, {pairs[i].B}): KernelGen {actual}, gemmlowp {expected[i]}");
        }

        if (Avx2.IsSupported)
        {
            Span<int> a = stackalloc int[8], b = stackalloc int[8];
            for (int i = 0; i + 8 <= pairs.Count; i += 8)
            {
                for (int lane = 0; lane < 8; lane++)
                    (a[lane], b[lane]) = pairs[i + lane];
                Vector256<int> vector = FixedPoint256.SaturatingRoundingDoublingHighMul(Vector256.Create<int>(a), Vector256.Create<int>(b));
                for (int lane = 0; lane < 8; lane++)
                {
                    if (vector.GetElement(lane) != expected[i + lane])
                        Assert.Fail($"FixedPoint256.SaturatingRoundingDoublingHighMul({a[lane]}, {b[lane]}) lane {lane}: {vector.GetElement(lane)}, gemmlowp {expected[i + lane]}");
                }
            }
        }
        Assert.True(pairs.Count > 5000);
    }

    [SkippableFact]
    public void RoundingDivideByPOT_MatchesGemmlowpForEveryExponent()
    {
        var random = new Random(32);
        List<int> edges = EdgeValues();
        var cases = new List<(int X, int Exponent)>();
        for (int exponent = 0; exponent <= 31; exponent++)
        {
            // Whole vectors of one exponent, for the uniform overload.
            foreach (int x in edges)
                cases.Add((x, exponent));
            while (cases.Count % 8 != 0)
                cases.Add((RandomInt(random), exponent));
            for (int i = 0; i < 64; i++)
                cases.Add((RandomInt(random), exponent));
        }

        var commands = cases.ConvertAll(c => Invariant($"R {c.X} {c.Exponent}"));
        int[] expected = _oracle.Evaluate(commands);
        for (int i = 0; i < cases.Count; i++)
        {
            int actual = FixedPoint.RoundingDivideByPOT(cases[i].X, cases[i].Exponent);
            if (actual != expected[i])
                Assert.Fail($"RoundingDivideByPOT({cases[i].X}, {cases[i].Exponent}): KernelGen {actual}, gemmlowp {expected[i]}");
        }

        if (Avx2.IsSupported)
        {
            Span<int> x = stackalloc int[8], e = stackalloc int[8];
            for (int i = 0; i + 8 <= cases.Count; i += 8)
            {
                for (int lane = 0; lane < 8; lane++)
                    (x[lane], e[lane]) = cases[i + lane];
                Vector256<int> values = Vector256.Create<int>(x);
                Vector256<int> perLane = FixedPoint256.RoundingDivideByPOT(values, Vector256.Create<int>(e));
                Vector256<int> uniform = FixedPointTests.DivideConstant(values, e[0]);   // all eight lanes share e[0]
                for (int lane = 0; lane < 8; lane++)
                {
                    if (perLane.GetElement(lane) != expected[i + lane])
                        Assert.Fail($"FixedPoint256.RoundingDivideByPOT({x[lane]}, per-lane {e[lane]}): {perLane.GetElement(lane)}, gemmlowp {expected[i + lane]}");
                    if (uniform.GetElement(lane) != expected[i + lane])
                        Assert.Fail($"FixedPoint256.RoundingDivideByPOT({x[lane]}, uniform {e[lane]}): {uniform.GetElement(lane)}, gemmlowp {expected[i + lane]}");
                }
            }
        }
        Assert.True(cases.Count > 32 * 100);
    }

    [SkippableFact]
    public void RoundingDivideByPOT_MixedPerLaneExponentsMatchGemmlowp()
    {
        if (!Avx2.IsSupported && _oracle.Error is null && _oracle.Missing is null)
            return;
        var random = new Random(33);
        var cases = new List<(int X, int Exponent)>();
        for (int i = 0; i < 4000; i++)
            cases.Add((RandomInt(random), random.Next(32)));
        int[] expected = _oracle.Evaluate(cases.ConvertAll(c => Invariant($"R {c.X} {c.Exponent}")));
        Span<int> x = stackalloc int[8], e = stackalloc int[8];
        for (int i = 0; i < cases.Count; i += 8)
        {
            for (int lane = 0; lane < 8; lane++)
                (x[lane], e[lane]) = cases[i + lane];
            Vector256<int> perLane = FixedPoint256.RoundingDivideByPOT(Vector256.Create<int>(x), Vector256.Create<int>(e));
            for (int lane = 0; lane < 8; lane++)
            {
                if (perLane.GetElement(lane) != expected[i + lane])
                    Assert.Fail($"FixedPoint256.RoundingDivideByPOT({x[lane]}, {e[lane]}) lane {lane}: {perLane.GetElement(lane)}, gemmlowp {expected[i + lane]}");
            }
        }
    }

    [SkippableFact]
    public void MultiplyByQuantizedMultiplier_MatchesTfLiteComposedFromGemmlowp()
    {
        var random = new Random(34);
        List<int> edges = EdgeValues();
        var cases = new List<(int X, int M, int Shift)>();
        // Every shift TFLite can produce, with edge multipliers and edge accumulators.
        int[] multipliers = { 0, 1 << 30, (1 << 30) + 1, 1518500250, 3 << 29, int.MaxValue - 1, int.MaxValue };
        for (int shift = -31; shift <= 31; shift++)
        {
            foreach (int m in multipliers)
            {
                foreach (int x in edges)
                {
                    if (random.Next(4) == 0)
                        cases.Add((x, m, shift));
                }
            }
        }
        // Random accumulators with multipliers and shifts from QuantizeMultiplier of random real multipliers.
        for (int i = 0; i < 4000; i++)
        {
            double real = Math.Pow(2, random.NextDouble() * 50 - 40);
            QuantizationMath.QuantizeMultiplier(real, out int m, out int shift);
            cases.Add((RandomInt(random), m, shift));
        }

        int[] expected = _oracle.Evaluate(cases.ConvertAll(c => Invariant($"M {c.X} {c.M} {c.Shift}")));
        for (int i = 0; i < cases.Count; i++)
        {
            (int x, int m, int shift) = cases[i];
            int actual = FixedPoint.MultiplyByQuantizedMultiplier(x, m, shift);
            if (actual != expected[i])
                Assert.Fail($"MultiplyByQuantizedMultiplier({x}, {m}, {shift}): KernelGen {actual}, TFLite/gemmlowp {expected[i]}");
        }
        Assert.True(cases.Count > 8000);
    }
}
