using System;
using System.Buffers.Binary;
using KernelGen.Reference;

namespace KernelGen.Tests.Runtime;

/// <summary>
/// The data-movement and edge layers: <see cref="QuantizeReferenceLayer"/>, <see cref="DequantizeReferenceLayer"/>,
/// <see cref="ReshapeReferenceLayer"/>, <see cref="LayoutReferenceLayer"/>. The ONNX backend cases for the first two are
/// in <c>Conformance.OnnxQuantizeLayerTests</c>.
/// </summary>
public sealed class TensorReferenceLayerTests
{
    private static byte[] FloatBytes(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static float[] Floats(byte[] bytes)
    {
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
        return values;
    }

    [Fact]
    public void Quantize_ReadsLittleEndianFloatsAndRoundsHalfToEven()
    {
        // scale 2, zero point 128: x / 2 rounded half to even, + 128, saturated.
        var layer = new QuantizeReferenceLayer(7, 2f, 128);
        Assert.Equal((28, 7), (layer.InputBytes, layer.OutputBytes));
        var output = new byte[7];
        layer.Run(new[] { FloatBytes(0f, 3f, 5f, -3f, 1000f, -1000f, float.NaN) }, output);
        //                           0   1.5->2 2.5->2 -1.5->-2 sat  sat  NaN -> zero point
        Assert.Equal(new byte[] { 128, 130, 130, 126, 255, 0, 128 }, output);

        var int8 = new QuantizeReferenceLayer(3, 0.5f, -1, QuantType.Int8);
        int8.Run(new[] { FloatBytes(0.25f, -0.75f, 100f) }, output.AsSpan(0, 3));
        //                          0.5 -> 0, -1.5 -> -2, 200 -> saturates
        Assert.Equal(new sbyte[] { -1, -3, 127 }, Array.ConvertAll(output[..3], b => (sbyte)b));
    }

    [Fact]
    public void Dequantize_EightBitAndInt32()
    {
        var u8 = new DequantizeReferenceLayer(3, QuantType.UInt8, 0.5f, 128);
        Assert.Equal((3, 12), (u8.InputBytes, u8.OutputBytes));
        var output = new byte[12];
        u8.Run(new[] { new byte[] { 0, 128, 255 } }, output);
        Assert.Equal(new[] { -64f, 0f, 63.5f }, Floats(output));

        var s8 = new DequantizeReferenceLayer(3, QuantType.Int8, 0.1f, -128);
        s8.Run(new[] { new byte[] { 0x80, 0x7F, 0 } }, output);
        // (q + 128) * 0.1f in float: 0, 255 * 0.1f = 25.5f, 128 * 0.1f = 12.8f.
        Assert.Equal(new[] { 0f, 25.5f, 128 * 0.1f }, Floats(output));

        var i32 = new DequantizeReferenceLayer(3, QuantType.Int32, 0.25f, 0);
        Assert.Equal(12, i32.InputBytes);
        var input = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(input.AsSpan(0), -8);
        BinaryPrimitives.WriteInt32LittleEndian(input.AsSpan(4), int.MaxValue);
        BinaryPrimitives.WriteInt32LittleEndian(input.AsSpan(8), 16777217);   // 2^24 + 1: not a float, rounds to 2^24
        i32.Run(new[] { input }, output);
        Assert.Equal(new[] { -2f, 2147483648f * 0.25f, 16777216f * 0.25f }, Floats(output));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DequantizeReferenceLayer(3, QuantType.Int32, 0.25f, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DequantizeReferenceLayer(3, QuantType.Float32, 0.25f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DequantizeReferenceLayer(3, QuantType.UInt8, 0.25f, 256));
    }

    [Fact]
    public void QuantizeThenDequantize_InAModel()
    {
        // float input -> uint8 -> float: the fake-quantized values.
        var model = ReferenceModel.Chain(16, new QuantizeReferenceLayer(4, 0.5f, 10), new DequantizeReferenceLayer(4, QuantType.UInt8, 0.5f, 10));
        var output = new byte[16];
        ReferenceOps.Model(model, FloatBytes(0.3f, -5f, 1.25f, 200f), output);
        // 0.6 -> 1 -> 0.5; -10 -> 0 -> -5; 2.5 -> 2 -> 1; 400 + 10 saturates at 255 -> 122.5
        Assert.Equal(new[] { 0.5f, -5f, 1f, 122.5f }, Floats(output));
    }

    [Theory]
    [InlineData(QuantType.UInt8, 1)]
    [InlineData(QuantType.Int8, 1)]
    [InlineData(QuantType.Int32, 4)]
    [InlineData(QuantType.Float32, 4)]
    public void Reshape_CopiesTheBytes(QuantType type, int size)
    {
        var layer = new ReshapeReferenceLayer(6, type);
        Assert.Equal(6 * size, layer.OutputBytes);
        var input = new byte[6 * size];
        new Random(size).NextBytes(input);
        var output = new byte[6 * size];
        layer.Run(new[] { input }, output);
        Assert.Equal(input, output);
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[6 * size + 1] }, new byte[6 * size]));
    }

    [Fact]
    public void Layout_TransposesOneByteElements()
    {
        // H = 2, W = 1, C = 3. NCHW [c][h]: c0 = {1, 2}, c1 = {3, 4}, c2 = {5, 6}; NHWC [h][c]: {1, 3, 5}, {2, 4, 6}.
        var toNhwc = new LayoutReferenceLayer(2, 1, 3, TensorLayout.Nchw, TensorLayout.Nhwc, 1);
        var output = new byte[6];
        toNhwc.Run(new[] { new byte[] { 1, 2, 3, 4, 5, 6 } }, output);
        Assert.Equal(new byte[] { 1, 3, 5, 2, 4, 6 }, output);

        var toNchw = new LayoutReferenceLayer(2, 1, 3, TensorLayout.Nhwc, TensorLayout.Nchw, 1);
        var back = new byte[6];
        toNchw.Run(new[] { output }, back);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, back);
    }

    [Fact]
    public void Layout_MovesFourByteElementsWhole_AndRoundTrips()
    {
        // H = 1, W = 2, C = 2 floats: NCHW {c0: a, b; c1: c, d} -> NHWC {a, c, b, d}.
        var toNhwc = new LayoutReferenceLayer(1, 2, 2, TensorLayout.Nchw, TensorLayout.Nhwc, 4);
        var output = new byte[16];
        toNhwc.Run(new[] { FloatBytes(1.5f, -2f, 3.25f, 1e30f) }, output);
        Assert.Equal(new[] { 1.5f, 3.25f, -2f, 1e30f }, Floats(output));

        var random = new Random(3);
        int h = 3, w = 5, c = 7;
        var input = new byte[h * w * c * 4];
        random.NextBytes(input);
        var nhwc = new byte[input.Length];
        var nchw = new byte[input.Length];
        new LayoutReferenceLayer(h, w, c, TensorLayout.Nchw, TensorLayout.Nhwc, 4).Run(new[] { input }, nhwc);
        new LayoutReferenceLayer(h, w, c, TensorLayout.Nhwc, TensorLayout.Nchw, 4).Run(new[] { nhwc }, nchw);
        Assert.Equal(input, nchw);
        // Element (y, x, k): NCHW offset ((k * h + y) * w + x) * 4, NHWC offset ((y * w + x) * c + k) * 4.
        Assert.Equal(input.AsSpan(((4 * h + 2) * w + 1) * 4, 4).ToArray(), nhwc.AsSpan(((2 * w + 1) * c + 4) * 4, 4).ToArray());
    }

    [Fact]
    public void Layout_ChecksItsDeclaration()
    {
        Assert.Throws<ArgumentException>(() => new LayoutReferenceLayer(1, 1, 1, TensorLayout.Nhwc, TensorLayout.Nhwc, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayoutReferenceLayer(1, 1, 1, TensorLayout.Nhwc, TensorLayout.Nchw, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayoutReferenceLayer(0, 1, 1, TensorLayout.Nhwc, TensorLayout.Nchw, 1));
        Assert.Equal(1, LayoutReferenceLayer.ElementBytes(QuantType.Int8));
        Assert.Equal(4, LayoutReferenceLayer.ElementBytes(QuantType.Float32));
    }

    [Fact]
    public void Quantize_ChecksItsDeclarationAndInput()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizeReferenceLayer(4, 0f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizeReferenceLayer(4, 1f, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizeReferenceLayer(4, 1f, 0, QuantType.Int32));
        var layer = new QuantizeReferenceLayer(4, 1f, 0);
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[4] }, new byte[4]));
        Assert.Throws<ArgumentException>(() => layer.Run(new[] { new byte[16] }, new byte[16]));
    }
}
