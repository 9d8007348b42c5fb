using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace KernelGen.Generator.Emitting;

/// <summary>An indenting text writer for generated C#, plus literal formatting that round-trips.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    /// <summary>Current indentation depth, in steps of four spaces.</summary>
    public int Indent
    {
        get => _indent;
        set => _indent = value;
    }

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0)
            _text.Append(' ', _indent * 4);
        _text.Append(line).Append('\n');
        return this;
    }

    public SourceWriter Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Open()
    {
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    public IDisposable Block(string line)
    {
        if (line.Length == 0)
            Open();
        else
            Open(line);
        return new Closer(this);
    }

    /// <summary>A constant int table as a static ReadOnlySpan property (folded into the assembly's data), eight per line.</summary>
    public SourceWriter IntTable(string name, string what, Model.EquatableArray<int> values)
    {
        Line($"/// <summary>{what}.</summary>");
        Line($"private static {Global.ReadOnlySpan}<int> {name} => new int[]");
        Open();
        for (int start = 0; start < values.Length; start += 8)
        {
            var line = new StringBuilder();
            for (int i = start; i < Math.Min(values.Length, start + 8); i++)
                line.Append(i == start ? "" : ", ").Append(Int(values[i]));
            Line(line.Append(',').ToString());
        }
        return Close(";");
    }

    /// <summary>
    /// A constant byte table as a static <c>ReadOnlySpan&lt;byte&gt;</c> property over the assembly's RVA static data (no
    /// allocation, no size limit), in the most compact source that C# 7.3 compiles to such data: the bytes packed
    /// little-endian eight to a <c>ulong</c>, each written as a fixed-width hex literal. That is 19 characters per 8
    /// bytes (about 2.4 per byte, against 3.6 for decimal byte literals) and one initializer element per 8 bytes for
    /// the compiler to bind, which makes large tables compile about four times faster (benchmarks/GENERATOR.md has the
    /// measurements and the options that lost). Each section starts with its comment line, if any, and is written in
    /// lines of its own width; a table whose length is not a multiple of 8 is padded with zero bytes and sliced back.
    /// </summary>
    public SourceWriter ByteTable(string name, string summary, ReadOnlySpan<byte> bytes, IReadOnlyList<TableSection> sections)
        => PackedTable(name, summary, "byte", 1, bytes, sections);

    /// <summary><see cref="ByteTable(string, string, ReadOnlySpan{byte}, IReadOnlyList{TableSection})"/> in one section without a comment.</summary>
    public SourceWriter ByteTable(string name, string summary, ReadOnlySpan<byte> bytes, int bytesPerLine)
        => ByteTable(name, summary, bytes, new[] { new TableSection(null, bytes.Length, bytesPerLine) });

    /// <summary>
    /// A constant int16 table as a static <c>ReadOnlySpan&lt;short&gt;</c> property, written as <see cref="ByteTable(string, string, ReadOnlySpan{byte}, int)"/>
    /// writes bytes (each value little-endian, four to a literal).
    /// </summary>
    public SourceWriter ShortTable(string name, string summary, ReadOnlySpan<short> values, int valuesPerLine)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            bytes[2 * i] = (byte)values[i];
            bytes[2 * i + 1] = (byte)(values[i] >> 8);
        }
        return PackedTable(name, summary, "short", 2, bytes, new[] { new TableSection(null, bytes.Length, valuesPerLine * 2) });
    }

    private SourceWriter PackedTable(string name, string summary, string elementType, int elementSize, ReadOnlySpan<byte> bytes, IReadOnlyList<TableSection> sections)
    {
        int total = 0;
        foreach (TableSection section in sections)
            total += section.Bytes;
        if (total != bytes.Length)
            throw new ArgumentException($"{name}: the sections hold {total} bytes, the table {bytes.Length}");

        string words = $"new {Global.ReadOnlySpan}<ulong>(new ulong[]";
        string view = elementType == "byte" ? $"{Global.MemoryMarshal}.AsBytes(" : $"{Global.MemoryMarshal}.Cast<ulong, {elementType}>(";
        string slice = bytes.Length % 8 == 0 ? "" : $".Slice(0, {Int(bytes.Length / elementSize)})";
        Line($"/// <summary>{summary}.</summary>");
        Line("/// <remarks>Eight bytes per hex literal, little-endian: the first byte is the literal's last two digits.</remarks>");
        Line($"private static {Global.ReadOnlySpan}<{elementType}> {name} => {view}{words}");
        Open();
        var line = new StringBuilder();
        int offset = 0;
        foreach (TableSection section in sections)
        {
            if (section.Comment is not null)
                Line("// " + section.Comment);
            int end = offset + section.Bytes;
            while (offset < end)
            {
                if (offset % 8 != 0)
                    throw new ArgumentException($"{name}: a line or section starts at byte {offset}, not at a whole literal");
                int lineEnd = Math.Min(end, offset + section.BytesPerLine);
                line.Clear();
                for (; offset < lineEnd; offset += 8)
                    AppendWord(line, bytes, offset);
                offset = lineEnd;
                Line(line.ToString());
            }
        }
        return Close($")){slice};");
    }

    private static void AppendWord(StringBuilder line, ReadOnlySpan<byte> bytes, int offset)
    {
        const string Digits = "0123456789ABCDEF";
        line.Append("0x");
        for (int i = 7; i >= 0; i--)
        {
            byte b = offset + i < bytes.Length ? bytes[offset + i] : (byte)0;
            line.Append(Digits[b >> 4]).Append(Digits[b & 15]);
        }
        line.Append(',');
    }

    public override string ToString() => _text.ToString();

    /// <summary>A float literal that parses back to the same bits.</summary>
    public static string Float(float value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (float.Parse(text, CultureInfo.InvariantCulture) != value)
            text = value.ToString("G9", CultureInfo.InvariantCulture);
        return text + "f";
    }

    /// <summary>A double for comments.</summary>
    public static string Real(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class Closer : IDisposable
    {
        private readonly SourceWriter _writer;

        public Closer(SourceWriter writer) => _writer = writer;

        public void Dispose() => _writer.Close();
    }
}

/// <summary>A run of a packed table's bytes: an optional comment line before it, and its line width in bytes.</summary>
internal readonly struct TableSection
{
    public TableSection(string? comment, int bytes, int bytesPerLine)
    {
        Comment = comment;
        Bytes = bytes;
        BytesPerLine = bytesPerLine;
    }

    public string? Comment { get; }

    public int Bytes { get; }

    public int BytesPerLine { get; }
}
