extern alias generator;

using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using generator::KernelGen.Generator.Emitting;
using KernelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Tests.Generator;

/// <summary>
/// SourceWriter's packed constant tables (every weight and lookup table the generator writes): compiled as C# 7.3, each
/// property reads back exactly the bytes or int16 values written, for lengths that fill and that do not fill the last
/// 8-byte literal, and reading it allocates nothing (RVA static data, not an array).
/// </summary>
public class ConstantTableTests
{
    private static readonly int[] Lengths = { 0, 1, 7, 8, 9, 31, 256, 1000 };

    [Fact]
    public void ByteAndShortTables_ReadBackTheirValues_AsCSharp73_WithoutAllocating()
    {
        var random = new Random(12);
        var writer = new SourceWriter();
        writer.Line("namespace Tables {");
        writer.Line("public static class T {");
        var bytes = Lengths.Select(n => Enumerable.Range(0, n).Select(_ => (byte)random.Next(256)).ToArray()).ToArray();
        var shorts = Lengths.Select(n => Enumerable.Range(0, n).Select(_ => (short)random.Next(short.MinValue, short.MaxValue + 1)).ToArray()).ToArray();
        for (int i = 0; i < Lengths.Length; i++)
        {
            writer.ByteTable($"B{i}", $"{Lengths[i]} bytes", bytes[i], 16);
            writer.ShortTable($"S{i}", $"{Lengths[i]} int16 values", shorts[i], 8);
            writer.Line($"public static byte[] B{i}Array() => B{i}.ToArray();");
            writer.Line($"public static short[] S{i}Array() => S{i}.ToArray();");
        }
        writer.Line("public static long Allocated() { long before = global::System.GC.GetAllocatedBytesForCurrentThread(); int sum = 0;");
        for (int i = 0; i < Lengths.Length; i++)
            writer.Line($"sum += B{i}.Length + S{i}.Length + (B{i}.Length > 0 ? B{i}[0] : 0);");
        writer.Line("return global::System.GC.GetAllocatedBytesForCurrentThread() - before + (sum == -1 ? 1 : 0); }");
        writer.Line("}");
        writer.Line("}");

        Type type = Compile(writer.ToString()).GetType("Tables.T")!;
        for (int i = 0; i < Lengths.Length; i++)
        {
            Assert.Equal(bytes[i], (byte[])type.GetMethod($"B{i}Array")!.Invoke(null, null)!);
            Assert.Equal(shorts[i], (short[])type.GetMethod($"S{i}Array")!.Invoke(null, null)!);
        }
        MethodInfo allocated = type.GetMethod("Allocated")!;
        allocated.Invoke(null, null);
        Assert.Equal(0L, (long)allocated.Invoke(null, null)!);
    }

    [Fact]
    public void Sections_WriteTheirCommentsAndLineWidths()
    {
        var writer = new SourceWriter();
        writer.ByteTable("W", "two sections", Enumerable.Range(0, 48).Select(i => (byte)i).ToArray(),
            new[] { new TableSection("first: 2 lines of 16 bytes", 32, 16), new TableSection("second: 1 line of 16 bytes", 16, 16) });
        string[] lines = writer.ToString().Split('\n');
        Assert.Equal(new[]
        {
            "/// <summary>two sections.</summary>",
            "/// <remarks>Eight bytes per hex literal, little-endian: the first byte is the literal's last two digits.</remarks>",
            "private static global::System.ReadOnlySpan<byte> W => global::System.Runtime.InteropServices.MemoryMarshal.AsBytes(new global::System.ReadOnlySpan<ulong>(new ulong[]",
            "{",
            "    // first: 2 lines of 16 bytes",
            "    0x0706050403020100,0x0F0E0D0C0B0A0908,",
            "    0x1716151413121110,0x1F1E1D1C1B1A1918,",
            "    // second: 1 line of 16 bytes",
            "    0x2726252423222120,0x2F2E2D2C2B2A2928,",
            "}));",
            "",
        }, lines);
    }

    [Fact]
    public void Sections_ThatSplitALiteral_AreRejected()
    {
        var writer = new SourceWriter();
        Assert.Throws<ArgumentException>(() => writer.ByteTable("W", "odd", new byte[12], new[] { new TableSection(null, 4, 4), new TableSection(null, 8, 8) }));
        Assert.Throws<ArgumentException>(() => writer.ByteTable("W", "short", new byte[12], new[] { new TableSection(null, 8, 8) }));
    }

    private static Assembly Compile(string source)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Array.Empty<string>())
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.CSharp7_3), path: "Tables.cs"));
        compilation = compilation.WithOptions(compilation.Options.WithNullableContextOptions(NullableContextOptions.Disable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        Assert.Empty(result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        stream.Position = 0;
        return new AssemblyLoadContext("ConstantTableTests", isCollectible: true).LoadFromStream(stream);
    }
}
