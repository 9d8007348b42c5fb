using System;
using System.Linq;

namespace KernelGen.Tests.Infrastructure;

/// <summary>Seeded random models covering the parameter space: shapes, types, scales, zero points, sources, activations.</summary>
public static class RandomModels
{
    private static readonly int[] EdgeSizes = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 36, 63, 64, 65, 100, 129 };

    public static TestModel Create(Random random, string className, bool forceExtremeMultiplier = false)
    {
        QuantType activation = random.Next(2) == 0 ? QuantType.UInt8 : QuantType.Int8;
        int layers = 1 + random.Next(3);
        int size = Size(random, 260);
        int inputSize = size;
        float inputScale = LogUniform(random, 1e-3, 0.5);
        int inputZero = ZeroPoint(random, activation);
        float scale = inputScale;

        var dense = new TestDense[layers];
        for (int i = 0; i < layers; i++)
        {
            int inputs = size;
            int outputs = Size(random, 80);
            QuantType weightType = random.Next(5) == 0 ? QuantType.UInt8 : QuantType.Int8;
            bool perChannel = random.Next(2) == 0;
            int channels = perChannel ? outputs : 1;

            // Small weights prove vpmaddubsw exact (AVX2 fast path); full-range ones force the widening path.
            bool small = random.Next(2) == 0;
            int[] weights = new int[inputs * outputs];
            for (int j = 0; j < weights.Length; j++)
            {
                weights[j] = weightType == QuantType.Int8
                    ? (small ? random.Next(-64, 65) : random.Next(-128, 128))
                    : (small ? random.Next(96, 161) : random.Next(0, 256));
            }
            int[] weightZeros = random.Next(3) == 0
                ? Enumerable.Range(0, channels).Select(_ => ZeroPoint(random, weightType)).ToArray()
                : new int[channels].Select(_ => weightType == QuantType.UInt8 ? 128 : 0).ToArray();
            float[] weightScales = Enumerable.Range(0, channels).Select(_ => LogUniform(random, 1e-4, 0.1)).ToArray();
            int[]? bias = random.Next(5) == 0 ? null : Enumerable.Range(0, outputs).Select(_ => Bias(random, inputs)).ToArray();

            // Aim the multiplier at the accumulator's magnitude so outputs spread over the range; sometimes go extreme.
            double typical = 1.0 / (256.0 * Math.Sqrt(inputs));
            double multiplier = forceExtremeMultiplier || random.Next(6) == 0
                ? ExtremeMultiplier(random)
                : typical * Math.Pow(2, random.NextDouble() * 6 - 3);
            // Per-channel scales vary; aim with the largest so no channel's multiplier passes 2^31 (that is KG0015's case).
            float outputScale = (float)(scale * (double)weightScales.Max() / multiplier);
            if (!(outputScale > 0) || float.IsInfinity(outputScale))
                outputScale = 1f;
            int outputZero = ZeroPoint(random, activation);
            var act = (Activation)random.Next(3);

            dense[i] = new TestDense(inputs, outputs, weightType, weights, weightScales, weightZeros, bias, outputScale, outputZero, act,
                WeightsFromFile: random.Next(4) == 0, BiasFromFile: random.Next(4) == 0);
            size = outputs;
            scale = outputScale;
        }
        return new TestModel(className, inputSize, activation, inputScale, inputZero, dense);
    }

    /// <summary>Random input rows with edge rows mixed in: all minimum, all maximum, all zero point, alternating.</summary>
    public static byte[] Input(Random random, TestModel model, int rows)
    {
        var input = new byte[rows * model.InputSize];
        random.NextBytes(input);
        byte min = model.ActivationType == QuantType.Int8 ? (byte)0x80 : (byte)0;
        byte max = model.ActivationType == QuantType.Int8 ? (byte)0x7F : (byte)0xFF;
        for (int r = 0; r < rows; r++)
        {
            Span<byte> row = input.AsSpan(r * model.InputSize, model.InputSize);
            switch (r % 6)
            {
                case 1: row.Fill(min); break;
                case 2: row.Fill(max); break;
                case 3: row.Fill((byte)model.InputZeroPoint); break;
                case 4:
                    for (int i = 0; i < row.Length; i++) row[i] = i % 2 == 0 ? min : max;
                    break;
            }
        }
        return input;
    }

    private static int Size(Random random, int max)
        => random.Next(3) == 0 ? random.Next(1, max + 1) : EdgeSizes[random.Next(EdgeSizes.Length)] is int s && s <= max ? s : random.Next(1, max + 1);

    private static float LogUniform(Random random, double min, double max)
        => (float)Math.Exp(Math.Log(min) + random.NextDouble() * (Math.Log(max) - Math.Log(min)));

    private static int ZeroPoint(Random random, QuantType type)
    {
        int min = type == QuantType.Int8 ? -128 : 0;
        return random.Next(4) switch
        {
            0 => min,
            1 => min + 255,
            2 => type == QuantType.Int8 ? 0 : 128,
            _ => random.Next(min, min + 256),
        };
    }

    /// <summary>Mostly of the accumulator's magnitude; now and then near the int32 limits, where sums wrap.</summary>
    private static int Bias(Random random, int inputs) => random.Next(20) switch
    {
        0 => random.Next(2) == 0 ? int.MaxValue - random.Next(1000) : int.MinValue + random.Next(1000),
        _ => (int)((random.NextDouble() * 2 - 1) * 4096 * Math.Sqrt(inputs)),
    };

    private static double ExtremeMultiplier(Random random) => random.Next(4) switch
    {
        0 => Math.Pow(2, -33 - random.Next(10)),        // underflows to M0 = 0: output is the zero point
        1 => Math.Pow(2, -31) * (1 + random.NextDouble()),
        2 => 1 + random.NextDouble() * 100,              // > 1: a left shift
        _ => Math.Pow(2, 20 + random.Next(10)) * (1 + random.NextDouble() * 0.99),
    };
}
