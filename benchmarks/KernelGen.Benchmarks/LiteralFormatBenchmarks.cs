using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Benchmarks;

/// <summary>
/// The ways C# can spell 1 MiB of constant bytes as static data, for the generator to pick from (see ../GENERATOR.md):
/// Roslyn's time to parse and emit a class holding one such table (Release, in process), with the source size, the
/// assembly size, whether the bytes read back and whether reading them allocates printed by the setup. Each table is a
/// <c>static ReadOnlySpan&lt;byte&gt;</c> property compiled at the lowest language version that accepts it.
/// </summary>
/// <remarks>
/// dotnet run -c Release --project benchmarks/KernelGen.Benchmarks -- --filter '*LiteralFormatBenchmarks*' --job short
/// </remarks>
[Config(typeof(BenchmarkConfig))]
public class LiteralFormatBenchmarks
{
    private const string ReadOnlySpan = "global::System.ReadOnlySpan";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const int Size = 1 << 20;

    private static readonly Lazy<List<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList());

    private string _source = "";
    private CSharpParseOptions _options = null!;

    [Params("byte-decimal", "byte-hex", "uint-hex", "ulong-decimal", "ulong-hex", "utf16-string", "u8-string-7bit")]
    public string Format { get; set; } = "ulong-hex";

    [GlobalSetup]
    public void Setup()
    {
        byte[] data = new byte[Size];
        new Random(5).NextBytes(data);
        // A u8 literal is UTF-16 text converted to UTF-8, so no byte of 0x80 or more can be spelled on its own: the
        // format is measured on the low 7 bits of each byte, and cannot hold weights.
        byte[] expected = Format == "u8-string-7bit" ? data.Select(b => (byte)(b & 0x7F)).ToArray() : data;
        (_source, LanguageVersion version) = Table(Format, data);
        _options = new CSharpParseOptions(version);

        byte[] assembly = Compile();
        var context = new AssemblyLoadContext(Format, isCollectible: true);
        Type type = context.LoadFromStream(new MemoryStream(assembly)).GetType("Table")!;
        bool same = ((byte[])type.GetMethod("Bytes")!.Invoke(null, null)!).AsSpan().SequenceEqual(expected);
        MethodInfo allocated = type.GetMethod("Allocated")!;
        allocated.Invoke(null, null);
        long bytes = (long)allocated.Invoke(null, null)!;
        context.Unload();
        if (!same)
            throw new InvalidOperationException(Format + ": the table does not read back its bytes");
        Console.WriteLine(FormattableString.Invariant(
            $"// {Format}: {(double)_source.Length / Size:F2} source characters and {(double)Encoding.UTF8.GetByteCount(_source) / Size:F2} UTF-8 bytes per table byte, assembly {assembly.Length} bytes, {bytes} bytes allocated per read"));
    }

    /// <summary>Parse the source, compile, emit the assembly to memory.</summary>
    [Benchmark]
    public byte[] Compile()
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "LiteralFormat", new[] { CSharpSyntaxTree.ParseText(_source, _options) }, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
            throw new InvalidOperationException(Format + ": " + string.Join("\n", result.Diagnostics.Take(3)));
        return stream.ToArray();
    }

    private static (string Source, LanguageVersion Version) Table(string format, byte[] data)
    {
        string body = format switch
        {
            "byte-decimal" => $"new byte[]\n{{\n{Lines(data.Select(b => b.ToString(CultureInfo.InvariantCulture)), 128)}}}",
            "byte-hex" => $"new byte[]\n{{\n{Lines(data.Select(b => "0x" + b.ToString("X2", CultureInfo.InvariantCulture)), 128)}}}",
            "uint-hex" => $"{MemoryMarshal}.AsBytes(new {ReadOnlySpan}<uint>(new uint[]\n{{\n{Lines(Words(data, 4).Select(w => "0x" + w.ToString("X8", CultureInfo.InvariantCulture)), 32)}}}))",
            "ulong-decimal" => $"{MemoryMarshal}.AsBytes(new {ReadOnlySpan}<ulong>(new ulong[]\n{{\n{Lines(Words(data, 8).Select(w => w.ToString(CultureInfo.InvariantCulture)), 16)}}}))",
            "ulong-hex" => $"{MemoryMarshal}.AsBytes(new {ReadOnlySpan}<ulong>(new ulong[]\n{{\n{Lines(Words(data, 8).Select(w => "0x" + w.ToString("X16", CultureInfo.InvariantCulture)), 16)}}}))",
            // Two bytes per char; the #US heap that holds string literals is limited to 16 MiB per assembly.
            "utf16-string" => $"{MemoryMarshal}.Cast<char, byte>(global::System.MemoryExtensions.AsSpan({StringLiteral(Chars(data), Utf16Plain)}))",
            "u8-string-7bit" => StringLiteral(data.Select(b => (char)(b & 0x7F)), c => c >= 0x20 && c < 0x7F && c != '"' && c != '\\') + "u8",
            _ => throw new ArgumentException("unknown format " + format),
        };
        string source = $$"""
            public static class Table
            {
                private static {{ReadOnlySpan}}<byte> Data => {{body}};

                public static byte[] Bytes() => Data.ToArray();

                public static long Allocated()
                {
                    long before = global::System.GC.GetAllocatedBytesForCurrentThread();
                    int sum = 0;
                    for (int i = 0; i < 10; i++)
                        sum += Data[i];
                    return global::System.GC.GetAllocatedBytesForCurrentThread() - before + (sum < 0 ? 1 : 0);
                }
            }
            """;
        return (source, format == "u8-string-7bit" ? LanguageVersion.CSharp11 : LanguageVersion.CSharp7_3);
    }

    private static string Lines(IEnumerable<string> items, int perLine)
    {
        var text = new StringBuilder();
        int n = 0;
        foreach (string item in items)
        {
            text.Append(item).Append(',');
            if (++n % perLine == 0)
                text.Append('\n');
        }
        return text.Append('\n').ToString();
    }

    /// <summary>Little-endian words of <paramref name="width"/> bytes, the last one zero-padded.</summary>
    private static IEnumerable<ulong> Words(byte[] data, int width)
    {
        for (int i = 0; i < data.Length; i += width)
        {
            ulong word = 0;
            for (int b = width - 1; b >= 0; b--)
                word = (word << 8) | (i + b < data.Length ? data[i + b] : 0UL);
            yield return word;
        }
    }

    private static IEnumerable<char> Chars(byte[] data)
    {
        for (int i = 0; i < data.Length; i += 2)
            yield return (char)(data[i] | (i + 1 < data.Length ? data[i + 1] << 8 : 0));
    }

    /// <summary>Chars written as themselves in a string literal; the rest (quotes, backslash, controls, line separators,
    /// surrogates, BOM, non-characters) as \uXXXX.</summary>
    private static bool Utf16Plain(char c)
        => c >= 0x20 && c != '"' && c != '\\' && c != 0x7F && !(c >= 0x80 && c < 0xA0) && !char.IsSurrogate(c)
            && c != 0x2028 && c != 0x2029 && c != 0xFEFF && c < 0xFFFE;

    private static string StringLiteral(IEnumerable<char> chars, Func<char, bool> plain)
    {
        var text = new StringBuilder("\"");
        foreach (char c in chars)
        {
            if (plain(c))
                text.Append(c);
            else
                text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }
        return text.Append('"').ToString();
    }
}
