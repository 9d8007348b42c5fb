using System.Runtime.Intrinsics;

namespace KernelGen.Tests.Infrastructure;

/// <summary>
/// An exact software model of AVX-VNNI's vpdpbusd (AvxVnni.MultiplyWideningAndAdd on Vector256): each int32 lane of
/// the addend plus the four products of that lane's unsigned bytes of <c>left</c> and signed bytes of <c>right</c>,
/// wrapping (the non-saturating form). Generated source is compiled against this class to run the VNNI path on
/// machines without AVX-VNNI.
/// </summary>
public static class EmulatedAvxVnni
{
    public static bool IsSupported => true;

    public static Vector256<int> MultiplyWideningAndAdd(Vector256<int> addend, Vector256<byte> left, Vector256<sbyte> right)
    {
        var lanes = new int[8];
        for (int lane = 0; lane < 8; lane++)
        {
            int sum = addend.GetElement(lane);
            for (int i = 0; i < 4; i++)
                sum = unchecked(sum + left.GetElement(lane * 4 + i) * right.GetElement(lane * 4 + i));
            lanes[lane] = sum;
        }
        return Vector256.Create(lanes);
    }
}
