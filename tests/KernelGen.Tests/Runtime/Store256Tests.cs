using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using KernelGen.Simd;

namespace KernelGen.Tests.Runtime;

/// <summary>Narrowing stores: the right byte in each position, and exactly <c>count</c> (or 8) bytes written.</summary>
public sealed class Store256Tests
{
    private const byte Sentinel = 0xCD;
    private const int At = 5;   // an odd, unaligned destination offset

    private static readonly int[] UInt8Lanes = { 0, 1, 127, 128, 200, 254, 255, 17 };
    private static readonly int[] Int8Lanes = { -128, -1, 0, 1, 127, -50, 63, -64 };

    private static byte[] Buffer() { var b = new byte[24]; Array.Fill(b, Sentinel); return b; }

    private static void CheckWritten(byte[] buffer, int[] lanes, int count)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            int lane = i - At;
            byte expected = lane >= 0 && lane < count ? unchecked((byte)lanes[lane]) : Sentinel;
            if (buffer[i] != expected)
                Assert.Fail($"count {count}: byte {i} (lane {lane}) is {buffer[i]:X2}, expected {expected:X2}");
        }
    }

    [Fact]
    public void StoreUInt8_FullWritesEightBytesInLaneOrder()
    {
        if (!Sse2.IsSupported)
            return;
        byte[] buffer = Buffer();
        Store256.StoreUInt8(Vector256.Create(UInt8Lanes), ref buffer[At]);
        CheckWritten(buffer, UInt8Lanes, 8);
    }

    [Fact]
    public void StoreInt8_FullWritesEightBytesInLaneOrder()
    {
        if (!Sse2.IsSupported)
            return;
        byte[] buffer = Buffer();
        Store256.StoreInt8(Vector256.Create(Int8Lanes), ref buffer[At]);
        CheckWritten(buffer, Int8Lanes, 8);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void StoreUInt8_PartialWritesExactlyCountBytes(int count)
    {
        if (!Sse2.IsSupported)
            return;
        byte[] buffer = Buffer();
        Store256.StoreUInt8(Vector256.Create(UInt8Lanes), ref buffer[At], count);
        CheckWritten(buffer, UInt8Lanes, count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void StoreInt8_PartialWritesExactlyCountBytes(int count)
    {
        if (!Sse2.IsSupported)
            return;
        byte[] buffer = Buffer();
        Store256.StoreInt8(Vector256.Create(Int8Lanes), ref buffer[At], count);
        CheckWritten(buffer, Int8Lanes, count);
    }

    [Fact]
    public void Stores_EveryLaneValueOfTheTypeRoundTrips()
    {
        if (!Sse2.IsSupported)
            return;
        var lanes = new int[8];
        for (int start = 0; start < 256; start += 8)
        {
            for (int i = 0; i < 8; i++) lanes[i] = start + i;
            byte[] buffer = Buffer();
            Store256.StoreUInt8(Vector256.Create(lanes), ref buffer[At]);
            CheckWritten(buffer, lanes, 8);

            for (int i = 0; i < 8; i++) lanes[i] = start + i - 128;
            buffer = Buffer();
            Store256.StoreInt8(Vector256.Create(lanes), ref buffer[At], 7);
            CheckWritten(buffer, lanes, 7);
        }
    }
}
