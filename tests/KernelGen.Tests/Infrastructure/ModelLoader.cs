using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Tests.Infrastructure;

/// <summary>Which kernel path a compiled test model is pinned to.</summary>
public enum PinnedPath
{
    /// <summary>The generated code as a user gets it: the path this process's CPU and DOTNET_ knobs select.</summary>
    Native,

    /// <summary>The AvxVnni path, its vpdpbusd calls bound to <see cref="EmulatedAvxVnni"/> (needs AVX2 for the rest).</summary>
    EmulatedVnni,

    /// <summary>AvxVnni.IsSupported replaced by false: the AVX-512BW path (needs AVX-512BW).</summary>
    Avx512BW,

    /// <summary>AvxVnni and Avx512BW.IsSupported replaced by false: the AVX2 path (needs AVX2).</summary>
    Avx2,

    /// <summary>Every IsSupported check replaced by false: the runtime's scalar fallback.</summary>
    Scalar,
}

/// <summary>Compiles generated sources (optionally rewritten to pin a path) and loads them into a collectible context.</summary>
public static class ModelLoader
{
    /// <summary>Every pinned path, for theories: each test runs on each path this machine can execute.</summary>
    public static readonly PinnedPath[] Paths = Enum.GetValues<PinnedPath>();

    public static TheoryData<PinnedPath> PathData() => new(Paths);

    public static bool CanRun(PinnedPath path) => path switch
    {
        PinnedPath.EmulatedVnni or PinnedPath.Avx2 => Avx2.IsSupported,
        PinnedPath.Avx512BW => Avx512BW.IsSupported,
        _ => true,
    };

    /// <summary>The generated dispatch conditions, in the generator's dispatch order (IsaPath.All without Scalar).</summary>
    private static readonly string[] Conditions =
    {
        "global::System.Runtime.Intrinsics.X86.AvxVnni.IsSupported",
        "global::System.Runtime.Intrinsics.X86.Avx512BW.IsSupported",
        "global::System.Runtime.Intrinsics.X86.Avx2.IsSupported",
    };

    /// <summary>Rewrites generated source so its dispatch takes <paramref name="path"/>: every condition before the path's
    /// own becomes false.</summary>
    public static string Pin(string generated, PinnedPath path) => path switch
    {
        PinnedPath.Native => generated,
        PinnedPath.EmulatedVnni => generated.Replace("global::System.Runtime.Intrinsics.X86.AvxVnni.", "global::KernelGen.Tests.Infrastructure.EmulatedAvxVnni."),
        PinnedPath.Avx512BW => Disable(generated, 1),
        PinnedPath.Avx2 => Disable(generated, 2),
        PinnedPath.Scalar => Disable(generated, 3),
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    private static string Disable(string generated, int count)
    {
        for (int i = 0; i < count; i++)
            generated = generated.Replace(Conditions[i], "false");
        return generated;
    }

    /// <summary>Compiles the user sources plus the pinned generated files and loads the assembly.</summary>
    public static Assembly Load(GeneratorRun run, string[] userSources, PinnedPath path)
    {
        var compilation = GeneratorHarness.Compilation(userSources)
            .AddReferences(MetadataReference.CreateFromFile(typeof(ModelLoader).Assembly.Location))
            .AddSyntaxTrees(run.Files.Select(f => CSharpSyntaxTree.ParseText(Pin(f.Source, path), GeneratorHarness.ParseOptions, path: f.HintName)));
        // Serial method compilation: xUnit already runs test classes in parallel, and Roslyn's CS8751 (an internal
        // consistency check with no exception behind it) has been seen once under concurrentBuild in a full run.
        compilation = compilation.WithOptions(compilation.Options.WithConcurrentBuild(false));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success && IsOnlyInternalError(result.Diagnostics))
        {
            // A transient compiler fault, not a generator bug: say so and compile once more from a fresh compilation.
            Console.Error.WriteLine($"ModelLoader: Roslyn reported CS8751 ({string.Join("; ", result.Diagnostics.Where(d => d.Id == "CS8751"))}); retrying once.");
            stream.SetLength(0);
            result = compilation.Clone().Emit(stream);
        }
        if (!result.Success)
        {
            throw new InvalidOperationException("Generated code did not compile:\n" + string.Join("\n",
                result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        }
        stream.Position = 0;
        var context = new AssemblyLoadContext("KernelGenTest-" + path, isCollectible: true);
        return context.LoadFromStream(stream);
    }

    /// <summary>The errors are all CS8751, "Internal error in the C# compiler": nothing the generated code can cause.</summary>
    private static bool IsOnlyInternalError(IEnumerable<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        return errors.Count > 0 && errors.All(d => d.Id == "CS8751");
    }
}
