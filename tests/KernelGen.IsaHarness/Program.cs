// Runs every model in Models.cs on seeded random batches, checks Run against RunReference byte for byte, and prints
// one line the test suite parses: the path taken, the mismatch count and a hash of all outputs (equal on every path).
using System;
using System.Security.Cryptography;
using KernelGen;
using KernelGen.IsaHarness;

var random = new Random(12345);
using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
int mismatches = 0;

mismatches += Check("SmallWeightsMlp", SmallWeightsMlp.InputSize, SmallWeightsMlp.OutputSize,
    (x, y) => SmallWeightsMlp.Run(x, y), (x, y) => SmallWeightsMlp.RunReference(x, y));
mismatches += Check("PerChannelInt8", PerChannelInt8.InputSize, PerChannelInt8.OutputSize,
    (x, y) => PerChannelInt8.Run(Signed(x), Signed(y)), (x, y) => PerChannelInt8.RunReference(Signed(x), Signed(y)));
mismatches += Check("AsymmetricWeights", AsymmetricWeights.InputSize, AsymmetricWeights.OutputSize,
    (x, y) => AsymmetricWeights.Run(x, y), (x, y) => AsymmetricWeights.RunReference(x, y));
mismatches += Check("LeftShiftAndTinyShapes", LeftShiftAndTinyShapes.InputSize, LeftShiftAndTinyShapes.OutputSize,
    (x, y) => LeftShiftAndTinyShapes.Run(x, y), (x, y) => LeftShiftAndTinyShapes.RunReference(x, y));
mismatches += Check("ConvFamily", ConvFamily.InputSize, ConvFamily.OutputSize,
    (x, y) => ConvFamily.Run(x, y), (x, y) => ConvFamily.RunReference(x, y));
mismatches += CheckFloat("FloatEdgesNchw", FloatEdgesNchw.InputSize, FloatEdgesNchw.OutputSize,
    (x, y) => FloatEdgesNchw.Run(x, y), (x, y) => FloatEdgesNchw.RunReference(x, y));

Console.WriteLine($"path={SmallWeightsMlp.ActivePath} mismatches={mismatches} hash={Convert.ToHexString(hash.GetHashAndReset())}");
return mismatches == 0 ? 0 : 1;

int Check(string name, int inputSize, int outputSize, Action<byte[], byte[]> run, Action<byte[], byte[]> reference)
{
    const int Rows = 33;
    var input = new byte[Rows * inputSize];
    random.NextBytes(input);
    input.AsSpan(0, inputSize).Fill(0);
    input.AsSpan(inputSize, inputSize).Fill(255);
    var actual = new byte[Rows * outputSize];
    var expected = new byte[Rows * outputSize];
    run(input, actual);
    reference(input, expected);
    hash.AppendData(actual);
    if (Environment.GetEnvironmentVariable("KERNELGEN_HARNESS_VERBOSE") is not null)
        Console.Error.WriteLine($"{name}: {new System.Collections.Generic.HashSet<byte>(actual).Count} distinct output values");
    int count = 0;
    for (int i = 0; i < actual.Length; i++)
        count += actual[i] != expected[i] ? 1 : 0;
    if (count != 0)
        Console.Error.WriteLine($"{name}: {count} of {actual.Length} outputs differ from RunReference");
    return count;
}

int CheckFloat(string name, int inputSize, int outputSize, Action<float[], float[]> run, Action<float[], float[]> reference)
{
    const int Rows = 33;
    var input = new float[Rows * inputSize];
    for (int i = 0; i < input.Length; i++)
        input[i] = (float)(random.NextDouble() * 8 - 4); // beyond the quantized range on both sides, so it saturates too
    var actual = new float[Rows * outputSize];
    var expected = new float[Rows * outputSize];
    run(input, actual);
    reference(input, expected);
    hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(actual.AsSpan()));
    if (Environment.GetEnvironmentVariable("KERNELGEN_HARNESS_VERBOSE") is not null)
        Console.Error.WriteLine($"{name}: {new System.Collections.Generic.HashSet<float>(actual).Count} distinct output values");
    int count = 0;
    for (int i = 0; i < actual.Length; i++)
        count += BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]) ? 1 : 0;
    if (count != 0)
        Console.Error.WriteLine($"{name}: {count} of {actual.Length} outputs differ from RunReference");
    return count;
}

static Span<sbyte> Signed(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(bytes.AsSpan());
