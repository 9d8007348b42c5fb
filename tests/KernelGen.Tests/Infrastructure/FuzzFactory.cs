using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Tests.Infrastructure;

/// <summary>What one batch shares: its options, names every file of the compilation sees, and where files go.</summary>
public sealed class FuzzBatchContext
{
    public required int Batch { get; init; }
    public required FuzzBatchOptions Options { get; init; }
    public required string Directory { get; init; }

    /// <summary><c>global using X = ...;</c> names of the batch (a helper tree), visible in every file.</summary>
    public HashSet<string> GlobalAliases { get; } = new(StringComparer.Ordinal);

    /// <summary>Types the global-namespace declaration puts in the global namespace, visible in every file.</summary>
    public HashSet<string> GlobalTypes { get; } = new(StringComparer.Ordinal);

    public string? GlobalUsingsSource { get; set; }

    /// <summary>Something visible everywhere shadows KernelGen's names: every declaration writes global::KernelGen.X.</summary>
    public bool ForceQualified => GlobalAliases.Count > 0 || GlobalTypes.Count > 0;
}

/// <summary>
/// Builds valid declarations at random: every type shape, name collision, language version feature, initializer
/// style and weight source the generator must accept. Valid by construction: the fuzzer knows each model's semantics.
/// </summary>
public sealed class FuzzFactory
{
    /// <summary>Names the generated code uses (or used to use) unqualified; user code defines them next to models.</summary>
    public static readonly string[] CollidingNames =
    {
        "Activation", "QuantType", "KernelPath", "Avx2", "AvxVnni", "Vector256", "Vector128", "Unsafe", "MemoryMarshal",
        "Span", "ReadOnlySpan", "MethodImplAttribute", "MethodImpl", "FixedPoint256", "Store256", "ScalarDense", "PackedDense",
        "KernelGuard", "ReferenceOps", "DenseReferenceLayer", "Math", "Int32", "Declared", "Row",
        // Beyond the user study's list: the rest of what a kernel file may name.
        "MethodImplOptions", "SkipLocalsInit", "SkipLocalsInitAttribute", "Vector", "X86", "Intrinsics", "Runtime",
        "InteropServices", "CompilerServices", "Kernels", "Simd", "Reference", "Quantization", "QuantizationMath",
        "FixedPoint", "ArgumentException", "Byte", "SByte", "Avx", "Sse2", "Ssse3", "Vector512", "Avx512BW", "Object",
        "String", "Exception", "KernelGen", "System",
        // Contextual keywords that name a type when a type of that name is in scope.
        "var", "nint", "nuint",
    };

    /// <summary>Names that must not live in the global namespace (they would shadow namespaces the fuzzer's own code names).</summary>
    private static readonly HashSet<string> NotGlobal = new() { "KernelGen", "System" };

    private static readonly HashSet<string> GenericCollisions = new() { "Span", "ReadOnlySpan", "Vector256", "Vector128", "Vector", "Vector512" };

    /// <summary>Members KernelGen generates: reserved (KG0021) and never used by valid declarations.</summary>
    public static readonly string[] Reserved = { "InputSize", "OutputSize", "ActivePath", "Run", "RunReference", "KernelGenKernels" };

    private static readonly string[] ModelNames = { "M", "Model", "Net", "Mlp", "Classifier", "@class", "@event", "@struct", "@int", "Modèle", "_Model", "m_2", "Digits", "M\\u0031", "Caf\\u00E9" };
    private static readonly string[] ContainerNames = { "G", "Outer", "Holder", "Host", "@struct", "@event", "@object", "Container", "Models", "Zoo" };
    private static readonly string[] TypeParameterNames = { "T", "U", "TKey", "TValue", "T1", "T2", "TIn", "TOut", "@class", "V" };
    private static readonly string[] NamespaceSegments = { "@namespace", "@int", "Models", "Inner", "Ml", "@class", "Runtime", "Intrinsics", "System", "KernelGen", "Unsafe", "Span", "Activation", "X86" };
    private static readonly string[] LayerNames =
    {
        "fc", "fc1", "hidden", "output", "Row", "Declared", "Run", "class", "event", "InputSize", "OutputSize", "ActivePath",
        "RunReference", "KernelGenKernels", "Unsafe", "Span", "Math", "_", "_x", "x", "über", "Layer", "dense_out", "fc_Weights",
        "Fc_Packed", "W0", "Kernels", "Avx2", "Scalar", "AvxVnni", "Bias", "Weights", "M", "Model", "i", "r", "y", "a",
        "var", "acc0", "x", "bias", "Layers", "RowAvx2", "ⅰx", "Multipliers", "c",
    };

    private readonly Random _r;
    private readonly FuzzBatchContext _batch;
    private FuzzBatchOptions O => _batch.Options;

    public FuzzFactory(Random random, FuzzBatchContext batch)
    {
        _r = random;
        _batch = batch;
    }

    private bool Chance(double p) => _r.NextDouble() < p;

    private T Pick<T>(IReadOnlyList<T> items) => items[_r.Next(items.Count)];

    private string Fresh(FuzzUnit unit, IReadOnlyList<string> pool, string fallback)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            string name = Pick(pool);
            if (!unit.Used.Contains(FuzzField.Unescaped(name)) && !_batch.GlobalTypes.Contains(FuzzField.Unescaped(name)))
            {
                unit.Used.Add(FuzzField.Unescaped(name));
                return name;
            }
        }
        for (int i = 0; ; i++)
        {
            string name = fallback + (i == 0 ? "" : i.ToString(CultureInfo.InvariantCulture));
            if (unit.Used.Add(name))
                return name;
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Batch-level pieces

    /// <summary>A helper tree of <c>global using</c> aliases named like the types generated code uses (C# 10+).</summary>
    public void GlobalUsings()
    {
        if (!O.Supports(FuzzBatchOptions.CSharp10) || !Chance(0.25))
            return;
        var lines = new List<string>();
        int count = 1 + _r.Next(3);
        for (int i = 0; i < count; i++)
        {
            string name = Pick(CollidingNames);
            if (NotGlobal.Contains(name) || !_batch.GlobalAliases.Add(name))
                continue;
            lines.Add($"global using {name} = {Pick(new[] { "global::System.Int32", "global::System.String", "global::System.Collections.Generic.List<int>" })};");
        }
        if (Chance(0.5))
            lines.Add("global using KernelGen;");
        _batch.GlobalUsingsSource = string.Join("\n", lines) + "\n";
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Declarations

    public FuzzUnit Create(int index, bool global)
    {
        string token = $"Fz{_batch.Batch}x{index}";
        var unit = new FuzzUnit { Batch = _batch.Batch, Index = index, Token = token };
        unit.Used.Add(token);
        unit.Features.Add(O.ToString());

        // Where the model lives.
        if (global)
        {
            unit.Namespace = null;
            unit.Features.Add("global namespace");
        }
        else
        {
            var segments = new List<string>();
            if (Chance(0.2))
            {
                segments.Add(Pick(new[] { "@namespace", "Company", "System", "KernelGen" }));
                unit.Features.Add("namespace under " + segments[0]);
            }
            segments.Add(token);
            int extra = Chance(0.3) ? 1 + _r.Next(2) : 0;
            for (int i = 0; i < extra; i++)
                segments.Add(Pick(NamespaceSegments));
            if (extra > 0)
                unit.Features.Add("namespace segments " + string.Join(".", segments.Skip(1)));
            unit.Namespace = string.Join(".", segments);
            unit.FileScoped = O.Supports(FuzzBatchOptions.CSharp10) && Chance(0.5);
            unit.Features.Add(unit.FileScoped ? "file-scoped namespace" : "block namespace");
            foreach (string s in segments)
                unit.Used.Add(FuzzField.Unescaped(s));
        }

        bool collisions = _batch.ForceQualified || unit.Namespace?.Split('.').Any(s => CollidingNames.Contains(s)) == true;

        FuzzModel model = NewModel(unit, global, ref collisions);
        unit.Models.Add(model);

        // A second model in the same tree whose name differs only in arity or case, or shares a container or hint name.
        if (!global && Chance(0.14))
            Twin(unit, model, ref collisions);

        // Attribute classes named like KernelGen's in the model's namespace, and a class using them: not a model.
        if (!global && Chance(0.04) && !unit.Used.Contains("QuantizedModelAttribute"))
        {
            unit.Used.UnionWith(new[] { "QuantizedModelAttribute", "DenseAttribute", "QuantizedModel", "Dense" });
            string decoy = "Decoy" + unit.Token;
            unit.Used.Add(decoy);
            unit.NamespaceMembers.Add(
                "public sealed class QuantizedModelAttribute : global::System.Attribute { public QuantizedModelAttribute(int inputSize) { } public float InputScale { get; set; } }\n"
                + "public sealed class DenseAttribute : global::System.Attribute { public DenseAttribute(int inputs, int outputs) { } public string Weights { get; set; } }\n"
                + "[QuantizedModel(4, InputScale = 0.5f)]\n[Dense(4, 2, Weights = \"W\")]\n"
                + $"public partial class {decoy} {{ static readonly sbyte[] W = {{ 1, 2, 3, 4, 5, 6, 7, 8 }}; }}");
            unit.Features.Add("look-alike QuantizedModelAttribute and DenseAttribute in the namespace, on a class that is no model");
            collisions = true;
        }

        // Colliding names next to the model: in its namespace, as using aliases.
        if (Chance(0.3))
        {
            int count = 1 + _r.Next(4);
            for (int i = 0; i < count; i++)
            {
                string name = Pick(CollidingNames);
                if (global && NotGlobal.Contains(name))
                    continue;
                if (unit.Used.Contains(name) || _batch.GlobalAliases.Contains(name) || (!global && _batch.GlobalTypes.Contains(name)))
                    continue;
                unit.Used.Add(name);
                unit.NamespaceMembers.Add(CollidingType(name, "public "));
                unit.Features.Add($"type {name} in the model's namespace");
                if (global)
                    _batch.GlobalTypes.Add(name);
                collisions = true;
            }
        }
        if (Chance(0.15))
        {
            int count = 1 + _r.Next(3);
            for (int i = 0; i < count; i++)
            {
                string name = Pick(CollidingNames);
                if (NotGlobal.Contains(name) || unit.Used.Contains(name) || _batch.GlobalAliases.Contains(name) || _batch.GlobalTypes.Contains(name))
                    continue;
                unit.Used.Add(name);
                unit.Top.Add($"using {name} = {Pick(new[] { "global::System.Int32", "global::System.String", "global::System.Object" })};");
                unit.Features.Add($"using alias {name}");
                collisions = true;
            }
        }

        foreach (FuzzModel m in unit.Models)
            NestedCollisions(unit, m, ref collisions);

        // How the user names KernelGen's attributes and enums.
        string q = collisions ? "global::KernelGen." : Pick(new[] { "", "KernelGen.", "global::KernelGen." });
        if (q.Length == 0)
            unit.Top.Insert(0, "using KernelGen;");
        foreach (FuzzModel m in unit.Models)
            m.Q = q;
        unit.Features.Add(q.Length == 0 ? "using KernelGen" : q + "X names");

        if (O.Supports(FuzzBatchOptions.CSharp8) && Chance(0.1))
            unit.Top.Add(Chance(0.5) ? "#nullable enable" : "#nullable disable");
        if (Chance(0.05))
            unit.Top.Add("#pragma warning disable CS0169, CS0414");

        // Semantics first (twins too), then the text.
        foreach (FuzzModel m in unit.Models)
            Write(unit, m, unit.Models.IndexOf(m));
        return unit;
    }

    private FuzzModel NewModel(FuzzUnit unit, bool global, ref bool collisions)
    {
        int cap = Chance(0.002) ? 90_000 : Chance(0.03) ? 12_000 : 2_048;
        var model = new FuzzModel { Semantics = Semantics(cap), Name = "" , Namespace = unit.Namespace };
        if (cap > 2_048)
            unit.Features.Add("large layer");

        // Containers.
        int containers = Chance(0.45) ? (Chance(0.8) ? 1 : Chance(0.6) ? 2 : 3 + _r.Next(3)) : 0;
        for (int k = 0; k < containers; k++)
        {
            FuzzContainer c = NewContainer(unit, global && k == 0, ref collisions);
            model.Containers.Add(c);
        }
        if (containers > 0)
            unit.Features.Add($"nested {containers} deep in " + string.Join(".", model.Containers.Select(c => c.Keyword + " " + c.Name + (c.TypeParameters.Count > 0 ? $"<{c.TypeParameters.Count}>" : ""))));

        // Name.
        string name;
        if (global && containers == 0)
            name = Fresh(unit, new[] { "GlobalModel" + unit.Token, "@class" + unit.Token, "Net" + unit.Token }, "M" + unit.Token);
        else if (Chance(0.1))
        {
            name = Fresh(unit, CollidingNames.Where(n => !global || !NotGlobal.Contains(n)).ToArray(), "M");
            collisions = true;
            unit.Features.Add($"model named {name}");
        }
        else if (Chance(0.01))
        {
            name = Fresh(unit, new[] { "Model_" + new string('x', 150) + "_" + unit.Token }, "Long");
            unit.Features.Add("model name of 160 characters");
        }
        else
            name = Fresh(unit, ModelNames, "M");
        model.Name = name;
        if (name.StartsWith('@') || name.Any(ch => ch > 127))
            unit.Features.Add($"model named {name}");

        Shape(unit, model, model.Containers.Count > 0, ref collisions);
        return model;
    }

    private FuzzContainer NewContainer(FuzzUnit unit, bool global, ref bool collisions)
    {
        var kinds = new List<(string Keyword, string Modifiers)> { ("class", ""), ("class", ""), ("class", ""), ("static class", ""), ("struct", "") };
        if (O.Supports(FuzzBatchOptions.CSharp9))
            kinds.Add(("record", ""));
        if (O.Supports(FuzzBatchOptions.CSharp10))
            kinds.Add(("record struct", ""));
        if (O.Supports(FuzzBatchOptions.CSharp8))
            kinds.Add(("interface", ""));
        (string keyword, _) = Pick(kinds);
        string modifiers = "";
        if (keyword == "static class")
        {
            keyword = "class";
            modifiers = Pick(new[] { "public ", "internal ", "" }) + "static ";
        }
        else
        {
            modifiers = Pick(new[] { "public ", "internal ", "" });
            if (keyword == "class" && Chance(0.2))
                modifiers += Pick(new[] { "sealed ", "abstract " });
        }
        string name;
        if (global)
            name = Fresh(unit, new[] { "Host" + unit.Token, "@struct" + unit.Token }, "G" + unit.Token);
        else if (Chance(0.08))
        {
            name = Fresh(unit, CollidingNames, "G");
            collisions = true;
        }
        else
            name = Fresh(unit, ContainerNames, "G");
        int arity = Chance(0.5) ? 0 : Chance(0.5) ? 1 : Chance(0.7) ? 2 : 3;
        var container = new FuzzContainer { Keyword = keyword, Modifiers = modifiers, Name = name };
        for (int i = 0; i < arity; i++)
            container.TypeParameters.Add(TypeParameter(unit, ref collisions));
        container.Constraints = Constraints(container.TypeParameters);
        return container;
    }

    private string TypeParameter(FuzzUnit unit, ref bool collisions)
    {
        if (Chance(0.1))
        {
            string name = Fresh(unit, new[] { "Span", "Unsafe", "Activation", "Math", "Row", "Int32", "MemoryMarshal", "Vector256", "KernelGuard", "Declared", "QuantType", "var", "nuint" }, "TC");
            collisions = true;
            unit.Features.Add($"type parameter named {name}");
            return name;
        }
        return Fresh(unit, TypeParameterNames, "TP");
    }

    private List<string> TypeParameters(FuzzUnit unit, int count, ref bool collisions)
    {
        var list = new List<string>();
        for (int i = 0; i < count; i++)
            list.Add(TypeParameter(unit, ref collisions));
        return list;
    }

    private string Constraints(List<string> parameters)
    {
        var clauses = new List<string>();
        foreach (string p in parameters)
        {
            if (!Chance(0.3))
                continue;
            var options = new List<string> { "struct", "global::System.IComparable<" + p + ">", "global::System.IEquatable<" + p + ">", "new()" };
            if (O.Supports(FuzzBatchOptions.CSharp7_3))
                options.Add("unmanaged");
            if (O.Supports(FuzzBatchOptions.CSharp8))
                options.Add("notnull");
            clauses.Add($" where {p} : {Pick(options)}");
        }
        return string.Concat(clauses);
    }

    /// <summary>Kind, modifiers, type parameters, primary constructor and base list of the model type.</summary>
    private void Shape(FuzzUnit unit, FuzzModel model, bool nested, ref bool collisions, bool keepTypeParameters = false)
    {
        var kinds = new List<string> { "class", "class", "class", "class", "static class", "static class", "struct", "struct" };
        if (O.Supports(FuzzBatchOptions.CSharp9))
            kinds.AddRange(new[] { "record", "record" });
        if (O.Supports(FuzzBatchOptions.CSharp10))
            kinds.AddRange(new[] { "record struct", "record class" });
        string kind = Pick(kinds);
        FuzzContainer? parent = nested ? model.Containers[^1] : null;
        bool structLikeParent = parent is not null && (parent.Keyword.Contains("struct") || parent.Modifiers.Contains("static"));

        string access = !nested
            ? Pick(new[] { "public ", "internal ", "" })
            : parent!.Keyword == "interface"
                ? Pick(new[] { "public ", "" })
                : structLikeParent
                    ? Pick(new[] { "public ", "internal ", "private ", "" })
                    : Pick(O.Supports(FuzzBatchOptions.CSharp7_2)
                        ? new[] { "public ", "internal ", "private ", "protected ", "protected internal ", "private protected ", "" }
                        : new[] { "public ", "internal ", "private ", "protected ", "protected internal ", "" });
        string extra = "";
        switch (kind)
        {
            case "static class":
                kind = "class";
                extra = "static ";
                break;
            case "class":
            case "record":
            case "record class":
                if (Chance(0.25))
                    extra = Pick(new[] { "sealed ", "abstract " });
                break;
            case "struct":
                if (O.Supports(FuzzBatchOptions.CSharp7_2) && Chance(0.35))
                    extra = Pick(new[] { "readonly ", "ref ", "readonly ref " });
                break;
            case "record struct":
                if (Chance(0.3))
                    extra = "readonly ";
                break;
        }
        if (O.AllowUnsafe && Chance(0.08))
        {
            extra = "unsafe " + extra;
            unit.Features.Add("unsafe modifier");
        }
        model.Keyword = kind;
        model.Modifiers = access + extra;
        unit.Features.Add((access + extra + kind).Trim());

        int arity = keepTypeParameters ? 0 : Chance(0.65) ? 0 : Chance(0.6) ? 1 : Chance(0.8) ? 2 : 3;
        for (int i = 0; i < arity; i++)
            model.TypeParameters.Add(TypeParameter(unit, ref collisions));
        model.Constraints = Constraints(model.TypeParameters);
        arity = model.TypeParameters.Count;
        if (arity > 0)
            unit.Features.Add($"generic model <{string.Join(", ", model.TypeParameters)}>{model.Constraints}");

        bool isStatic = extra.Contains("static");
        bool isRecord = kind.StartsWith("record", StringComparison.Ordinal);
        if (isRecord && Chance(0.5))
        {
            string p = Fresh(unit, new[] { "X", "Value", "Seed" }, "P");
            model.PrimaryConstructor = $"(int {p})";
            unit.Features.Add("positional record");
        }
        else if (!isStatic && !isRecord && O.Supports(FuzzBatchOptions.CSharp12) && Chance(0.12))
        {
            string p = Fresh(unit, new[] { "seed", "scale" }, "p");
            model.PrimaryConstructor = $"(int {p})";
            unit.Features.Add("primary constructor");
        }

        // A base type whose members the generated ones hide: only the model's own members collide (KG0021).
        if (kind == "class" && !isStatic && Chance(0.1))
        {
            string baseName = Fresh(unit, new[] { "ModelBase", "Base" + unit.Token }, "Base");
            unit.NamespaceMembers.Add(
                $$"""
                public class {{baseName}}
                {
                    public const int InputSize = 1;
                    public static int OutputSize => 2;
                    public static int ActivePath;
                    public static void Run(global::System.ReadOnlySpan<byte> input, global::System.Span<byte> output) { }
                    public static void RunReference(global::System.ReadOnlySpan<sbyte> input, global::System.Span<sbyte> output) { }
                    protected class KernelGenKernels { }
                }
                """);
            model.BaseList = " : " + baseName;
            unit.Features.Add("base class declaring InputSize/OutputSize/ActivePath/Run/RunReference/KernelGenKernels");
        }
        else if (kind == "struct" && !extra.Contains("ref") && Chance(0.1))
        {
            model.BaseList = " : global::System.IDisposable";
            model.Members.Add("public void Dispose() { }");
            unit.Features.Add("struct implementing IDisposable");
        }
    }

    /// <summary>A second model in the same declaration.</summary>
    private void Twin(FuzzUnit unit, FuzzModel first, ref bool collisions)
    {
        var twin = new FuzzModel { Semantics = Semantics(2_048), Name = first.Name, Namespace = first.Namespace };
        twin.Containers = first.Containers.Select(c => c.Copy()).ToList();
        var choices = new List<string> { "arity", "arity", "same-container" };
        char c0 = FuzzField.Unescaped(first.Name)[0];
        if (c0 < 128 && char.IsLetter(c0))
            choices.AddRange(new[] { "case", "case" });
        if (first.Containers.Count > 0)
            choices.Add("container-arity");
        if (!unit.FileScoped && first.Containers.Count > 0 && first.Containers[0].TypeParameters.Count > 0)
            choices.Add("hint-clash");
        bool derivable = (first.Keyword is "class" or "record" or "record class") && first.PrimaryConstructor.Length == 0
            && !first.Modifiers.Contains("static") && !first.Modifiers.Contains("sealed") && !first.Modifiers.Contains("private")
            && !first.Modifiers.Contains("protected");
        if (derivable)
            choices.AddRange(new[] { "derived", "derived" });
        choices.Add("nested-in-model");
        string choice = Pick(choices);
        switch (choice)
        {
            case "arity":
                twin.TypeParameters = TypeParameters(unit, first.TypeParameters.Count == 0 ? 1 + _r.Next(2) : first.TypeParameters.Count == 1 && Chance(0.5) ? 0 : first.TypeParameters.Count + 1, ref collisions);
                unit.Features.Add($"twin {first.Name}`{twin.TypeParameters.Count} beside {first.Name}`{first.TypeParameters.Count}");
                break;
            case "case":
            {
                string bare = FuzzField.Unescaped(first.Name);
                string toggled = (char.IsUpper(bare[0]) ? char.ToLowerInvariant(bare[0]) : char.ToUpperInvariant(bare[0])) + bare.Substring(1);
                if (SyntaxFacts.GetKeywordKind(toggled) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(toggled) != SyntaxKind.None)
                    toggled = "@" + toggled;
                if (!unit.Used.Add(FuzzField.Unescaped(toggled)))
                {
                    twin.Name = Fresh(unit, ModelNames, "M2");
                    unit.Features.Add($"twin {twin.Name} in the same container");
                    break;
                }
                twin.Name = toggled;
                twin.TypeParameters = TypeParameters(unit, first.TypeParameters.Count, ref collisions);
                unit.Features.Add($"twin {toggled} beside {first.Name} (names differ only in case)");
                break;
            }
            case "container-arity":
            {
                FuzzContainer last = twin.Containers[^1];
                int arity = last.TypeParameters.Count == 0 ? 1 : last.TypeParameters.Count == 1 && Chance(0.5) ? 0 : last.TypeParameters.Count + 1;
                var replaced = new FuzzContainer { Keyword = last.Keyword, Modifiers = last.Modifiers, Name = last.Name };
                for (int i = 0; i < arity; i++)
                    replaced.TypeParameters.Add(TypeParameter(unit, ref collisions));
                twin.Containers[^1] = replaced;
                twin.TypeParameters = TypeParameters(unit, first.TypeParameters.Count, ref collisions);
                unit.Features.Add($"twin in {last.Name}`{arity} beside {last.Name}`{last.TypeParameters.Count}");
                break;
            }
            case "hint-clash":
                // X.G<T>.M beside namespace X.G { M }: the same dotted name, different types.
                twin.Namespace = first.Namespace + "." + first.Containers[0].Name;
                twin.Containers = twin.Containers.Skip(1).ToList();
                twin.TypeParameters = TypeParameters(unit, first.TypeParameters.Count, ref collisions);
                unit.Features.Add($"twin in namespace {twin.Namespace} beside type {first.Containers[0].Name}<...>");
                break;
            case "derived":
                twin.Name = Fresh(unit, ModelNames, "Derived");
                break;
            case "nested-in-model":
                // A model nested in a model: the outer one is its containing type (one more partial declaration of it).
                twin.Containers.Add(new FuzzContainer
                {
                    Keyword = first.Keyword, Modifiers = first.Modifiers, Name = first.Name, TypeParameters = new List<string>(first.TypeParameters),
                });
                twin.Name = Fresh(unit, ModelNames, "Inner");
                unit.Features.Add($"model {twin.Name} nested in model {first.Name}");
                break;
            default:
                twin.Name = Fresh(unit, ModelNames, "M2");
                unit.Features.Add($"twin {twin.Name} in the same container");
                break;
        }
        Shape(unit, twin, twin.Containers.Count > 0, ref collisions, keepTypeParameters: choice is not ("same-container" or "nested-in-model" or "derived"));
        if (choice == "derived")
        {
            // A model deriving from a model: its generated members hide the base model's (declared new).
            twin.Keyword = first.Keyword;
            twin.Modifiers = Regex.Replace(first.Modifiers, @"\b(abstract|sealed|unsafe) ", "");
            twin.PrimaryConstructor = "";
            twin.Members.RemoveAll(m => m.Contains("Dispose", StringComparison.Ordinal));
            string arguments = first.TypeParameters.Count == 0 ? "" : "<" + string.Join(", ", first.TypeParameters.Select(_ => "int")) + ">";
            twin.BaseList = $" : {first.Name}{arguments}";
            unit.Features.Add($"model {twin.Name} derives from model {first.Name}{arguments}");
        }
        unit.Models.Add(twin);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Semantics

    public FuzzSemantics Semantics(int productCap)
    {
        QuantType activation = _r.Next(2) == 0 ? QuantType.UInt8 : QuantType.Int8;
        int layerCount = _r.Next(100) switch { < 63 => 1, < 90 => 2, < 97 => 3, _ => 4 };
        int size = Size();
        if (productCap > 2_048)
            size = _r.Next(64, 301);
        bool deep = productCap == 2_048 && Chance(0.015);
        if (deep)
        {
            layerCount = 5 + _r.Next(4);
            size = 1 + _r.Next(8);
        }
        bool widest = productCap == 2_048 && !deep && Chance(0.003);
        if (widest)
        {
            layerCount = 1;
            size = 65536; // the largest size there is, one output
        }
        int inputSize = size;
        float inputScale = LogUniform(1e-3, 0.5);
        int inputZero = ZeroPoint(activation);
        float scale = inputScale;
        var layers = new FuzzDense[layerCount];
        for (int i = 0; i < layerCount; i++)
        {
            int inputs = size;
            int outputs = deep ? 1 + _r.Next(8) : widest ? 1 : Math.Max(1, Math.Min(Size(), productCap / inputs));
            if (i == 0 && productCap > 2_048)
                outputs = Math.Max(4097 / inputs + 1, Math.Min(productCap / inputs, outputs));
            QuantType weightType = _r.Next(4) == 0 ? QuantType.UInt8 : QuantType.Int8;
            bool perChannel = _r.Next(2) == 0;
            int channels = perChannel ? outputs : 1;
            bool small = _r.Next(2) == 0;
            int[] weights = new int[inputs * outputs];
            for (int j = 0; j < weights.Length; j++)
            {
                weights[j] = weightType == QuantType.Int8
                    ? (small ? _r.Next(-64, 65) : _r.Next(-128, 128))
                    : (small ? _r.Next(96, 161) : _r.Next(0, 256));
            }
            int[] weightZeros = _r.Next(3) == 0
                ? Enumerable.Range(0, _r.Next(2) == 0 ? outputs : 1).Select(_ => ZeroPoint(weightType)).ToArray()
                : new[] { weightType == QuantType.UInt8 && _r.Next(2) == 0 ? 128 : 0 };
            float[] weightScales = Enumerable.Range(0, channels).Select(_ => LogUniform(1e-4, 0.1)).ToArray();
            int[]? bias = _r.Next(5) == 0 ? null : Enumerable.Range(0, outputs).Select(_ => Bias(inputs)).ToArray();
            double typical = 1.0 / (256.0 * Math.Sqrt(inputs));
            double multiplier = _r.Next(8) == 0 ? ExtremeMultiplier() : typical * Math.Pow(2, _r.NextDouble() * 6 - 3);
            float outputScale = (float)(scale * (double)weightScales.Max() / multiplier);
            if (!(outputScale > 0) || float.IsInfinity(outputScale))
                outputScale = 1f;
            int outputZero = ZeroPoint(activation);
            var act = (Activation)_r.Next(3);
            layers[i] = new FuzzDense(inputs, outputs, weightType, weights, weightScales, perChannel, weightZeros, bias, outputScale, outputZero, act);
            size = outputs;
            scale = outputScale;
        }
        return new FuzzSemantics(inputSize, activation, inputScale, inputZero, layers);
    }

    private static readonly int[] EdgeSizes = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17 };

    private int Size() => _r.Next(100) switch
    {
        < 45 => EdgeSizes[_r.Next(EdgeSizes.Length)],
        < 75 => _r.Next(1, 13),
        < 93 => _r.Next(13, 41),
        < 99 => _r.Next(41, 101),
        _ => _r.Next(101, 301),
    };

    private float LogUniform(double min, double max)
        => (float)Math.Exp(Math.Log(min) + _r.NextDouble() * (Math.Log(max) - Math.Log(min)));

    private int ZeroPoint(QuantType type)
    {
        int min = type == QuantType.Int8 ? -128 : 0;
        return _r.Next(4) switch
        {
            0 => min,
            1 => min + 255,
            2 => type == QuantType.Int8 ? 0 : 128,
            _ => _r.Next(min, min + 256),
        };
    }

    private int Bias(int inputs) => _r.Next(20) switch
    {
        0 => _r.Next(2) == 0 ? int.MaxValue - _r.Next(1000) : int.MinValue + _r.Next(1000),
        _ => (int)((_r.NextDouble() * 2 - 1) * 4096 * Math.Sqrt(inputs)),
    };

    private double ExtremeMultiplier() => _r.Next(4) switch
    {
        0 => Math.Pow(2, -33 - _r.Next(10)),
        1 => Math.Pow(2, -31) * (1 + _r.NextDouble()),
        2 => 1 + _r.NextDouble() * 100,
        _ => Math.Pow(2, 20 + _r.Next(10)) * (1 + _r.NextDouble() * 0.99),
    };

    // ----------------------------------------------------------------------------------------------------------------
    // Text of one model: attributes, fields, files, members

    private void Write(FuzzUnit unit, FuzzModel m, int j)
    {
        FuzzSemantics s = m.Semantics;
        string q = m.Q;
        bool isStatic = m.Modifiers.Contains("static");
        m.ModelAttribute = Chance(0.15) ? "QuantizedModelAttribute" : "QuantizedModel";
        m.DenseAttribute = Chance(0.15) ? "DenseAttribute" : "Dense";
        m.TypeTarget = Chance(0.08);
        m.AttributeLayout = _r.Next(100) switch { < 70 => 0, < 80 => 1, < 90 => 2, _ => 3 };
        m.Split = Chance(0.15);
        m.SplitElsewhere = m.Split && Chance(0.4);
        if (m.Split)
            unit.Features.Add(m.SplitElsewhere ? "second partial declaration in a second file holds fields" : "second partial declaration holds fields");

        m.DisabledAttribute = Chance(0.04);
        if (m.DisabledAttribute)
            unit.Features.Add("a bogus [Dense] in an #if block that is never compiled");

        // Other attributes on the model.
        if (Chance(0.08))
        {
            var extra = new List<string> { "[global::System.Serializable]", "[global::System.CLSCompliant(false)]", "[global::System.Diagnostics.DebuggerDisplay(\"model\")]", "[global::System.Obsolete(\"use the next one\")]" };
            if (O.AllowUnsafe && O.Supports(FuzzBatchOptions.CSharp9))
                extra.Add("[global::System.Runtime.CompilerServices.SkipLocalsInit]");
            if (m.Keyword.Contains("struct"))
                extra.Add("[global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.Auto)]");
            string attribute = Pick(extra);
            m.ExtraAttributes.Add(attribute);
            unit.Features.Add("model also carries " + attribute);
        }

        // [QuantizedModel]
        bool namedConstructor = Chance(0.1);
        string inputSize = SizeText(unit, m, s.InputSize);
        m.ModelArgs.Add(new FuzzArg("#0", namedConstructor ? $"inputSize: {inputSize}" : inputSize));
        var named = new List<FuzzArg>();
        if (s.ActivationType == QuantType.Int8 || Chance(0.3))
        {
            string text = QuantTypeText(q, s.ActivationType);
            if (Chance(0.05))
            {
                string name = Fresh(unit, new[] { "Activations", "ActType" }, "At");
                m.Members.Add($"private const {q}QuantType {name} = {text};");
                unit.Features.Add("ActivationType from a const field");
                text = name;
            }
            named.Add(new FuzzArg("ActivationType", "ActivationType = " + text));
        }
        named.Add(new FuzzArg("InputScale", "InputScale = " + ScaleText(unit, m, s.InputScale)));
        if (s.InputZeroPoint != 0 || Chance(0.5))
            named.Add(new FuzzArg("InputZeroPoint", "InputZeroPoint = " + IntText(s.InputZeroPoint)));
        Shuffle(named);
        m.ModelArgs.AddRange(named);

        // [Dense] per layer
        var layerNames = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < s.Layers.Length; i++)
        {
            FuzzDense l = s.Layers[i];
            var args = new List<FuzzArg>();
            bool namedSizes = Chance(0.08);
            if (namedSizes)
            {
                var sizes = new List<FuzzArg> { new("#0", $"inputs: {SizeText(unit, m, l.Inputs)}"), new("#1", $"outputs: {SizeText(unit, m, l.Outputs)}") };
                if (Chance(0.5))
                    sizes.Reverse();
                args.AddRange(sizes);
                unit.Features.Add("named constructor arguments");
            }
            else
            {
                args.Add(new FuzzArg("#0", SizeText(unit, m, l.Inputs)));
                args.Add(new FuzzArg("#1", SizeText(unit, m, l.Outputs)));
            }
            named = new List<FuzzArg>();
            // Names that differ only in a formatting character (C# ignores U+00AD in identifiers) are KG0017: DiagnosticsTests.
            if (Chance(0.5))
            {
                string name = Pick(LayerNames);
                string capitalized = char.ToUpperInvariant(name[0]) + name.Substring(1);
                if (layerNames.Add(capitalized) && !(name.StartsWith("Dense", StringComparison.Ordinal)))
                {
                    named.Add(new FuzzArg("Name", "Name = " + StringText(unit, m, name)));
                    unit.Features.Add($"layer named {name}");
                }
            }
            else
            {
                layerNames.Add("Dense" + i);
            }
            if (l.WeightType == QuantType.UInt8 || Chance(0.2))
                named.Add(new FuzzArg("WeightType", "WeightType = " + QuantTypeText(q, l.WeightType)));

            // Weights: a field (maybe shared with the previous layer) or a file.
            string element = l.WeightType == QuantType.Int8 ? "sbyte" : "byte";
            if (Chance(0.25) || l.Inputs * l.Outputs > 30_000)
            {
                string relative = FileName(unit, j, $"w{i}");
                AddFile(unit, relative, l.Weights.Select(v => (byte)v).ToArray());
                named.Add(new FuzzArg("WeightsFile", "WeightsFile = " + StringText(unit, m, relative)));
                m.WeightFields.Add(null);
                unit.Features.Add("weights file");
            }
            else
            {
                string? shared = i > 0 ? m.WeightFields[i - 1] : null;
                if (shared is not null && s.Layers[i - 1].Inputs == l.Inputs && s.Layers[i - 1].Outputs == l.Outputs
                    && s.Layers[i - 1].WeightType == l.WeightType && Chance(0.3))
                {
                    s.Layers[i] = l = l with { Weights = s.Layers[i - 1].Weights };
                    m.WeightFields.Add(shared);
                    unit.Features.Add("two layers read one weights field");
                }
                else
                {
                    FuzzField field = NewField(unit, m, element, l.Weights, $"W{i}");
                    m.WeightFields.Add(field.Name);
                    shared = field.Name;
                }
                named.Add(new FuzzArg("Weights", Chance(0.8) ? $"Weights = nameof({shared})" : $"Weights = \"{FuzzField.Unescaped(shared)}\""));
            }

            // Scales and zero points.
            if (!l.PerChannelScales)
                named.Add(new FuzzArg("WeightScale", "WeightScale = " + ScaleText(unit, m, l.WeightScales[0])));
            else
                named.Add(new FuzzArg("WeightScales", "WeightScales = " + FloatArray(l.WeightScales)));
            if (l.WeightZeroPoints.Length > 1)
                named.Add(new FuzzArg("WeightZeroPoints", "WeightZeroPoints = " + IntArray(l.WeightZeroPoints)));
            else if (l.WeightZeroPoints[0] != 0 || Chance(0.3))
            {
                if (Chance(0.15) && l.Outputs == 1)
                    named.Add(new FuzzArg("WeightZeroPoints", "WeightZeroPoints = " + IntArray(l.WeightZeroPoints)));
                else if (l.WeightZeroPoints[0] == 0 || l.Outputs == 1 || Chance(0.8))
                    named.Add(new FuzzArg("WeightZeroPoint", "WeightZeroPoint = " + IntText(l.WeightZeroPoints[0])));
                else
                {
                    int[] perChannel = Enumerable.Repeat(l.WeightZeroPoints[0], l.Outputs).ToArray();
                    named.Add(new FuzzArg("WeightZeroPoints", "WeightZeroPoints = " + IntArray(perChannel)));
                }
            }

            // Bias: none, a field or a file.
            if (l.Bias is null)
            {
                m.BiasFields.Add(null);
            }
            else if (Chance(0.25))
            {
                string relative = FileName(unit, j, $"b{i}");
                AddFile(unit, relative, l.Bias.SelectMany(BitConverter.GetBytes).ToArray());
                named.Add(new FuzzArg("BiasFile", "BiasFile = " + StringText(unit, m, relative)));
                m.BiasFields.Add(null);
                unit.Features.Add("bias file");
            }
            else
            {
                FuzzField field = NewField(unit, m, "int", l.Bias, $"B{i}");
                m.BiasFields.Add(field.Name);
                named.Add(new FuzzArg("Bias", Chance(0.8) ? $"Bias = nameof({field.Name})" : $"Bias = \"{FuzzField.Unescaped(field.Name)}\""));
            }

            named.Add(new FuzzArg("OutputScale", "OutputScale = " + ScaleText(unit, m, l.OutputScale)));
            if (l.OutputZeroPoint != 0 || Chance(0.5))
                named.Add(new FuzzArg("OutputZeroPoint", "OutputZeroPoint = " + IntText(l.OutputZeroPoint)));
            if (l.Activation != Activation.None || Chance(0.4))
                named.Add(new FuzzArg("Activation", "Activation = " + ActivationText(q, l.Activation)));
            Shuffle(named);
            args.AddRange(named);
            m.LayerArgs.Add(args);
        }

        // Members that look like the generated ones but do not collide.
        if (Chance(0.25))
        {
            int count = 1 + _r.Next(3);
            for (int i = 0; i < count; i++)
                Lookalike(unit, m, isStatic);
        }
        if (Chance(0.05))
        {
            m.Members.Add($"#region {FuzzField.Unescaped(m.Name)} helpers\n// nothing here\n#endregion");
        }
    }

    /// <summary>Types and members inside the model named like what generated code uses.</summary>
    private void NestedCollisions(FuzzUnit unit, FuzzModel m, ref bool collisions)
    {
        if (!Chance(0.25))
            return;
        int count = 1 + _r.Next(3);
        for (int i = 0; i < count; i++)
        {
            string name = Pick(CollidingNames);
            if (unit.Used.Contains(name))
                continue;
            // An attribute class inside a generic type is a generic attribute: C# 11 and later only.
            bool generic = m.TypeParameters.Count > 0 || m.Containers.Any(c => c.TypeParameters.Count > 0);
            if (generic && !O.Supports(FuzzBatchOptions.CSharp11) && (name.EndsWith("Attribute", StringComparison.Ordinal) || name is "MethodImpl" or "SkipLocalsInit"))
                continue;
            unit.Used.Add(name);
            collisions = true;
            if (Chance(0.3))
            {
                m.Members.Add(Pick(new[]
                {
                    $"private static int {name};",
                    $"internal static readonly int {name} = 3;",
                    $"public static void {name}() {{ }}",
                    $"private static int {name} => 1;",
                }));
                unit.Features.Add($"member {name} in the model");
            }
            else
            {
                m.Members.Add(CollidingType(name, Pick(new[] { "private ", "internal ", "public ", "" })));
                unit.Features.Add($"nested type {name} in the model");
            }
        }
    }

    private void Lookalike(FuzzUnit unit, FuzzModel m, bool isStatic)
    {
        string other = m.Element == "byte" ? "sbyte" : "byte";
        string bare = FuzzField.Unescaped(m.Name);
        var options = new List<(string Name, string Text)>
        {
            ("Run(int)", "public static int Run(int x) => x;"),
            ("RunReference(string)", "public static void RunReference(string s) { }"),
            ($"Run(ReadOnlySpan<{other}>, Span<{other}>)", $"public static void Run(global::System.ReadOnlySpan<{other}> input, global::System.Span<{other}> output) {{ }}"),
            ($"Run(Span<{m.Element}>)", $"public static void Run(global::System.Span<{m.Element}> output) {{ }}"),
            ($"RunReference(ReadOnlySpan<{m.Element}>, Span<{m.Element}>, int)", $"public static void RunReference(global::System.ReadOnlySpan<{m.Element}> input, global::System.Span<{m.Element}> output, int rows) {{ }}"),
            ("Kernels", "private static int Kernels;"),
            (bare + "Kernels", $"public static int {bare}Kernels;"),
            ("inputSize", "public static int inputSize;"),
            ("InputSize2", "public static int InputSize2 => 1;"),
            ("activePath", "public static void activePath() { }"),
            ("Row", "private static int Row;"),
            ("Declared", "internal static class Declared { }"),
            ("KernelGenKernels2", "private static class KernelGenKernels2 { }"),
            ("Changed", "public static event global::System.Action Changed;"),
        };
        if (!isStatic)
        {
            options.Add(("Run()", "public void Run() { }"));
            options.Add(("this[]", "public int this[int i] => i;"));
        }
        if (O.AllowUnsafe)
            options.Add(("Pointer", "public static unsafe void Pointer(byte* p) { }"));
        if (!m.Keyword.Contains("record") && !m.Name.Any(ch => ch > 127))
            options.Add(("static constructor", $"static {m.Name}() {{ }}"));
        (string name, string text) = Pick(options);
        string key = name.Split('(')[0];
        if (Reserved.Contains(key))
            return; // e.g. {Name}Kernels for a model named KernelGen
        if (!char.IsLetter(key[0]) && key != "this[]" && key != "static constructor")
            return;
        if (key is "Run" or "RunReference" ? m.Members.Contains(text) : !unit.Used.Add(key + (key is "this[]" or "static constructor" ? bare : "")))
            return;
        m.Members.Add(text);
        unit.Features.Add($"look-alike member {name}");
    }

    private FuzzField NewField(FuzzUnit unit, FuzzModel m, string element, int[] values, string fallback)
    {
        string name = Chance(0.75)
            ? Fresh(unit, new[] { fallback }, fallback)
            : Fresh(unit, new[] { "_" + fallback.ToLowerInvariant(), "weights" + fallback, "Layer" + fallback, "Unsafe", "Math", "Span", "MemoryMarshal", "Avx2", "Vector256", "KernelGuard", "ReferenceOps", "Row", "Declared", "@fixed", "@params", "w" + fallback }, fallback);
        if (CollidingNames.Contains(FuzzField.Unescaped(name)) || name.StartsWith('@'))
            unit.Features.Add($"field named {name}");
        int style = _r.Next(100) switch { < 45 => 0, < 60 => 1, < 70 => 2, < 85 => 3, _ => 4 };
        if (style == 4 && !O.Supports(FuzzBatchOptions.CSharp12))
            style = 0;
        var field = new FuzzField
        {
            Name = name,
            ElementType = element,
            Values = values,
            Style = style,
            ElementStyle = _r.Next(3) == 0 ? _r.Next(8) : 0,
            Access = Pick(new[] { "private ", "private ", "", "internal ", "public " }),
            SwapModifiers = Chance(0.1),
            Split = m.Split && Chance(0.6),
            Seed = _r.Next(),
            TypeSpelling = Chance(0.1) ? element switch { "sbyte" => "global::System.SByte", "byte" => "global::System.Byte", _ => "global::System.Int32" } : null,
            NullableAnnotation = O.Supports(FuzzBatchOptions.CSharp8) && Chance(0.1),
            TrailingComma = Chance(0.1),
            Decoration = Chance(0.08) ? 1 + _r.Next(2) : 0,
            JoinWithPrevious = Chance(0.25),
        };
        if (field.TypeSpelling is not null)
            unit.Features.Add($"field type spelled {field.TypeSpelling}[]");
        if (field.NullableAnnotation)
            unit.Features.Add("field type with ?");
        if (field.Decoration > 0)
            unit.Features.Add(field.Decoration == 1 ? "comment inside an initializer" : "#if block inside an initializer");
        unit.Features.Add("field initializer " + style switch { 0 => "{ }", 1 => "new T[] { }", 2 => "new T[n] { }", 3 => "new[] { }", _ => "[ ]" });
        m.Fields.Add(field);
        return field;
    }

    private void AddFile(FuzzUnit unit, string relative, byte[] bytes)
        => unit.Files.Add(new FuzzFile(Path.Combine(_batch.Directory, relative.Replace('/', Path.DirectorySeparatorChar)), bytes));

    private string FileName(FuzzUnit unit, int model, string what)
    {
        string file = _r.Next(12) switch
        {
            0 => $"{unit.Token} m{model} {what}.bin",
            1 => $"{unit.Token}_m{model}_{what}_poids_é.bin",
            2 => $"{unit.Token}.m{model}.{what}.weights",
            _ => $"{unit.Token}_m{model}_{what}.bin",
        };
        return Chance(0.2) ? $"sub{_r.Next(3)}/{file}" : file;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Literals

    public static string Element(int v, string type, int style, bool typed)
    {
        string inv(int x) => x.ToString(CultureInfo.InvariantCulture);
        switch (type)
        {
            case "sbyte":
                return style switch
                {
                    1 when !typed => v >= 0 ? "0x" + v.ToString("X", CultureInfo.InvariantCulture) : "-0x" + (-v).ToString("X", CultureInfo.InvariantCulture),
                    2 => $"(sbyte){inv(v)}",
                    3 => $"unchecked((sbyte){inv(v < 0 ? v + 256 : v)})",
                    4 => $"unchecked((sbyte)0x{v & 0xFF:X2})",
                    5 when v == -128 => "sbyte.MinValue",
                    5 when v == 127 => "sbyte.MaxValue",
                    6 => $"(sbyte)({inv(v - 1)} + 1)",
                    7 => $"checked((sbyte)({inv(v)}))",
                    8 when !typed => v < 0 ? $"-({inv(-v)})" : $"({inv(v)})",
                    _ => typed ? $"(sbyte){inv(v)}" : inv(v),
                };
            case "byte":
                return style switch
                {
                    1 when !typed => "0x" + v.ToString("X", CultureInfo.InvariantCulture),
                    2 => $"(byte){inv(v)}",
                    3 when v >= 128 => $"unchecked((byte){inv(v - 256)})",
                    4 => $"unchecked((byte)0x{v:X2})",
                    5 when v == 255 => "byte.MaxValue",
                    5 when v == 0 => "byte.MinValue",
                    6 => $"(byte)({inv(v)} + 0)",
                    8 => $"(byte)({inv(v)})",
                    _ => typed ? $"(byte){inv(v)}" : inv(v),
                };
            case "int":
                return style switch
                {
                    1 when v >= 0 => "0x" + v.ToString("X", CultureInfo.InvariantCulture),
                    1 when v > int.MinValue => "-0x" + (-v).ToString("X", CultureInfo.InvariantCulture),
                    2 or 4 => $"unchecked((int)0x{(uint)v:X8})",
                    5 when v == int.MaxValue => "int.MaxValue",
                    5 when v == int.MinValue => "int.MinValue",
                    6 when v > int.MinValue => $"({inv(v - 1)} + 1)",
                    8 when v > int.MinValue => v < 0 ? $"-({inv(-v)})" : $"({inv(v)})",
                    _ => inv(v),
                };
            default:
                // Wrong element types written by mutations: plain casts that compile for any value of the original range.
                return $"unchecked(({type}){inv(v)})";
        }
    }

    public static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    private string ScaleText(FuzzUnit unit, FuzzModel m, float value)
    {
        if (Chance(0.1))
        {
            string name = Fresh(unit, new[] { "InScale", "Scale" + unit.Used.Count, "S" + unit.Used.Count }, "Sc");
            m.Members.Add($"{Pick(new[] { "private ", "internal ", "public ", "" })}const float {name} = {F(value)};");
            unit.Features.Add("scale from a const field");
            return name;
        }
        return _r.Next(10) switch
        {
            0 => value.ToString("R", CultureInfo.InvariantCulture) + "F",
            1 => Exponent(value) ?? F(value),
            2 when F(value).StartsWith("0.", StringComparison.Ordinal) => F(value).Substring(1),
            _ => F(value),
        };
    }

    /// <summary>The same float written with an exponent (1.25e-3f), or null where that cannot be written exactly.</summary>
    private static string? Exponent(float value)
    {
        try
        {
            decimal d = decimal.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
            if (d <= 0)
                return null;
            int exponent = 0;
            while (d >= 10) { d /= 10; exponent++; }
            while (d < 1) { d *= 10; exponent--; }
            string text = d.ToString(CultureInfo.InvariantCulture) + "e" + exponent.ToString(CultureInfo.InvariantCulture) + "f";
            return float.Parse(text.TrimEnd('f'), CultureInfo.InvariantCulture) == value ? text : null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>A size written as a literal, most of the time, or as another constant expression of the same value.</summary>
    private string SizeText(FuzzUnit unit, FuzzModel m, int v)
    {
        string inv(int x) => x.ToString(CultureInfo.InvariantCulture);
        switch (_r.Next(30))
        {
            case 0: return "0x" + v.ToString("X", CultureInfo.InvariantCulture);
            case 1: return $"({inv(v)})";
            case 2 when v % 2 == 0: return $"{inv(v / 2)} * 2";
            case 3 when v > 1: return $"{inv(v - 1)} + 1";
            case 4 when v == 16: return "sizeof(long) * 2";
            case 5:
            {
                string name = Fresh(unit, new[] { "Size" + unit.Used.Count, "K" + unit.Used.Count }, "Kc");
                m.Members.Add($"{Pick(new[] { "private ", "internal ", "public ", "" })}const int {name} = {inv(v)};");
                unit.Features.Add("size from a const field");
                return name;
            }
            default: return inv(v);
        }
    }

    /// <summary>A string argument: a literal, a verbatim literal or a const field.</summary>
    private string StringText(FuzzUnit unit, FuzzModel m, string value)
    {
        switch (_r.Next(20))
        {
            case 0:
                return "@\"" + value + "\"";
            case 1:
            {
                string name = Fresh(unit, new[] { "Text" + unit.Used.Count, "Str" + unit.Used.Count }, "Sx");
                m.Members.Add($"{Pick(new[] { "private ", "internal ", "" })}const string {name} = \"{value}\";");
                unit.Features.Add("string argument from a const field");
                return name;
            }
            default:
                return "\"" + value + "\"";
        }
    }

    private string IntText(int v) => Chance(0.1) && v >= 0 ? "0x" + v.ToString("X", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    private string FloatArray(float[] values)
    {
        string items = string.Join(", ", values.Select(F));
        return _r.Next(O.Supports(FuzzBatchOptions.CSharp12) ? 4 : 3) switch
        {
            0 => $"new float[] {{ {items} }}",
            1 => $"new[] {{ {items} }}",
            2 => $"new float[{values.Length}] {{ {items} }}",
            _ => $"[{items}]",
        };
    }

    private string IntArray(int[] values)
    {
        string items = string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        return _r.Next(O.Supports(FuzzBatchOptions.CSharp12) ? 3 : 2) switch
        {
            0 => $"new int[] {{ {items} }}",
            1 => $"new[] {{ {items} }}",
            _ => $"[{items}]",
        };
    }

    private string QuantTypeText(string q, QuantType type)
        => Chance(0.15) ? $"({q}QuantType){(int)type}" : $"{q}QuantType.{type}";

    private string ActivationText(string q, Activation activation)
        => Chance(0.1) ? $"({q}Activation){(int)activation}" : $"{q}Activation.{activation}";

    /// <summary>A type named <paramref name="name"/>: a class, struct, enum, interface, delegate or attribute, generic where the real one is.</summary>
    public string CollidingType(string name, string access)
    {
        if (GenericCollisions.Contains(name) && Chance(0.6))
            return Pick(new[] { $"{access}struct {name}<T> {{ }}", $"{access}class {name}<T> {{ public static int Count; }}" });
        if (name.EndsWith("Attribute", StringComparison.Ordinal) || name is "MethodImpl" or "SkipLocalsInit")
            return $"{access}sealed class {name} : global::System.Attribute {{ }}";
        return _r.Next(7) switch
        {
            0 => $"{access}struct {name} {{ }}",
            1 => $"{access}enum {name} {{ None, Relu }}",
            2 => $"{access}interface {name} {{ }}",
            3 => $"{access}delegate void {name}();",
            4 => $"{access}static class {name} {{ public static bool IsSupported => false; }}",
            _ => $"{access}class {name} {{ }}",
        };
    }

    private void Shuffle<T>(List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int k = _r.Next(i + 1);
            (list[i], list[k]) = (list[k], list[i]);
        }
    }
}
