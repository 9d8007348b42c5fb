using System;
using KernelGen.Kernels;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// Generated RunReference recovers the declared weights from the packed operand, so unpacking must invert the packing
/// exactly: every (column, k) lands at its documented offset, padding stays zero, and uint8 weights come back from w - 128.
/// </summary>
public sealed class DensePackingTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(4, 8)]
    [InlineData(9, 33)]
    [InlineData(65, 40)]
    [InlineData(260, 80)]
    public void UnpackWeights_InvertsThePackingForBothWeightTypes(int inputs, int outputs)
    {
        var random = new Random(inputs * 1000 + outputs);
        foreach (QuantType weightType in new[] { QuantType.Int8, QuantType.UInt8 })
        {
            var declared = new byte[inputs * outputs];
            random.NextBytes(declared);
            declared[0] = weightType == QuantType.Int8 ? (byte)0x80 : (byte)0; // -128 and 0: the operand's extremes
            declared[^1] = weightType == QuantType.Int8 ? (byte)0x7F : (byte)255;

            var packed = new sbyte[DensePacking.PackedLength(inputs, outputs)];
            var written = new bool[packed.Length];
            for (int j = 0; j < outputs; j++)
            {
                for (int k = 0; k < inputs; k++)
                {
                    int offset = DensePacking.Offset(j, k, inputs, outputs);
                    Assert.False(written[offset], $"two weights packed at {offset}");
                    written[offset] = true;
                    int w = weightType == QuantType.Int8 ? (sbyte)declared[j * inputs + k] : declared[j * inputs + k] - 128;
                    packed[offset] = (sbyte)w;
                }
            }

            Assert.Equal(declared, DensePacking.UnpackWeights(packed, inputs, outputs, weightType));
        }
    }

    [Fact]
    public void UnpackWeights_RejectsAPackedLengthThatDoesNotFitTheShape()
    {
        var error = Assert.Throws<ArgumentException>(() => DensePacking.UnpackWeights(new sbyte[31], 4, 8, QuantType.Int8));
        Assert.Contains("Expected 32 packed bytes", error.Message);
    }
}
