using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using KernelGen.Reference;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Tests.Infrastructure;

public enum FuzzKind
{
    /// <summary>Valid by construction: no KG error, one generated file per model, everything compiles (and runs right).</summary>
    Valid,

    /// <summary>A valid declaration after one mutation from the catalog: its KG id, no source for the mutated model.</summary>
    Invalid,

    /// <summary>Random token damage: the generator must not throw, and what it generates must compile.</summary>
    Garbage,
}

/// <summary>Compilation-wide settings of one batch (they cannot differ between the syntax trees of one compilation).</summary>
public sealed class FuzzBatchOptions
{
    public const int CSharp7_2 = 702, CSharp7_3 = 703, CSharp8 = 800, CSharp9 = 900, CSharp10 = 1000, CSharp11 = 1100, CSharp12 = 1200;

    public FuzzBatchOptions(LanguageVersion version, bool allowUnsafe, bool nullable, bool documentation = false)
    {
        LanguageVersion = version;
        Level = (int)version.MapSpecifiedToEffectiveVersion();
        AllowUnsafe = allowUnsafe;
        Nullable = nullable && Level >= CSharp8;
        Documentation = documentation;
    }

    /// <summary>Documentation comments diagnosed, as with GenerateDocumentationFile: XML comment warnings count.</summary>
    public bool Documentation { get; }

    public Microsoft.CodeAnalysis.CSharp.CSharpParseOptions ParseOptions
        => new(LanguageVersion, Documentation ? Microsoft.CodeAnalysis.DocumentationMode.Diagnose : Microsoft.CodeAnalysis.DocumentationMode.Parse);

    public LanguageVersion LanguageVersion { get; }

    /// <summary>The effective version as Roslyn numbers it: 6, 7, 701, 702, 703, 800 ... 1300, or Preview.</summary>
    public int Level { get; }

    public bool AllowUnsafe { get; }

    public bool Nullable { get; }

    /// <summary>Below C# 7.3 every model must get KG0023.</summary>
    public bool TooOld => Level < CSharp7_3;

    public bool Supports(int level) => Level >= level;

    public override string ToString()
        => $"LangVersion {LanguageVersion.ToDisplayString()}, AllowUnsafe {AllowUnsafe}, Nullable {(Nullable ? "enable" : "disable")}"
           + (Documentation ? ", documentation diagnosed" : "");
}

/// <summary>
/// One Dense layer as the fuzzer means it: the values the reference needs, independent of how they are written.
/// <see cref="PerChannelScales"/> says how the scales are written (WeightScales or WeightScale); a one-element WeightScales
/// is per-tensor arithmetic all the same, as TFLite decides by <c>scale->size &gt; 1</c>.
/// </summary>
public sealed record FuzzDense(
    int Inputs, int Outputs, QuantType WeightType, int[] Weights, float[] WeightScales, bool PerChannelScales,
    int[] WeightZeroPoints, int[]? Bias, float OutputScale, int OutputZeroPoint, Activation Activation);

/// <summary>A model's semantics: what <see cref="ReferenceOps"/> is given to compute the expected outputs.</summary>
public sealed record FuzzSemantics(int InputSize, QuantType ActivationType, float InputScale, int InputZeroPoint, FuzzDense[] Layers)
{
    public int OutputSize => Layers[^1].Outputs;

    public DenseReferenceLayer[] ReferenceLayers()
    {
        var result = new DenseReferenceLayer[Layers.Length];
        float scale = InputScale;
        int zero = InputZeroPoint;
        for (int i = 0; i < Layers.Length; i++)
        {
            FuzzDense l = Layers[i];
            result[i] = new DenseReferenceLayer(l.Inputs, l.Outputs, ActivationType, scale, zero, l.WeightType,
                l.Weights.Select(v => (byte)v).ToArray(), l.WeightScales, l.WeightZeroPoints, l.Bias,
                l.OutputScale, l.OutputZeroPoint, l.Activation, perChannelScales: l.WeightScales.Length > 1);
            scale = l.OutputScale;
            zero = l.OutputZeroPoint;
        }
        return result;
    }

    /// <summary>Random rows with the edge rows mixed in: all minimum, all maximum, all zero point, alternating.</summary>
    public byte[] Input(Random random, int rows)
    {
        var input = new byte[rows * InputSize];
        random.NextBytes(input);
        byte min = ActivationType == QuantType.Int8 ? (byte)0x80 : (byte)0;
        byte max = ActivationType == QuantType.Int8 ? (byte)0x7F : (byte)0xFF;
        for (int r = 0; r < rows; r++)
        {
            Span<byte> row = input.AsSpan(r * InputSize, InputSize);
            switch (r % 6)
            {
                case 1: row.Fill(min); break;
                case 2: row.Fill(max); break;
                case 3: row.Fill((byte)InputZeroPoint); break;
                case 4:
                    for (int i = 0; i < row.Length; i++) row[i] = i % 2 == 0 ? min : max;
                    break;
            }
        }
        return input;
    }

    public string Describe()
        => $"{ActivationType} in {InputSize}: " + string.Join(" -> ", Layers.Select(l =>
            $"Dense {l.Inputs}x{l.Outputs} {l.WeightType} {(l.PerChannelScales ? "per-channel" : "per-tensor")} zp={l.WeightZeroPoints.Length} bias={(l.Bias is null ? "no" : "yes")} {l.Activation}"));
}

/// <summary>A named argument (or a constructor argument, keyed #0, #1) of an attribute, as written.</summary>
public sealed class FuzzArg
{
    public FuzzArg(string key, string text)
    {
        Key = key;
        Text = text;
    }

    public string Key { get; }

    public string Text { get; set; }
}

/// <summary>A static readonly array field holding weights or bias, rendered in one of the initializer styles.</summary>
public sealed class FuzzField
{
    public required string Name { get; init; }
    public required string ElementType { get; set; }
    public required int[] Values { get; set; }

    /// <summary>0 <c>{ }</c>, 1 <c>new T[] { }</c>, 2 <c>new T[n] { }</c>, 3 <c>new[] { }</c>, 4 <c>[ ]</c>.</summary>
    public int Style { get; set; }

    /// <summary>Dominant element style (decimal, hex, casts, unchecked, constants).</summary>
    public int ElementStyle { get; set; }

    public string Access { get; set; } = "private ";
    public bool Static { get; set; } = true;
    public bool ReadOnly { get; set; } = true;
    public bool SwapModifiers { get; set; }
    public bool Split { get; set; }

    /// <summary>Replaces the type (e.g. a two-dimensional array) and/or the whole initializer; used by mutations.</summary>
    public string? TypeOverride { get; set; }
    public string? InitializerOverride { get; set; }

    /// <summary>Every element written as <c>unchecked((T)v)</c>: for element types that do not match the values (mutations).</summary>
    public bool ForceCast { get; set; }

    /// <summary>Seed for the per-element style choices, so a field renders the same every time.</summary>
    public int Seed { get; set; }

    /// <summary>How the element type is spelled: the keyword, or e.g. <c>global::System.SByte</c>.</summary>
    public string? TypeSpelling { get; set; }

    /// <summary><c>sbyte[]?</c> (C# 8+).</summary>
    public bool NullableAnnotation { get; set; }

    /// <summary><c>{ 1, 2, }</c>.</summary>
    public bool TrailingComma { get; set; }

    /// <summary>0 none, 1 a comment between elements, 2 an <c>#if</c> block of elements that is never compiled.</summary>
    public int Decoration { get; set; }

    /// <summary>Written as another declarator of the previous field's declaration when the modifiers and type match.</summary>
    public bool JoinWithPrevious { get; set; }

    public string Spelled => TypeSpelling ?? ElementType;

    public string Prefix
    {
        get
        {
            string modifiers = (Static, ReadOnly) switch
            {
                (true, true) => SwapModifiers ? "readonly static " : "static readonly ",
                (true, false) => "static ",
                (false, true) => "readonly ",
                _ => "",
            };
            string type = TypeOverride ?? Spelled + "[]" + (NullableAnnotation ? "?" : "");
            return $"{Access}{modifiers}{type}";
        }
    }

    public string Declarator
    {
        get
        {
            string init = InitializerOverride ?? Initializer();
            return FuzzText.Mark("F." + Unescaped(Name), Name) + (init.Length == 0 ? "" : " = " + init);
        }
    }

    public string Render() => $"{Prefix} {Declarator};";

    /// <summary>The fields of one part, consecutive ones with the same modifiers and type sometimes in one declaration.</summary>
    public static IEnumerable<string> RenderAll(IEnumerable<FuzzField> fields)
    {
        string? prefix = null;
        var declarators = new List<string>();
        foreach (FuzzField field in fields)
        {
            if (prefix is not null && (!field.JoinWithPrevious || field.Prefix != prefix))
            {
                yield return $"{prefix} {string.Join(", ", declarators)};";
                declarators.Clear();
            }
            prefix = field.Prefix;
            declarators.Add(field.Declarator);
        }
        if (prefix is not null)
            yield return $"{prefix} {string.Join(", ", declarators)};";
    }

    private string Initializer()
    {
        var random = new Random(Seed);
        int style = Style == 3 && Values.Length == 0 ? 1 : Style;
        string elements = Elements(random, style == 3);
        return style switch
        {
            0 => "{ " + elements + " }",
            1 => $"new {Spelled}[] {{ {elements} }}",
            2 => $"new {Spelled}[{Values.Length}] {{ {elements} }}",
            3 => "new[] { " + elements + " }",
            _ => "[" + elements + "]",
        };
    }

    /// <summary>Above this many elements the generator reads a field from syntax alone: literals, negated, parenthesized, cast, unchecked.</summary>
    public const int SyntaxOnlyThreshold = 4096;

    public string Elements(Random random, bool typed)
    {
        var s = new StringBuilder();
        bool large = Values.Length > SyntaxOnlyThreshold;
        for (int i = 0; i < Values.Length; i++)
        {
            if (i > 0)
                s.Append(i % 32 == 0 ? ",\n        " : ", ");
            int style = random.Next(10) == 0 ? random.Next(8) : ElementStyle;
            if (large && style > 4)
                style = random.Next(10) == 0 ? 8 : 0;
            s.Append(ForceCast
                ? $"unchecked(({ElementType}){Values[i].ToString(CultureInfo.InvariantCulture)})"
                : FuzzFactory.Element(Values[i], ElementType, style, typed));
            if (Decoration > 0 && i == Values.Length / 2 && i + 1 < Values.Length)
            {
                s.Append(Decoration == 1
                    ? ", /* the middle */"
                    : ",\n#if KERNELGEN_FUZZ_NEVER_DEFINED\n        999, -999, nonsense,\n#endif\n       ");
                i++;
                s.Append(' ').Append(ForceCast
                    ? $"unchecked(({ElementType}){Values[i].ToString(CultureInfo.InvariantCulture)})"
                    : FuzzFactory.Element(Values[i], ElementType, 0, typed));
            }
        }
        if (TrailingComma && Values.Length > 0)
            s.Append(',');
        return s.ToString();
    }

    /// <summary>The identifier's value: without <c>@</c>, unicode escapes resolved.</summary>
    public static string Unescaped(string name)
        => name.Contains('\\') ? Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseToken(name).ValueText : name.TrimStart('@');
}

/// <summary>A type that contains the model.</summary>
public sealed class FuzzContainer
{
    public required string Keyword { get; set; }
    public string Modifiers { get; set; } = "";
    public bool Partial { get; set; } = true;
    public required string Name { get; init; }
    public List<string> TypeParameters { get; init; } = new();
    public string Constraints { get; set; } = "";

    public string MetadataName => FuzzField.Unescaped(Name) + (TypeParameters.Count > 0 ? "`" + TypeParameters.Count : "");

    public FuzzContainer Copy() => new()
    {
        Keyword = Keyword, Modifiers = Modifiers, Partial = Partial, Name = Name,
        TypeParameters = new List<string>(TypeParameters), Constraints = Constraints,
    };
}

/// <summary>One [QuantizedModel] type of a declaration and everything written in and around it.</summary>
public sealed class FuzzModel
{
    public required FuzzSemantics Semantics { get; set; }
    public string? Namespace { get; set; }
    public List<FuzzContainer> Containers { get; set; } = new();

    public string Keyword { get; set; } = "class";
    public string Modifiers { get; set; } = "public ";
    public bool Partial { get; set; } = true;
    public required string Name { get; set; }
    public List<string> TypeParameters { get; set; } = new();
    public string Constraints { get; set; } = "";
    public string PrimaryConstructor { get; set; } = "";
    public string BaseList { get; set; } = "";

    public string Q { get; set; } = "global::KernelGen.";
    public string ModelAttribute { get; set; } = "QuantizedModel";
    public string DenseAttribute { get; set; } = "Dense";
    public bool TypeTarget { get; set; }

    /// <summary>0: one list per attribute, model first; 1: model last; 2: all in one list; 3: model among the layers.</summary>
    public int AttributeLayout { get; set; }

    public List<FuzzArg> ModelArgs { get; set; } = new();
    public List<List<FuzzArg>> LayerArgs { get; set; } = new();

    public List<FuzzField> Fields { get; } = new();
    public List<string> Members { get; } = new();
    public List<string> SplitMembers { get; } = new();

    /// <summary>Field (or null) each layer reads its weights / bias from, and the files written for it.</summary>
    public List<string?> WeightFields { get; } = new();
    public List<string?> BiasFields { get; } = new();

    /// <summary>A second partial declaration of the model (fields may live there).</summary>
    public bool Split { get; set; }

    /// <summary>The second partial declaration is in a second file of the declaration.</summary>
    public bool SplitElsewhere { get; set; }

    /// <summary>A bogus [Dense] inside <c>#if NEVER ... #endif</c> among the attributes: disabled text the generator must not see.</summary>
    public bool DisabledAttribute { get; set; }

    /// <summary>Other attribute lists on the model (Serializable, Obsolete, ...).</summary>
    public List<string> ExtraAttributes { get; } = new();

    /// <summary>KG0020: the second partial declaration carries [QuantizedModel] too.</summary>
    public bool DuplicateModelAttribute { get; set; }

    public string ReflectionName
    {
        get
        {
            string ns = Namespace is null ? "" : string.Join(".", Namespace.Split('.').Select(FuzzField.Unescaped)) + ".";
            var parts = Containers.Select(c => c.MetadataName).ToList();
            parts.Add(FuzzField.Unescaped(Name) + (TypeParameters.Count > 0 ? "`" + TypeParameters.Count : ""));
            return ns + string.Join("+", parts);
        }
    }

    public int TypeArgumentCount => Containers.Sum(c => c.TypeParameters.Count) + TypeParameters.Count;

    public string Element => Semantics.ActivationType == QuantType.Int8 ? "sbyte" : "byte";

    public List<FuzzArg>? Layer(int i) => i < LayerArgs.Count ? LayerArgs[i] : null;
}

/// <summary>A bytes file given to the generator as an AdditionalFiles item.</summary>
public sealed record FuzzFile(string Path, byte[] Bytes);

/// <summary>One declaration: one syntax tree in its own namespace, holding one model (sometimes two).</summary>
public sealed class FuzzUnit
{
    public required int Batch { get; init; }
    public required int Index { get; init; }
    public required string Token { get; init; }
    public string Path => $"/fuzz/b{Batch}/d{Index}_{Token}.cs";

    public FuzzKind Kind { get; set; } = FuzzKind.Valid;
    public string Mutation { get; set; } = "valid";

    /// <summary>For invalid units: the id the mutation must produce, where ("*" anywhere in the tree), and what else may come with it.</summary>
    public string? ExpectedId { get; set; }
    public List<string> Anchors { get; } = new();
    public HashSet<string> AllowedIds { get; } = new();
    public HashSet<string> AllowedUserErrors { get; } = new();

    public List<string> Top { get; } = new();
    public string? Namespace { get; set; }
    public bool FileScoped { get; set; }
    public List<string> NamespaceMembers { get; } = new();
    public List<FuzzModel> Models { get; } = new();
    public List<FuzzFile> Files { get; } = new();
    public List<string> Features { get; } = new();

    /// <summary>Names already declared anywhere in the unit (unescaped), so generated names never clash by accident.</summary>
    public HashSet<string> Used { get; } = new(StringComparer.Ordinal);

    public string Text { get; set; } = "";
    public Dictionary<string, List<TextSpan>> Spans { get; set; } = new();

    /// <summary>A second file of the declaration, holding the second partial declaration of models marked <see cref="FuzzModel.SplitElsewhere"/>.</summary>
    public string SecondPath => $"/fuzz/b{Batch}/d{Index}_{Token}.part2.cs";
    public string? SecondText { get; set; }
    public Dictionary<string, List<TextSpan>> SecondSpans { get; set; } = new();

    public Dictionary<string, List<TextSpan>> SpansFor(string path) => path == SecondPath ? SecondSpans : Spans;

    public string TextFor(string path) => path == SecondPath ? SecondText ?? "" : Text;

    public void Render()
    {
        (Text, Spans) = FuzzText.Resolve(RenderFile(main: true));
        if (Models.Any(m => m.Split && m.SplitElsewhere))
            (SecondText, SecondSpans) = FuzzText.Resolve(RenderFile(main: false));
        else
            (SecondText, SecondSpans) = (null, new Dictionary<string, List<TextSpan>>());
    }

    private string RenderFile(bool main)
    {
        var s = new StringBuilder();
        foreach (string line in Top)
            s.Append(line).Append('\n');
        if (Top.Count > 0)
            s.Append('\n');
        var models = Enumerable.Range(0, Models.Count).Where(j => main || (Models[j].Split && Models[j].SplitElsewhere)).ToList();

        if (FileScoped)
        {
            s.Append("namespace ").Append(Namespace).Append(";\n\n");
            if (main)
            {
                foreach (string member in NamespaceMembers)
                    s.Append(member).Append("\n\n");
            }
            foreach (int j in models)
                s.Append(RenderModel(j, main)).Append('\n');
        }
        else
        {
            // Models grouped by namespace, in order; the unit's own namespace first, holding the namespace-level types.
            var namespaces = new List<string?> { Namespace };
            foreach (int j in models)
            {
                if (!namespaces.Contains(Models[j].Namespace))
                    namespaces.Add(Models[j].Namespace);
            }
            foreach (string? ns in namespaces)
            {
                string indent = ns is null ? "" : "    ";
                if (ns is not null)
                    s.Append("namespace ").Append(ns).Append("\n{\n");
                if (ns == Namespace && main)
                {
                    foreach (string member in NamespaceMembers)
                        s.Append(Indent(member, indent)).Append("\n\n");
                }
                foreach (int j in models)
                {
                    if (Models[j].Namespace == ns)
                        s.Append(Indent(RenderModel(j, main), indent)).Append('\n');
                }
                if (ns is not null)
                    s.Append("}\n");
            }
        }
        return s.ToString();
    }

    private static string Indent(string text, string indent)
        => indent.Length == 0 ? text : string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : indent + l));

    /// <summary>The model's declarations in the main file (attributes, body, and the second part unless it lives elsewhere) or in the second file.</summary>
    private string RenderModel(int j, bool main)
    {
        FuzzModel m = Models[j];
        var s = new StringBuilder();
        int depth = 0;
        string Pad() => new string(' ', 4 * depth);
        for (int k = 0; k < m.Containers.Count; k++)
        {
            FuzzContainer c = m.Containers[k];
            string name = main ? FuzzText.Mark($"C{k}.Id", c.Name) : c.Name;
            s.Append(Pad()).Append(c.Modifiers).Append(c.Partial ? "partial " : "").Append(c.Keyword).Append(' ')
                .Append(name).Append(TypeParameterList(c.TypeParameters, main)).Append(main ? c.Constraints : "").Append('\n')
                .Append(Pad()).Append("{\n");
            depth++;
        }

        if (main)
        {
            foreach (string line in m.ExtraAttributes)
                s.Append(Pad()).Append(line).Append('\n');
            foreach (string line in Attributes(m, "Q"))
                s.Append(Pad()).Append(line).Append('\n');
            s.Append(Pad()).Append(m.Modifiers).Append(m.Partial ? "partial " : "").Append(m.Keyword).Append(' ')
                .Append(FuzzText.Mark("Id", m.Name)).Append(TypeParameterList(m.TypeParameters, true)).Append(m.PrimaryConstructor)
                .Append(m.BaseList).Append(m.Constraints).Append('\n');
            s.Append(Pad()).Append("{\n");
            depth++;
            foreach (string field in FuzzField.RenderAll(m.Fields.Where(f => !f.Split)))
                s.Append(Pad()).Append(field).Append('\n');
            foreach (string member in m.Members)
                s.Append(Indent(member, Pad())).Append('\n');
            depth--;
            s.Append(Pad()).Append("}\n");
        }

        if (m.Split && m.SplitElsewhere != main)
        {
            if (m.DuplicateModelAttribute)
            {
                string attribute = FuzzText.Mark("Q2", $"{m.Q}{m.ModelAttribute}({string.Join(", ", m.ModelArgs.Select(a => a.Text))})");
                s.Append(Pad()).Append('[').Append(attribute).Append("]\n");
            }
            s.Append(Pad()).Append("partial ").Append(m.Keyword).Append(' ').Append(FuzzText.Mark("Id2", m.Name))
                .Append(TypeParameterList(m.TypeParameters, false)).Append('\n').Append(Pad()).Append("{\n");
            depth++;
            foreach (string field in FuzzField.RenderAll(m.Fields.Where(f => f.Split)))
                s.Append(Pad()).Append(field).Append('\n');
            foreach (string member in m.SplitMembers)
                s.Append(Indent(member, Pad())).Append('\n');
            depth--;
            s.Append(Pad()).Append("}\n");
        }

        for (; depth > 0;)
        {
            depth--;
            s.Append(Pad()).Append("}\n");
        }
        return FuzzText.Prefix(s.ToString(), $"m{j}.");
    }

    private static string TypeParameterList(List<string> parameters, bool mark)
        => parameters.Count == 0 ? "" : "<" + string.Join(", ", parameters.Select(p => mark ? FuzzText.Mark("TP." + FuzzField.Unescaped(p), p) : p)) + ">";

    private static IEnumerable<string> Attributes(FuzzModel m, string key)
    {
        if (m.DisabledAttribute)
        {
            yield return "#if KERNELGEN_FUZZ_NEVER_DEFINED";
            yield return $"[{m.Q}Dense(0, -1, Name = \"not a name\", Weights = \"nothing\")]";
            yield return "#endif";
        }
        string target = m.TypeTarget ? "type: " : "";
        string model = FuzzText.Mark(key, $"{m.Q}{m.ModelAttribute}({Args(m.ModelArgs, key)})");
        var layers = m.LayerArgs.Select((args, i) => FuzzText.Mark($"L{i}", $"{m.Q}{m.DenseAttribute}({Args(args, $"L{i}")})")).ToList();
        switch (m.AttributeLayout)
        {
            case 1:
                foreach (string layer in layers)
                    yield return $"[{target}{layer}]";
                yield return $"[{target}{model}]";
                break;
            case 2:
                yield return $"[{target}{string.Join(",\n    ", new[] { model }.Concat(layers))}]";
                break;
            case 3 when layers.Count > 1:
                yield return $"[{target}{layers[0]}]";
                yield return $"[{target}{model}]";
                foreach (string layer in layers.Skip(1))
                    yield return $"[{target}{layer}]";
                break;
            default:
                yield return $"[{target}{model}]";
                foreach (string layer in layers)
                    yield return $"[{target}{layer}]";
                break;
        }
    }

    private static string Args(List<FuzzArg> args, string prefix)
        => string.Join(", ", args.Select(a => FuzzText.Mark($"{prefix}.{a.Key}", a.Text)));

    /// <summary>Whether a diagnostic span in one of this unit's files lies on one of the expected anchors.</summary>
    public bool OnAnchor(string path, TextSpan span)
    {
        Dictionary<string, List<TextSpan>> spans = SpansFor(path);
        foreach (string anchor in Anchors)
        {
            if (anchor == "*")
                return true;
            if (spans.TryGetValue(anchor, out List<TextSpan>? list) && list.Any(a => a.OverlapsWith(span) || (span.IsEmpty && a.Contains(span.Start))))
                return true;
        }
        return false;
    }

    public string Describe()
        => $"batch {Batch} declaration {Index} ({Path}), {Kind}{(Kind == FuzzKind.Valid ? "" : ": " + Mutation)}"
           + (ExpectedId is null ? "" : $", expects {ExpectedId}") + $"; features: {string.Join(", ", Features.Distinct())}";
}
