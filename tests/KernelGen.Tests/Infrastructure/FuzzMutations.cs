using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Tests.Infrastructure;

/// <summary>
/// The catalog of single mutations that turn a valid declaration into an invalid one whose KG id is known, and the
/// garbage mutations (token damage) whose outcome is not. Mutations change the first model of a declaration only; a
/// second model in the same tree stays valid and must still get its source.
/// </summary>
public sealed class FuzzMutator
{
    /// <summary>Name, expected id, weight: the catalog as the report lists it.</summary>
    public static readonly (string Name, string Id, int Weight)[] Catalog =
    {
        ("model-not-partial", "KG0001", 3),
        ("container-not-partial", "KG0001", 2),
        ("no-layers", "KG0002", 3),
        ("activation-type-not-8-bit", "KG0003", 2),
        ("weight-type-not-8-bit", "KG0003", 2),
        ("weights-field-element-type", "KG0003", 3),
        ("bias-field-element-type", "KG0003", 2),
        ("input-scale-invalid-or-missing", "KG0004", 2),
        ("weight-scale-invalid", "KG0004", 2),
        ("output-scale-invalid-or-missing", "KG0004", 2),
        ("input-zero-point-out-of-range", "KG0005", 2),
        ("weight-zero-point-out-of-range", "KG0005", 2),
        ("output-zero-point-out-of-range", "KG0005", 2),
        ("sizes-do-not-chain", "KG0006", 4),
        ("weights-count", "KG0007", 3),
        ("bias-count", "KG0008", 3),
        ("per-channel-count", "KG0009", 3),
        ("weights-or-bias-field-missing", "KG0010", 3),
        ("field-not-static-readonly", "KG0011", 2),
        ("field-without-array-initializer", "KG0011", 2),
        ("field-non-constant-element", "KG0011", 2),
        ("field-two-dimensional", "KG0011", 1),
        ("large-field-non-literal-element", "KG0011", 40), // applies only to fields of more than 4096 elements

        ("file-missing", "KG0012", 2),
        ("file-ambiguous", "KG0012", 2),
        ("file-wrong-length", "KG0013", 3),
        ("no-weights", "KG0014", 1),
        ("weights-field-and-file", "KG0014", 1),
        ("bias-field-and-file", "KG0014", 1),
        ("no-weight-scale", "KG0014", 1),
        ("both-weight-scale-forms", "KG0014", 1),
        ("both-zero-point-forms", "KG0014", 1),
        ("multiplier-out-of-range", "KG0015", 3),
        ("model-input-size-invalid", "KG0016", 2),
        ("layer-size-invalid", "KG0016", 2),
        ("layer-too-large", "KG0016", 1),
        ("layer-name-not-identifier", "KG0017", 2),
        ("layer-names-equal-after-capitalizing", "KG0017", 2),
        ("activation-unknown", "KG0019", 3),
        ("model-attribute-twice", "KG0020", 4),
        ("member-named-like-generated", "KG0021", 4),
        ("method-with-generated-signature", "KG0021", 4),
        ("model-type-named-like-generated", "KG0021", 2),
        ("record-parameter-named-like-generated", "KG0021", 3),
        ("type-parameter-named-like-generated", "KG0021", 2),
        ("file-local-model", "KG0022", 3),
        ("interface-model", "KG0022", 2),
    };

    /// <summary>Batch-level mutation: a language version below C# 7.3 (every model of such a batch).</summary>
    public const string TooOldName = "language-version-below-7.3", TooOldId = "KG0023";

    private static readonly string[] ReplacementTokens =
    {
        ",", ")", "(", "]", "[", "=", ";", ".", "::", "<", ">", "?", "!", "+", "-", "*", "@", "partial", "static", "readonly",
        "class", "struct", "record", "interface", "file", "abstract", "sealed", "public", "private", "0", "-1", "65536", "1e30f",
        "\"x\"", "\"\"", "null", "default", "nameof", "new", "int", "sbyte", "byte", "float", "W0", "B0", "Dense", "QuantizedModel",
        "Name", "Weights", "WeightScale", "OutputScale", "Activation", "global", "T", "where", "unchecked", "typeof", "void",
        "Run", "InputSize", "KernelGenKernels", "this", "base", "=>", "const", "true",
    };

    private readonly Random _r;
    private readonly FuzzBatchContext _batch;

    public FuzzMutator(Random random, FuzzBatchContext batch)
    {
        _r = random;
        _batch = batch;
    }

    private FuzzBatchOptions O => _batch.Options;

    private bool Chance(double p) => _r.NextDouble() < p;

    private T Pick<T>(IReadOnlyList<T> items) => items[_r.Next(items.Count)];

    // ----------------------------------------------------------------------------------------------------------------

    /// <summary>Applies one catalog mutation to <paramref name="unit"/>'s first model; the unit becomes Invalid.</summary>
    public void Invalidate(FuzzUnit unit)
    {
        int total = Catalog.Sum(c => c.Weight);
        for (int attempt = 0; attempt < 60; attempt++)
        {
            int roll = _r.Next(total);
            foreach ((string name, string id, int weight) in Catalog)
            {
                roll -= weight;
                if (roll >= 0)
                    continue;
                if (Apply(unit, name))
                {
                    unit.Kind = FuzzKind.Invalid;
                    unit.Mutation = name;
                    unit.ExpectedId = id;
                    return;
                }
                break;
            }
        }
        // Every model has an input scale.
        Apply(unit, "input-scale-invalid-or-missing");
        unit.Kind = FuzzKind.Invalid;
        unit.Mutation = "input-scale-invalid-or-missing";
        unit.ExpectedId = "KG0004";
    }

    /// <summary>A valid model in a batch whose language version is below C# 7.3.</summary>
    public static void TooOld(FuzzUnit unit)
    {
        unit.Kind = FuzzKind.Invalid;
        unit.Mutation = TooOldName;
        unit.ExpectedId = TooOldId;
        unit.Anchors.Add("*");
    }

    private void Anchor(FuzzUnit unit, params string[] keys)
    {
        foreach (string key in keys)
            unit.Anchors.Add("m0." + key);
    }

    private static FuzzArg? Get(List<FuzzArg> args, string key) => args.FirstOrDefault(a => a.Key == key);

    private static void Set(List<FuzzArg> args, string key, string text)
    {
        FuzzArg? arg = Get(args, key);
        if (arg is null)
            args.Add(new FuzzArg(key, text));
        else
            arg.Text = text;
    }

    private static bool Remove(List<FuzzArg> args, string key) => args.RemoveAll(a => a.Key == key) > 0;

    private static string Inv(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Ctor(FuzzArg arg, string value)
    {
        int colon = arg.Text.IndexOf(':');
        return colon < 0 ? value : arg.Text.Substring(0, colon + 1) + " " + value;
    }

    private string Fresh(FuzzUnit unit, string stem)
    {
        for (int i = 0; ; i++)
        {
            string name = stem + (i == 0 ? "" : Inv(i));
            if (unit.Used.Add(name))
                return name;
        }
    }

    private FuzzField? WeightField(FuzzModel m, int i)
        => m.WeightFields[i] is { } name ? m.Fields.First(f => f.Name == name) : null;

    private FuzzField? BiasField(FuzzModel m, int i)
        => m.BiasFields[i] is { } name ? m.Fields.First(f => f.Name == name) : null;

    private bool SharedWeights(FuzzModel m, int i)
        => m.WeightFields[i] is { } name && m.WeightFields.Count(f => f == name) > 1;

    private string NewFile(FuzzUnit unit, string what, byte[] bytes, string? subdirectory = null)
    {
        string file = $"{unit.Token}_m0_{what}_{_r.Next(1000)}.bin";
        string relative = subdirectory is null ? file : subdirectory + "/" + file;
        unit.Files.Add(new FuzzFile(Path.Combine(_batch.Directory, relative.Replace('/', Path.DirectorySeparatorChar)), bytes));
        return relative;
    }

    private FuzzField NewField(FuzzUnit unit, FuzzModel m, string element, int[] values, string stem)
    {
        var field = new FuzzField { Name = Fresh(unit, stem), ElementType = element, Values = values, Seed = _r.Next() };
        m.Fields.Add(field);
        return field;
    }

    private static string BadScale(Random r) => new[] { "0f", "-1f", "-0.5f", "float.NaN", "float.PositiveInfinity", "float.NegativeInfinity", "-0f", "float.MinValue", "-1e-30f" }[r.Next(9)];

    private bool Apply(FuzzUnit unit, string name)
    {
        FuzzModel m = unit.Models[0];
        FuzzSemantics s = m.Semantics;
        int layers = m.LayerArgs.Count;
        int i = _r.Next(layers);
        List<FuzzArg> L = m.LayerArgs[i];
        FuzzDense d = s.Layers[i];
        string q = m.Q;
        string element = d.WeightType == QuantType.Int8 ? "sbyte" : "byte";

        switch (name)
        {
            case "model-not-partial":
                if (m.Split || unit.Models.Skip(1).Any(t => t.Containers.Any(c => c.Name == m.Name)))
                    return false; // another partial declaration of it: a second model nested in it
                m.Partial = false;
                Anchor(unit, "Id");
                return true;

            case "container-not-partial":
            {
                if (m.Containers.Count == 0 || unit.Models.Count > 1)
                    return false;
                int k = _r.Next(m.Containers.Count);
                m.Containers[k].Partial = false;
                m.SplitElsewhere = false; // the second file would declare the container again
                Anchor(unit, "Id", $"C{k}.Id");
                return true;
            }

            case "no-layers":
                m.LayerArgs.Clear();
                Anchor(unit, "Q", "Id");
                return true;

            case "activation-type-not-8-bit":
                Set(m.ModelArgs, "ActivationType", "ActivationType = " + Pick(new[] { $"{q}QuantType.Int32", $"({q}QuantType)5", $"({q}QuantType)(-1)" }));
                Anchor(unit, "Q.ActivationType");
                unit.AllowedIds.Add("KG0005");
                unit.AllowedIds.Add("KG0021"); // a Run overload for the other element type may now match the signature assumed
                return true;

            case "weight-type-not-8-bit":
                Set(L, "WeightType", "WeightType = " + Pick(new[] { $"{q}QuantType.Int32", $"({q}QuantType)7" }));
                Anchor(unit, $"L{i}.WeightType");
                unit.AllowedIds.Add("KG0005");
                return true;

            case "weights-field-element-type":
            {
                FuzzField? field = WeightField(m, i);
                if (field is null)
                    return false;
                field.ElementType = Pick(element == "sbyte" ? new[] { "byte", "short", "int", "float", "long" } : new[] { "sbyte", "short", "int", "ushort" });
                field.TypeSpelling = null;
                field.ForceCast = true;
                Anchor(unit, "F." + FuzzField.Unescaped(field.Name), $"L{i}.Weights");
                return true;
            }

            case "bias-field-element-type":
            {
                FuzzField? field = BiasField(m, i);
                if (field is null)
                    return false;
                field.ElementType = Pick(new[] { "long", "short", "uint", "float", "byte", "double" });
                field.TypeSpelling = null;
                field.ForceCast = true;
                Anchor(unit, "F." + FuzzField.Unescaped(field.Name), $"L{i}.Bias");
                return true;
            }

            case "input-scale-invalid-or-missing":
                if (Chance(0.2))
                {
                    Remove(m.ModelArgs, "InputScale");
                    Anchor(unit, "Q");
                }
                else
                {
                    Set(m.ModelArgs, "InputScale", "InputScale = " + BadScale(_r));
                    Anchor(unit, "Q.InputScale");
                }
                unit.AllowedIds.Add("KG0015");
                return true;

            case "weight-scale-invalid":
                if (!d.PerChannelScales)
                {
                    Set(L, "WeightScale", "WeightScale = " + BadScale(_r));
                    Anchor(unit, $"L{i}.WeightScale");
                }
                else
                {
                    string[] items = d.WeightScales.Select(FuzzFactory.F).ToArray();
                    items[_r.Next(items.Length)] = BadScale(_r);
                    Set(L, "WeightScales", $"WeightScales = new float[] {{ {string.Join(", ", items)} }}");
                    Anchor(unit, $"L{i}.WeightScales");
                }
                unit.AllowedIds.Add("KG0015");
                return true;

            case "output-scale-invalid-or-missing":
                if (Chance(0.2))
                {
                    Remove(L, "OutputScale");
                    Anchor(unit, $"L{i}");
                }
                else
                {
                    Set(L, "OutputScale", "OutputScale = " + BadScale(_r));
                    Anchor(unit, $"L{i}.OutputScale");
                }
                unit.AllowedIds.Add("KG0015");
                return true;

            case "input-zero-point-out-of-range":
                Set(m.ModelArgs, "InputZeroPoint", "InputZeroPoint = " + Pick(s.ActivationType == QuantType.Int8
                    ? new[] { "-129", "128", "255", "int.MinValue" }
                    : new[] { "-1", "256", "1000", "-128", "int.MaxValue" }));
                Anchor(unit, "Q.InputZeroPoint");
                return true;

            case "weight-zero-point-out-of-range":
            {
                string bad = Pick(d.WeightType == QuantType.Int8 ? new[] { "128", "-129", "255" } : new[] { "-1", "256", "-128" });
                if (Get(L, "WeightZeroPoints") is not null)
                {
                    var items = Enumerable.Repeat(d.WeightType == QuantType.Int8 ? "0" : "128", d.Outputs).ToArray();
                    items[_r.Next(items.Length)] = bad;
                    Set(L, "WeightZeroPoints", $"WeightZeroPoints = new int[] {{ {string.Join(", ", items)} }}");
                    Anchor(unit, $"L{i}.WeightZeroPoints");
                }
                else
                {
                    Set(L, "WeightZeroPoint", "WeightZeroPoint = " + bad);
                    Anchor(unit, $"L{i}.WeightZeroPoint");
                }
                return true;
            }

            case "output-zero-point-out-of-range":
                Set(L, "OutputZeroPoint", "OutputZeroPoint = " + Pick(s.ActivationType == QuantType.Int8 ? new[] { "-129", "128", "300" } : new[] { "-1", "256", "-100" }));
                Anchor(unit, $"L{i}.OutputZeroPoint");
                return true;

            case "sizes-do-not-chain":
            {
                if (i == 0)
                {
                    int k = d.Inputs == 1 ? 2 : d.Inputs - 1;
                    FuzzArg size = Get(m.ModelArgs, "#0")!;
                    size.Text = Ctor(size, Inv(k));
                    Anchor(unit, "L0.#0", "Q.#0");
                    return true;
                }
                if (SharedWeights(m, i))
                    return false;
                int inputs = d.Inputs + 1 + _r.Next(5);
                int[] weights = Enumerable.Range(0, inputs * d.Outputs).Select(_ => _r.Next(-5, 6) & (d.WeightType == QuantType.Int8 ? -1 : 0xFF)).ToArray();
                if (!ReplaceWeights(unit, m, i, weights))
                    return false;
                FuzzArg arg = Get(L, "#0")!;
                arg.Text = Ctor(arg, Inv(inputs));
                Anchor(unit, $"L{i}.#0", $"L{i - 1}.#1");
                return true;
            }

            case "weights-count":
            {
                FuzzField? field = WeightField(m, i);
                if (field is null)
                    return false;
                field.Values = field.Values.Length > 0 && Chance(0.5) ? field.Values.Take(field.Values.Length - 1).ToArray() : field.Values.Append(1).ToArray();
                Anchor(unit, "F." + FuzzField.Unescaped(field.Name), $"L{i}.Weights");
                return true;
            }

            case "bias-count":
            {
                FuzzField? field = BiasField(m, i);
                if (field is null)
                    return false;
                field.Values = field.Values.Length > 0 && Chance(0.5) ? field.Values.Take(field.Values.Length - 1).ToArray() : field.Values.Append(7).ToArray();
                Anchor(unit, "F." + FuzzField.Unescaped(field.Name), $"L{i}.Bias");
                return true;
            }

            case "per-channel-count":
            {
                int count = d.Outputs >= 2 && Chance(0.5) ? d.Outputs - 1 : d.Outputs + 1 + _r.Next(3);
                if (Chance(0.5))
                {
                    Remove(L, "WeightScale");
                    Set(L, "WeightScales", "WeightScales = new float[] { " + string.Join(", ", Enumerable.Repeat("0.01f", count)) + " }");
                    Anchor(unit, $"L{i}.WeightScales");
                }
                else
                {
                    Remove(L, "WeightZeroPoint");
                    string zero = d.WeightType == QuantType.Int8 ? "0" : "128";
                    Set(L, "WeightZeroPoints", "WeightZeroPoints = new[] { " + string.Join(", ", Enumerable.Repeat(zero, count)) + " }");
                    Anchor(unit, $"L{i}.WeightZeroPoints");
                }
                return true;
            }

            case "weights-or-bias-field-missing":
            {
                bool bias = BiasField(m, i) is not null && Chance(0.4);
                if (!bias && WeightField(m, i) is null)
                    return false;
                string key = bias ? "Bias" : "Weights";
                string type = bias ? "int" : element;
                switch (_r.Next(3))
                {
                    case 0:
                        Set(L, key, $"{key} = \"{Fresh(unit, "Missing" + key)}\"");
                        break;
                    case 1:
                    {
                        string method = Fresh(unit, "Get" + key);
                        m.Members.Add($"private static {type}[] {method}() => new {type}[0];");
                        Set(L, key, $"{key} = nameof({method})");
                        unit.AllowedIds.Add("KG0011");
                        break;
                    }
                    default:
                    {
                        string property = Fresh(unit, key + "Property");
                        m.Members.Add($"private static {type}[] {property} => new {type}[0];");
                        Set(L, key, $"{key} = nameof({property})");
                        unit.AllowedIds.Add("KG0011");
                        break;
                    }
                }
                Anchor(unit, $"L{i}.{key}");
                return true;
            }

            case "field-not-static-readonly":
            {
                FuzzField? field = Chance(0.5) ? WeightField(m, i) : BiasField(m, i) ?? WeightField(m, i);
                if (field is null)
                    return false;
                bool instanceAllowed = (m.Keyword is "class" or "record" or "record class") && !m.Modifiers.Contains("static");
                if (instanceAllowed && Chance(0.4))
                    field.Static = false;
                else
                    field.ReadOnly = false;
                Anchor(unit, "F." + FuzzField.Unescaped(field.Name), $"L{i}.Weights", $"L{i}.Bias");
                return true;
            }

            case "field-without-array-initializer":
            {
                FuzzField? field = Chance(0.5) ? WeightField(m, i) : BiasField(m, i) ?? WeightField(m, i);
                if (field is null)
                    return false;
                string t = field.ElementType;
                switch (_r.Next(5))
                {
                    case 0: field.InitializerOverride = ""; break;
                    case 1: field.InitializerOverride = "null"; break;
                    case 2: field.InitializerOverride = $"new {t}[{field.Values.Length}]"; break;
                    case 3: field.InitializerOverride = $"global::System.Array.Empty<{t}>()"; break;
                    default:
                    {
                        string method = Fresh(unit, "Make");
                        m.Members.Add($"private static {t}[] {method}() => new {t}[{field.Values.Length}];");
                        field.InitializerOverride = method + "()";
                        break;
                    }
                }
                Anchor(unit, "F." + FuzzField.Unescaped(field.Name), $"L{i}.Weights", $"L{i}.Bias");
                return true;
            }

            case "field-non-constant-element":
            {
                FuzzField? field = Chance(0.5) ? WeightField(m, i) : BiasField(m, i) ?? WeightField(m, i);
                if (field is null || field.Values.Length == 0)
                    return false;
                string t = field.ElementType;
                string variable = Fresh(unit, "v");
                m.Members.Add(Chance(0.5) ? $"private static int {variable} = 3;" : $"private static readonly {t} {variable} = 1;");
                var elements = field.Values.Select(v => FuzzFactory.Element(v, t, 0, typed: false)).ToArray();
                int k = _r.Next(elements.Length);
                elements[k] = FuzzText.Mark("E", $"({t}){variable}");
                field.InitializerOverride = $"new {t}[] {{ {string.Join(", ", elements)} }}";
                Anchor(unit, "E", "F." + FuzzField.Unescaped(field.Name));
                return true;
            }

            case "large-field-non-literal-element":
            {
                FuzzField? field = m.Fields.FirstOrDefault(f => f.Values.Length > FuzzField.SyntaxOnlyThreshold && f.InitializerOverride is null && !f.ForceCast);
                if (field is null)
                    return false;
                string t = field.ElementType;
                var elements = field.Values.Select(v => FuzzFactory.Element(v, t, 0, typed: false)).ToArray();
                int k = _r.Next(elements.Length);
                // A constant, but not a literal form: the semantic reader would accept it, the syntax-only reader must not guess.
                int value = field.Values[k];
                elements[k] = FuzzText.Mark("E", t switch
                {
                    "int" => $"({value - 1} + 1)",
                    "byte" => $"(byte)({value} + 0)",
                    _ => Chance(0.5) && (value is -128 or 127) ? (value < 0 ? "sbyte.MinValue" : "sbyte.MaxValue") : $"(sbyte)({value - 1} + 1)",
                });
                field.InitializerOverride = "{ " + string.Join(", ", elements) + " }";
                Anchor(unit, "E");
                return true;
            }

            case "field-two-dimensional":
            {
                FuzzField? field = Chance(0.5) ? WeightField(m, i) : BiasField(m, i) ?? WeightField(m, i);
                if (field is null)
                    return false;
                field.TypeOverride = field.ElementType + "[,]";
                field.InitializerOverride = "{ { " + field.Elements(new Random(field.Seed), typed: false) + " } }";
                Anchor(unit, "F." + FuzzField.Unescaped(field.Name));
                return true;
            }

            case "file-missing":
            {
                string key = Chance(0.6) ? "WeightsFile" : "BiasFile";
                Remove(L, key == "WeightsFile" ? "Weights" : "Bias");
                Set(L, key, $"{key} = \"{(Chance(0.3) ? "nowhere/" : "")}{unit.Token}_absent_{_r.Next(100)}.bin\"");
                Anchor(unit, $"L{i}.{key}");
                return true;
            }

            case "file-ambiguous":
            {
                bool weights = Chance(0.6);
                byte[] bytes = weights ? d.Weights.Select(v => (byte)v).ToArray() : (d.Bias ?? new int[d.Outputs]).SelectMany(BitConverter.GetBytes).ToArray();
                string relative = NewFile(unit, weights ? "w" : "b", bytes, "one");
                NewFile(unit, weights ? "w" : "b", bytes, "two");
                string file = relative.Split('/')[1];
                // Both copies end in the same file name: rename the second to match.
                FuzzFile second = unit.Files[^1];
                unit.Files[^1] = second with { Path = Path.Combine(Path.GetDirectoryName(second.Path)!, file) };
                string key = weights ? "WeightsFile" : "BiasFile";
                Remove(L, weights ? "Weights" : "Bias");
                Set(L, key, $"{key} = \"{file}\"");
                Anchor(unit, $"L{i}.{key}");
                return true;
            }

            case "file-wrong-length":
            {
                bool weights = Chance(0.6);
                int good = weights ? d.Inputs * d.Outputs : 4 * d.Outputs;
                int length = weights
                    ? (Chance(0.5) ? good + 1 : Chance(0.7) ? good - 1 : 0)
                    : Pick(new[] { good - 1, good + 1, good + 4, 0, good - 4 }.Where(n => n >= 0 && n != good).ToArray());
                byte[] bytes = new byte[length];
                _r.NextBytes(bytes);
                string key = weights ? "WeightsFile" : "BiasFile";
                Remove(L, weights ? "Weights" : "Bias");
                Set(L, key, $"{key} = \"{NewFile(unit, weights ? "w" : "b", bytes)}\"");
                Anchor(unit, $"L{i}.{key}");
                return true;
            }

            case "no-weights":
                Remove(L, "Weights");
                Remove(L, "WeightsFile");
                Anchor(unit, $"L{i}");
                return true;

            case "weights-field-and-file":
            {
                byte[] bytes = d.Weights.Select(v => (byte)v).ToArray();
                if (Get(L, "Weights") is null)
                    Set(L, "Weights", $"Weights = nameof({NewField(unit, m, element, d.Weights, "WBoth").Name})");
                else
                    Set(L, "WeightsFile", $"WeightsFile = \"{NewFile(unit, "w", bytes)}\"");
                Anchor(unit, $"L{i}");
                return true;
            }

            case "bias-field-and-file":
            {
                int[] bias = d.Bias ?? new int[d.Outputs];
                if (Get(L, "Bias") is null)
                    Set(L, "Bias", $"Bias = nameof({NewField(unit, m, "int", bias, "BBoth").Name})");
                if (Get(L, "BiasFile") is null)
                    Set(L, "BiasFile", $"BiasFile = \"{NewFile(unit, "b", bias.SelectMany(BitConverter.GetBytes).ToArray())}\"");
                Anchor(unit, $"L{i}");
                return true;
            }

            case "no-weight-scale":
                Remove(L, "WeightScale");
                Remove(L, "WeightScales");
                Anchor(unit, $"L{i}");
                return true;

            case "both-weight-scale-forms":
                Set(L, "WeightScale", "WeightScale = 0.01f");
                Set(L, "WeightScales", "WeightScales = new[] { " + string.Join(", ", Enumerable.Repeat("0.01f", d.Outputs)) + " }");
                Anchor(unit, $"L{i}");
                return true;

            case "both-zero-point-forms":
            {
                string zero = d.WeightType == QuantType.Int8 ? "0" : "128";
                Set(L, "WeightZeroPoint", "WeightZeroPoint = " + zero);
                Set(L, "WeightZeroPoints", "WeightZeroPoints = new int[] { " + string.Join(", ", Enumerable.Repeat(zero, d.Outputs)) + " }");
                Anchor(unit, $"L{i}");
                return true;
            }

            case "multiplier-out-of-range":
            {
                float input = i == 0 ? s.InputScale : s.Layers[i - 1].OutputScale;
                float weight = d.WeightScales.Max();
                double product = d.PerChannelScales ? (double)input * weight : (float)(input * weight);
                float output = (float)(product / Math.Pow(2, 33));
                if (!(output > 1e-37f) || float.IsInfinity(output))
                    return false;
                Set(L, "OutputScale", "OutputScale = " + FuzzFactory.F(output));
                Anchor(unit, $"L{i}.OutputScale", $"L{i}.WeightScale", $"L{i}.WeightScales");
                return true;
            }

            case "model-input-size-invalid":
            {
                FuzzArg size = Get(m.ModelArgs, "#0")!;
                size.Text = Ctor(size, Pick(new[] { "0", "-1", "65537", "100000", "int.MinValue" }));
                Anchor(unit, "Q.#0");
                unit.AllowedIds.Add("KG0006");
                return true;
            }

            case "layer-size-invalid":
            {
                string key = Chance(0.5) ? "#0" : "#1";
                FuzzArg size = Get(L, key)!;
                size.Text = Ctor(size, Pick(new[] { "0", "-3", "65537", "1000000" }));
                Anchor(unit, $"L{i}.{key}");
                unit.AllowedIds.UnionWith(new[] { "KG0006", "KG0007", "KG0008", "KG0009", "KG0013" });
                return true;
            }

            case "layer-too-large":
            {
                FuzzArg inputs = Get(L, "#0")!, outputs = Get(L, "#1")!;
                inputs.Text = Ctor(inputs, "65536");
                outputs.Text = Ctor(outputs, "1025");
                Anchor(unit, $"L{i}");
                unit.AllowedIds.UnionWith(new[] { "KG0006", "KG0007", "KG0008", "KG0009", "KG0013" });
                return true;
            }

            case "layer-name-not-identifier":
                Set(L, "Name", "Name = \"" + Pick(new[] { "1st", "a b", "a-b", "fc.1", "@fc", "", "x y", "fc!", "9", "\\u0041\\u0020" }) + "\"");
                Anchor(unit, $"L{i}.Name");
                return true;

            case "layer-names-equal-after-capitalizing":
            {
                if (layers < 2)
                    return false;
                int a = _r.Next(layers - 1), b = a + 1 + _r.Next(layers - a - 1);
                if (Chance(0.2))
                {
                    Remove(m.LayerArgs[a], "Name");
                    Set(m.LayerArgs[b], "Name", $"Name = \"Dense{a}\"");
                }
                else
                {
                    (string first, string second) = Pick(new[] { ("fc", "Fc"), ("fc", "fc"), ("über", "Über"), ("_a", "_a"), ("x", "X"), ("hidden", "Hidden"), ("Row", "row"),
                        ("fcx", "fc\\u00ADx") }); // C# ignores formatting characters (U+00AD) in identifiers
                    Set(m.LayerArgs[a], "Name", $"Name = \"{first}\"");
                    Set(m.LayerArgs[b], "Name", $"Name = \"{second}\"");
                }
                Anchor(unit, $"L{b}.Name", $"L{a}.Name");
                return true;
            }

            case "activation-unknown":
                Set(L, "Activation", "Activation = " + Pick(new[] { $"({q}Activation)3", $"({q}Activation)(-1)", $"({q}Activation)100" }));
                Anchor(unit, $"L{i}.Activation");
                return true;

            case "model-attribute-twice":
                m.Split = true;
                m.DuplicateModelAttribute = true;
                Anchor(unit, "Q2", "Id2"); // README: reported at the extra declarations
                unit.AllowedUserErrors.Add("CS0579"); // AllowMultiple = false: the compiler reports the duplicate too
                return true;

            case "member-named-like-generated":
            {
                string member = Pick(new[] { "InputSize", "OutputSize", "ActivePath", "KernelGenKernels" });
                if (unit.Used.Contains(member))
                    return false;
                unit.Used.Add(member);
                string id = FuzzText.Mark("Mem." + member, member);
                bool isStatic = m.Modifiers.Contains("static");
                var options = new List<string>
                {
                    $"public const int {id} = 3;",
                    $"public static int {id};",
                    $"public static int {id} => 4;",
                    $"public static void {id}() {{ }}",
                    $"private class {id} {{ }}",
                    $"internal static event global::System.Action {id};",
                    $"public enum {id} {{ A }}",
                };
                if (!isStatic && !m.Keyword.Contains("struct")) // a struct's get-only auto-property must be assigned (before C# 11)
                    options.Add($"public int {id} {{ get; }}");
                (m.Split && Chance(0.5) ? m.SplitMembers : m.Members).Add(Pick(options));
                Anchor(unit, "Mem." + member);
                return true;
            }

            case "method-with-generated-signature":
            {
                string method = Chance(0.6) ? "Run" : "RunReference";
                string id = FuzzText.Mark("Mem." + method, method);
                bool instance = !m.Modifiers.Contains("static") && Chance(0.3);
                string a = Pick(new[] { "input", "x", "source" }), b = Pick(new[] { "output", "y", "destination" });
                string text = $"public {(instance ? "" : "static ")}void {id}(global::System.ReadOnlySpan<{m.Element}> {a}, global::System.Span<{m.Element}> {b}) {{ }}";
                (m.Split && Chance(0.5) ? m.SplitMembers : m.Members).Add(text);
                Anchor(unit, "Mem." + method);
                return true;
            }

            case "model-type-named-like-generated":
            {
                if (unit.Models.Count > 1)
                    return false;
                string reserved = Pick(FuzzFactory.Reserved);
                if (unit.Used.Contains(reserved))
                    return false;
                unit.Used.Add(reserved);
                string old = m.Name;
                m.Name = reserved;
                // Members that named the old type or the new name (a member may not share its type's name).
                m.Members.RemoveAll(text => text.Contains($"static {old}()", StringComparison.Ordinal)
                    || Regex.IsMatch(Regex.Replace(text, "\"[^\"]*\"", "\"\""), $@"\b{reserved}\b"));
                Anchor(unit, "Id");
                return true;
            }

            case "record-parameter-named-like-generated":
            {
                if (!m.Keyword.StartsWith("record", StringComparison.Ordinal) || unit.Models.Count > 1)
                    return false;
                string member = Pick(new[] { "InputSize", "OutputSize", "ActivePath" });
                if (unit.Used.Contains(member))
                    return false;
                unit.Used.Add(member);
                m.PrimaryConstructor = $"(int {FuzzText.Mark("Mem." + member, member)})";
                Anchor(unit, "Mem." + member);
                return true;
            }

            case "type-parameter-named-like-generated":
            {
                string reserved = Pick(new[] { "InputSize", "OutputSize", "ActivePath", "KernelGenKernels" });
                if (unit.Used.Contains(reserved) || unit.Models.Count > 1)
                    return false;
                // A nested attribute class would become a generic attribute (C# 11).
                if (!O.Supports(FuzzBatchOptions.CSharp11) && m.Members.Any(text => text.Contains("global::System.Attribute", StringComparison.Ordinal)))
                    return false;
                unit.Used.Add(reserved);
                m.TypeParameters.Insert(_r.Next(m.TypeParameters.Count + 1), reserved);
                Anchor(unit, "TP." + reserved);
                return true;
            }

            case "file-local-model":
            {
                if (!O.Supports(FuzzBatchOptions.CSharp11) || unit.Models.Count > 1 || unit.Namespace is null)
                    return false;
                m.SplitElsewhere = false; // a file-local type cannot have parts in another file
                if (m.Containers.Count == 0)
                {
                    m.Modifiers = "file " + StripAccess(m.Modifiers);
                    Anchor(unit, "Id", "Q");
                }
                else
                {
                    m.Containers[0].Modifiers = "file " + StripAccess(m.Containers[0].Modifiers);
                    Anchor(unit, "Id", "Q", "C0.Id");
                }
                return true;
            }

            case "interface-model":
            {
                if (!O.Supports(FuzzBatchOptions.CSharp8) || unit.Models.Count > 1)
                    return false;
                m.Keyword = "interface";
                m.Modifiers = Regex.Match(m.Modifiers, @"^((public|internal|private|protected) )*").Value;
                if (m.Modifiers.Contains("protected") || m.Modifiers.Contains("private"))
                    m.Modifiers = "public ";
                m.PrimaryConstructor = "";
                m.BaseList = "";
                m.Members.RemoveAll(text => text.Contains("this[", StringComparison.Ordinal) || text.Contains("Dispose", StringComparison.Ordinal)
                    || text.StartsWith("public void Run()", StringComparison.Ordinal) || text.Contains("unsafe", StringComparison.Ordinal));
                Anchor(unit, "Id", "Q");
                unit.AllowedUserErrors.Add("CS0592"); // [QuantizedModel] is not valid on interfaces
                return true;
            }
        }
        throw new ArgumentException("Unknown mutation " + name);
    }

    private static string StripAccess(string modifiers)
        => Regex.Replace(modifiers, @"\b(public|internal|private|protected) ", "");

    /// <summary>Gives layer <paramref name="i"/> new weights of another count, wherever they live.</summary>
    private bool ReplaceWeights(FuzzUnit unit, FuzzModel m, int i, int[] weights)
    {
        List<FuzzArg> L = m.LayerArgs[i];
        if (WeightField(m, i) is { } field)
        {
            field.Values = weights;
            return true;
        }
        if (Get(L, "WeightsFile") is { } file)
        {
            file.Text = $"WeightsFile = \"{NewFile(unit, "w", weights.Select(v => (byte)v).ToArray())}\"";
            return true;
        }
        return false;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Garbage

    /// <summary>
    /// One to three random token deletions, duplications, replacements or swaps in a valid unit's text. The damage must
    /// not move a declaration out of the unit's namespace (parser recovery can close a block namespace early): such a
    /// type could shadow names in every other declaration of the batch, so that damage is drawn again.
    /// </summary>
    public void Garble(FuzzUnit unit)
    {
        string original = unit.Text;
        for (int attempt = 0; attempt < 20; attempt++)
        {
            (string text, string description) = Damage(unit, original);
            if (StaysInItsNamespace(text, unit.Token))
            {
                unit.Text = text;
                unit.Spans = new Dictionary<string, List<Microsoft.CodeAnalysis.Text.TextSpan>>();
                unit.Kind = FuzzKind.Garbage;
                unit.Mutation = "garbage: " + description;
                return;
            }
        }
        unit.Text = original + "\n// (no damage that keeps the namespace was found)\n";
        unit.Kind = FuzzKind.Garbage;
        unit.Mutation = "garbage: none";
    }

    private bool StaysInItsNamespace(string text, string token)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(O.LanguageVersion)).GetRoot();
        // Roslyn 4.14 itself throws (NullReferenceException in Binder.CanModifyReadonlyField, from GetAttributes, so inside
        // ForAttributeWithMetadataName before any generator code runs) on an assignment inside an attribute argument such
        // as nameof(B0 = 1): a compiler bug, not KernelGen's, so such damage is drawn again.
        if (root.DescendantNodes().OfType<AttributeSyntax>().Any(a => a.DescendantNodes().OfType<AssignmentExpressionSyntax>().Any()))
            return false;
        foreach (MemberDeclarationSyntax member in root.Members)
        {
            if (member is BaseNamespaceDeclarationSyntax ns)
            {
                if (!ns.Name.ToString().Contains(token, StringComparison.Ordinal))
                    return false;
            }
            else if (member is not IncompleteMemberSyntax)
            {
                return false; // a type, delegate or top-level statement in the global namespace
            }
        }
        return true;
    }

    private (string Text, string Description) Damage(FuzzUnit unit, string source)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(O.LanguageVersion)).GetRoot();
        var tokens = root.DescendantTokens().ToList();
        var candidates = new List<int>();
        for (int t = 0; t < tokens.Count; t++)
        {
            SyntaxToken token = tokens[t];
            if (token.IsKind(SyntaxKind.EndOfFileToken))
                continue;
            // The namespace stays: a declaration must not move into another's namespace (or the global one).
            if (token.Parent?.AncestorsAndSelf().Any(n => n is BaseNamespaceDeclarationSyntax ns && (ns.Name.Span.Contains(token.Span) || ns.NamespaceKeyword == token)) == true
                || token.Parent is FileScopedNamespaceDeclarationSyntax)
                continue;
            if (token.Parent is UsingDirectiveSyntax || token.Parent?.Parent is UsingDirectiveSyntax || token.Parent?.Ancestors().Any(a => a is UsingDirectiveSyntax) == true)
                continue;
            // Braces could close a block namespace early and move types into the global namespace.
            if (!unit.FileScoped && (token.IsKind(SyntaxKind.OpenBraceToken) || token.IsKind(SyntaxKind.CloseBraceToken)))
                continue;
            candidates.Add(t);
        }
        var text = tokens.Select(t => t.ToFullString()).ToList();
        var description = new List<string>();
        int operations = 1 + (Chance(0.3) ? 1 + _r.Next(2) : 0);
        for (int op = 0; op < operations && candidates.Count > 0; op++)
        {
            int t = candidates[_r.Next(candidates.Count)];
            string original = tokens[t].Text;
            switch (_r.Next(5))
            {
                case 0:
                    text[t] = tokens[t].LeadingTrivia.ToFullString() + tokens[t].TrailingTrivia.ToFullString();
                    description.Add($"deleted '{original}' at {tokens[t].SpanStart}");
                    break;
                case 1:
                    text[t] = text[t] + " " + original + " ";
                    description.Add($"duplicated '{original}' at {tokens[t].SpanStart}");
                    break;
                case 2:
                {
                    string replacement = Chance(0.6) ? Pick(ReplacementTokens) : tokens[candidates[_r.Next(candidates.Count)]].Text;
                    if (!unit.FileScoped && replacement is "{" or "}")
                        replacement = ";";
                    text[t] = tokens[t].LeadingTrivia.ToFullString() + replacement + " " + tokens[t].TrailingTrivia.ToFullString();
                    description.Add($"replaced '{original}' at {tokens[t].SpanStart} by '{replacement}'");
                    break;
                }
                case 3:
                {
                    int u = candidates[_r.Next(candidates.Count)];
                    (text[t], text[u]) = (text[u], text[t]);
                    description.Add($"swapped '{original}' at {tokens[t].SpanStart} and '{tokens[u].Text}' at {tokens[u].SpanStart}");
                    break;
                }
                default:
                {
                    int count = 2 + _r.Next(4);
                    int at = candidates.IndexOf(t);
                    var removed = candidates.Skip(at).Take(count).ToList();
                    foreach (int x in removed)
                        text[x] = tokens[x].LeadingTrivia.ToFullString() + tokens[x].TrailingTrivia.ToFullString();
                    description.Add($"deleted {removed.Count} tokens from '{original}' at {tokens[t].SpanStart}");
                    break;
                }
            }
        }
        return (string.Concat(text), string.Join("; ", description));
    }
}
