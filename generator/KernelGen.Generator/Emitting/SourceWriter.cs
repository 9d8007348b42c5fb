using System;
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
