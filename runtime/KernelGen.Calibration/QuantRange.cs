using System;
using KernelGen.Quantization;

namespace KernelGen.Calibration;

/// <summary>
/// The quantized values a scheme uses, [<see cref="Min"/>, <see cref="Max"/>], as ONNX Runtime's quantization tools
/// define them (get_qmin_qmax_for_qType): the type's full range, the symmetric range (-127..127 for int8, so the zero
/// point is 0), or the reduced 7-bit range (0..127 for uint8, -64..64 for int8), which keeps every same-sign pair of
/// int8 weights within 128 in magnitude, so KernelGen's generator can prove vpmaddubsw exact on CPUs without VNNI.
/// </summary>
public readonly record struct QuantRange(int Min, int Max)
{
    /// <summary>The range of <paramref name="type"/> for the given scheme.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not UInt8 or Int8.</exception>
    public static QuantRange Of(QuantType type, bool symmetric, bool reducedRange) => type switch
    {
        QuantType.UInt8 => reducedRange ? new QuantRange(0, 127) : new QuantRange(0, 255),
        QuantType.Int8 => reducedRange ? new QuantRange(-64, 64) : symmetric ? new QuantRange(-127, 127) : new QuantRange(-128, 127),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Calibration quantizes to UInt8 or Int8."),
    };
}
