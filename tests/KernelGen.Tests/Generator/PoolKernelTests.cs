using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using KernelGen.Reference;
using KernelGen.Tests.Infrastructure;

namespace KernelGen.Tests.Generator;

/// <summary>
/// Compile-and-run for [MaxPool], [AveragePool], [GlobalAveragePool]: random layers (sizes, windows, strides, padding,
/// both types, both schemes, with and without rescale, activations) generated, compiled, run on every path, every byte
/// compared with the pool reference layers called directly and with RunReference.
/// </summary>
public sealed class PoolKernelTests
{
    private static readonly Lazy<Batch> Models = new(() => Batch.Create(seed: 777, count: 90));

    public static TheoryData<PinnedPath> Paths => ModelLoader.PathData();

    [Theory]
    [MemberData(nameof(Paths))]
    public void RandomPools_MatchReferenceBitForBit(PinnedPath path) => Models.Value.Check(path);

    [Fact]
    public void RandomPools_CoverTheKernelVariants()
    {
        string all = string.Concat(Models.Value.Run.Files.Select(f => f.Source));
        Assert.Contains("_Lookup(v);", all);                       // rescale table
        Assert.Contains("// the last block overlaps", all);        // channel tail
        Assert.Contains("fewer than one vector of 32", all);       // scalar for C < 32
        Assert.Contains("int16 sums", all);                        // narrow sums
        Assert.Contains("window rows 1..", all);                   // a top border group
        Assert.Contains("RequantizationScheme.Float", all);
        int clampedAway = Models.Value.Models.Count(m => m.Activation != Activation.None && !m.Rescale);
        Assert.True(clampedAway > 3);
    }

    /// <summary>A global pool over 256 x 256 uint8 / 362 x 362 int8 values: N + count reaches 2^24, so the division is
    /// taken in double.</summary>
    [Theory]
    [InlineData(QuantType.UInt8)]
    [InlineData(QuantType.Int8)]
    public void LargeGlobalAverage_DividesInDoubleExactly(QuantType type)
    {
        var random = new Random(5);
        int side = type == QuantType.Int8 ? 362 : 256;
        var spec = new PoolCase("Big", PoolKindT.Global, type, RequantizationScheme.FixedPoint, side, side, 33, 0, 0, 1, 1,
            null, Padding.Valid, 0.05f, type == QuantType.Int8 ? 3 : 120, null, null, Activation.None);
        var batch = Batch.Create(new[] { spec }, random, rows: 2);
        Assert.Contains("taken in double", batch.Run.Files[0].Source);
        // 256-value rows fit uint8's int16 row sums; 362-value int8 rows do not (int32 per tap).
        Assert.Equal(type == QuantType.UInt8, batch.Run.Files[0].Source.Contains("int16 sums per window row", StringComparison.Ordinal));
        foreach (PinnedPath path in new[] { PinnedPath.Native, PinnedPath.Scalar })
            batch.Check(path);
    }

    /// <summary>Global pools whose window rows hold more than an int16 sum (1 x 300: int32 per tap) or fewer
    /// (20 x 20: int16 per row), both types, with a rescale.</summary>
    [Theory]
    [InlineData(QuantType.UInt8, 1, 300)]
    [InlineData(QuantType.Int8, 2, 300)]
    [InlineData(QuantType.UInt8, 20, 20)]
    [InlineData(QuantType.Int8, 17, 19)]
    public void GlobalAverage_SumWidths(QuantType type, int h, int w)
    {
        var random = new Random(h * 1000 + w);
        var spec = new PoolCase("Wide", PoolKindT.Global, type, RequantizationScheme.Float, h, w, 64, 0, 0, 1, 1,
            null, Padding.Valid, 0.05f, type == QuantType.Int8 ? -7 : 100, 0.03f, 5, Activation.None);
        var batch = Batch.Create(new[] { spec }, random, rows: 3);
        foreach (PinnedPath path in new[] { PinnedPath.Native, PinnedPath.Avx512BW, PinnedPath.Avx2, PinnedPath.Scalar })
            batch.Check(path);
    }

    internal enum PoolKindT { Max, Average, Global }

    internal sealed record PoolCase(
        string ClassName, PoolKindT Kind, QuantType Type, RequantizationScheme Scheme, int H, int W, int C,
        int Kh, int Kw, int Sh, int Sw, int[]? Pads, Padding Padding, float InputScale, int InputZero,
        float? OutputScale, int? OutputZero, Activation Activation)
    {
        public bool Rescale => (OutputScale is { } s && s != InputScale) || (OutputZero is { } z && z != InputZero);

        public int[] ActualPads
        {
            get
            {
                if (Kind == PoolKindT.Global) return new int[4];
                if (Pads is not null) return Pads;
                if (Padding == Padding.Valid) return new int[4];
                ConvolutionGeometry.SamePadding(H, Kh, Sh, 1, out int t, out int b);
                ConvolutionGeometry.SamePadding(W, Kw, Sw, 1, out int l, out int r);
                return new[] { t, l, b, r };
            }
        }

        public int OutputBytes => Reference().OutputBytes;

        public IReferenceLayer Reference()
        {
            float os = OutputScale ?? InputScale;
            int oz = OutputZero ?? InputZero;
            return Kind switch
            {
                PoolKindT.Max => new MaxPoolReferenceLayer(H, W, C, Kh, Kw, new[] { Sh, Sw }, ActualPads, Type, InputScale, InputZero, os, oz, Activation, Scheme),
                PoolKindT.Average => new AveragePoolReferenceLayer(H, W, C, Kh, Kw, new[] { Sh, Sw }, ActualPads, Type, InputScale, InputZero, os, oz, Activation, Scheme),
                _ => new GlobalAveragePoolReferenceLayer(H, W, C, Type, InputScale, InputZero, os, oz, Activation.None, Scheme),
            };
        }

        public string Source()
        {
            string F(float v) => v.ToString("R", CultureInfo.InvariantCulture) + "f";
            var args = new List<string>();
            if (Kind != PoolKindT.Global)
            {
                args.Add(Kh.ToString(CultureInfo.InvariantCulture));
                args.Add(Kw.ToString(CultureInfo.InvariantCulture));
                if (Sh != Kh || Sw != Kw) args.Add($"Strides = new[] {{ {Sh}, {Sw} }}");
                if (Pads is not null) args.Add($"Pads = new[] {{ {string.Join(", ", Pads)} }}");
                else if (Padding == Padding.Same) args.Add("Padding = KernelGen.Padding.Same");
                if (Activation != Activation.None) args.Add($"Activation = KernelGen.Activation.{Activation}");
            }
            if (OutputScale is { } s) args.Add($"OutputScale = {F(s)}");
            if (OutputZero is { } z) args.Add($"OutputZeroPoint = {z}");
            string op = Kind switch { PoolKindT.Max => "MaxPool", PoolKindT.Average => "AveragePool", _ => "GlobalAveragePool" };
            return $"namespace Pools;\n[KernelGen.QuantizedModel({H}, {W}, {C}, ActivationType = KernelGen.QuantType.{Type}, InputScale = {F(InputScale)}, "
                + $"InputZeroPoint = {InputZero}, Requantization = KernelGen.RequantizationScheme.{Scheme})]\n"
                + $"[KernelGen.{op}({string.Join(", ", args)})]\npublic partial class {ClassName} {{ }}\n";
        }

        public static PoolCase Random(Random random, string name)
        {
            while (true)
            {
                var kind = (PoolKindT)random.Next(3);
                QuantType type = random.Next(2) == 0 ? QuantType.UInt8 : QuantType.Int8;
                var scheme = random.Next(2) == 0 ? RequantizationScheme.FixedPoint : RequantizationScheme.Float;
                int h = 1 + random.Next(20), w = 1 + random.Next(20);
                int c = random.Next(3) switch { 0 => 1 + random.Next(31), 1 => 32 * (1 + random.Next(2)), _ => 33 + random.Next(38) };
                int kh = 1 + random.Next(5), kw = 1 + random.Next(5);
                int sh = random.Next(3) == 0 ? kh : 1 + random.Next(3), sw = random.Next(3) == 0 ? kw : 1 + random.Next(3);
                int[]? pads = null;
                Padding padding = Padding.Valid;
                switch (random.Next(3))
                {
                    case 1: padding = Padding.Same; break;
                    case 2: pads = new[] { random.Next(kh), random.Next(kw), random.Next(kh), random.Next(kw) }; break;
                }
                int min = type == QuantType.Int8 ? -128 : 0;
                float inScale = (float)Math.Exp(random.NextDouble() * 6 - 6);
                int inZero = min + random.Next(256);
                float? outScale = null;
                int? outZero = null;
                switch (random.Next(4))
                {
                    case 1: outScale = inScale * (float)Math.Exp(random.NextDouble() * 3 - 1.5); outZero = min + random.Next(256); break;
                    case 2: outZero = min + random.Next(256); break;
                    case 3: outScale = inScale; break; // declared but equal: no table
                }
                var activation = kind == PoolKindT.Global ? Activation.None : (Activation)random.Next(3);
                var candidate = new PoolCase(name, kind, type, scheme, h, w, c, kh, kw, sh, sw, pads, padding, inScale, inZero, outScale, outZero, activation);
                if (kind == PoolKindT.Global)
                    return candidate;
                int[] p = candidate.ActualPads;
                if (ConvolutionGeometry.TryValidatePool(h, kh, sh, p[0], p[2], out _, out _) && ConvolutionGeometry.TryValidatePool(w, kw, sw, p[1], p[3], out _, out _))
                    return candidate;
            }
        }
    }

    private sealed class Batch
    {
        public required List<PoolCase> Models { get; init; }
        public required string[] Sources { get; init; }
        public required GeneratorRun Run { get; init; }
        public required Dictionary<string, byte[]> Inputs { get; init; }
        public required Dictionary<string, byte[]> Expected { get; init; }

        public static Batch Create(int seed, int count)
        {
            var random = new Random(seed);
            var cases = Enumerable.Range(0, count).Select(i => PoolCase.Random(random, $"Pool{i}")).ToList();
            return Create(cases, random, rows: 3);
        }

        public static Batch Create(IReadOnlyList<PoolCase> cases, Random random, int rows)
        {
            string[] sources = cases.Select(c => c.Source()).ToArray();
            GeneratorRun run = GeneratorHarness.Run(sources);
            Assert.Empty(run.Diagnostics);
            Assert.Empty(run.CompileErrors);
            var inputs = new Dictionary<string, byte[]>();
            var expected = new Dictionary<string, byte[]>();
            foreach (PoolCase c in cases)
            {
                int inBytes = c.H * c.W * c.C;
                IReferenceLayer reference = c.Reference();
                byte[] input = new byte[rows * inBytes];
                random.NextBytes(input);
                // Edge rows: all minimum, all maximum (the sums' extremes).
                byte min = c.Type == QuantType.Int8 ? (byte)0x80 : (byte)0, max = c.Type == QuantType.Int8 ? (byte)0x7F : (byte)0xFF;
                input.AsSpan(0, inBytes).Fill(min);
                if (rows > 1) input.AsSpan(inBytes, inBytes).Fill(max);
                byte[] output = new byte[rows * reference.OutputBytes];
                for (int r = 0; r < rows; r++)
                    reference.Run(new[] { input.AsSpan(r * inBytes, inBytes).ToArray() }, output.AsSpan(r * reference.OutputBytes, reference.OutputBytes));
                inputs[c.ClassName] = input;
                expected[c.ClassName] = output;
            }
            return new Batch { Models = cases.ToList(), Sources = sources, Run = run, Inputs = inputs, Expected = expected };
        }

        public void Check(PinnedPath path)
        {
            if (!ModelLoader.CanRun(path))
                return;
            Assembly assembly = ModelLoader.Load(Run, Sources, path);
            foreach (PoolCase c in Models)
            {
                var loaded = new LoadedModel(assembly, $"Pools.{c.ClassName}", c.Type == QuantType.Int8);
                byte[] input = Inputs[c.ClassName];
                byte[] actual = new byte[Expected[c.ClassName].Length];
                byte[] declared = new byte[actual.Length];
                loaded.Run(input, actual);
                loaded.RunReference(input, declared);
                AssertEqual(Expected[c.ClassName], declared, c, "RunReference");
                AssertEqual(Expected[c.ClassName], actual, c, $"Run ({path})");
            }
        }

        private static void AssertEqual(byte[] expected, byte[] actual, PoolCase c, string what)
        {
            int index = expected.AsSpan().CommonPrefixLength(actual);
            if (index == expected.Length)
                return;
            Assert.Fail($"{what} of {c.ClassName} differs at byte {index}: expected {expected[index]}, got {actual[index]}. {c}");
        }
    }
}
