using System;

namespace KernelGen.Quantization;

/// <summary>
/// The compile-time constants of a quantized elementwise Add of two tensors of one 8-bit type, and the per-element
/// arithmetic that uses them, for each <see cref="RequantizationScheme"/>. The generator compiles this same file, so the
/// constants it folds into an Add kernel and the ones the runtime's reference uses come from one definition.
/// </summary>
/// <remarks>
/// <para><see cref="RequantizationScheme.FixedPoint"/>: TFLite's quantized Add. The multipliers are derived as in
/// tensorflow/lite/kernels/add.cc <c>Prepare</c> (8-bit path): left_shift = 20; twice_max_input_scale =
/// 2 * max(s1, s2) (the product in float, as C++ evaluates <c>2 * float</c>, then widened to double);
/// real_input1_multiplier = s1 / twice_max_input_scale and real_input2_multiplier = s2 / twice_max_input_scale in
/// double; real_output_multiplier = twice_max_input_scale / ((1 &lt;&lt; 20) * s_out), the denominator in float;
/// each decomposed by <c>QuantizeMultiplierSmallerThanOneExp</c> (quantization_util.cc: QuantizeMultiplier, then a
/// check that the multiplier is in (0, 1) and the shift is not positive). The per-element arithmetic is
/// tensorflow/lite/kernels/internal/reference/integer_ops/add.h <c>AddFunc</c> (int8) and reference/add.h
/// <c>AddElementwise</c> (uint8), which are the same expression; see <see cref="Apply"/>.</para>
/// <para><see cref="RequantizationScheme.Float"/>: ONNX Runtime's QLinearAdd as MLAS computes it on x86-64 with AVX2
/// and FMA: <c>MlasQLinearAddKernelAvx2Helper</c> in onnxruntime/core/mlas/lib/intrinsics/avx2/qladd_avx2.cpp, which
/// <c>MlasQLinearAdd</c> (onnxruntime/core/mlas/lib/qladd.cpp) reaches through the platform's QLinearAdd{S8,U8}Kernel
/// on every such machine. At compile time: r1 = s1 / s_out and r2 = s2 / s_out in float, and the fixed part
/// f = (float)z_out - (r1 * z1 + r2 * z2), which the compiled library evaluates fused, as fma(r1, z1, r2 * z2)
/// (GCC contracts it in a file built with FMA enabled; the measurement below tells this apart from the unfused sum). Per element: v = fma(q1, r1, fma(q2, r2, f)) (q2 first, then q1; raw values, the zero points
/// are in f), r = cvtps2dq(v) (round half to even; out of the int32 range or NaN: int.MinValue), then the saturating
/// packs to 16 and 8 bits, which here is a clamp. This was checked bit for bit against Microsoft.ML.OnnxRuntime 1.31.1
/// (linux-x64) on 20 million elements over 305 parameter sets (test cases recorded in AddReferenceLayerTests); the
/// unfused fixed part, the other fusion order, the portable <c>MlasQLinearAddKernelRawHelper</c> of qladd.cpp
/// (which divides (a + b) by s_out and rounds nearbyintf(v + z_out)), and the older assembly kernel
/// (QLinearBinaryOpKernelAvx2) each differ from it on some of those. A build compiled without contraction (MSVC) or a
/// CPU without AVX2 (the SSE2 kernel of qladd.cpp, no FMA) can differ in rare ties.</para>
/// <para>An activation narrows the clamp to TFLite's <c>CalculateActivationRangeQuantized</c> bounds in both schemes
/// (ONNX Runtime's QLinearAdd has none; with <see cref="Activation.None"/> the clamp is the type's range, as there).</para>
/// </remarks>
#if KERNELGEN_GENERATOR
internal
#else
public
#endif
sealed class AddParameters : IEquatable<AddParameters>
{
    /// <summary>TFLite's left_shift for 8-bit Add: both operands are scaled by 2^20 before their multipliers.</summary>
    public const int LeftShift = 20;

    /// <summary>
    /// Derives the constants; throws where TFLite's Prepare would fail (see <see cref="TryCreate"/> for the
    /// non-throwing form and the conditions).
    /// </summary>
    /// <param name="type">Type of both inputs and the output: UInt8 or Int8.</param>
    /// <param name="input1Scale">Scale of the first input; finite and positive.</param>
    /// <param name="input1ZeroPoint">Zero point of the first input, in the type's range.</param>
    /// <param name="input2Scale">Scale of the second input; finite and positive.</param>
    /// <param name="input2ZeroPoint">Zero point of the second input, in the type's range.</param>
    /// <param name="outputScale">Scale of the output; finite and positive.</param>
    /// <param name="outputZeroPoint">Zero point of the output, in the type's range.</param>
    /// <param name="activation">Activation folded into the output clamp.</param>
    /// <param name="scheme">Which arithmetic: TFLite's fixed point or ONNX Runtime's float.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside the range given above, or (fixed point)
    /// the output scale is too small for TFLite's multipliers: max(s1, s2) / s_out must be below 2^19.</exception>
    public AddParameters(
        QuantType type, float input1Scale, int input1ZeroPoint, float input2Scale, int input2ZeroPoint,
        float outputScale, int outputZeroPoint, Activation activation = Activation.None,
        RequantizationScheme scheme = RequantizationScheme.FixedPoint)
    {
        string? error = Derive(type, input1Scale, input1ZeroPoint, input2Scale, input2ZeroPoint, outputScale, outputZeroPoint,
            activation, scheme, out string parameter, out int[] fixedPoint, out int clampMin, out int clampMax);
        if (error is not null)
            throw new ArgumentOutOfRangeException(parameter, error);

        Type = type;
        Scheme = scheme;
        Activation = activation;
        Input1Scale = input1Scale;
        Input1ZeroPoint = input1ZeroPoint;
        Input2Scale = input2Scale;
        Input2ZeroPoint = input2ZeroPoint;
        OutputScale = outputScale;
        OutputZeroPoint = outputZeroPoint;
        ClampMin = clampMin;
        ClampMax = clampMax;
        if (scheme == RequantizationScheme.Float)
        {
            FloatConstants(input1Scale, input1ZeroPoint, input2Scale, input2ZeroPoint, outputScale, outputZeroPoint,
                out float ratio1, out float ratio2, out float fixedPart);
            FloatRatio1 = ratio1;
            FloatRatio2 = ratio2;
            FloatFixedPart = fixedPart;
        }
        Input1Multiplier = fixedPoint[0];
        Input1Shift = fixedPoint[1];
        Input2Multiplier = fixedPoint[2];
        Input2Shift = fixedPoint[3];
        OutputMultiplier = fixedPoint[4];
        OutputShift = fixedPoint[5];
    }

    /// <summary>
    /// The non-throwing form of the constructor, for the generator's diagnostics: false, with the reason in
    /// <paramref name="error"/>, where the type is not 8-bit, a scale is not finite and positive, a zero point is outside
    /// the type's range, or (fixed point) TFLite's QuantizeMultiplierSmallerThanOneExp would fail a check (the real
    /// output multiplier 2 * max(s1, s2) / (2^20 * s_out) must be below 1 and round to a multiplier with no left shift).
    /// </summary>
    public static bool TryCreate(
        QuantType type, float input1Scale, int input1ZeroPoint, float input2Scale, int input2ZeroPoint,
        float outputScale, int outputZeroPoint, Activation activation, RequantizationScheme scheme,
        out AddParameters? parameters, out string? error)
    {
        error = Derive(type, input1Scale, input1ZeroPoint, input2Scale, input2ZeroPoint, outputScale, outputZeroPoint,
            activation, scheme, out _, out _, out _, out _);
        parameters = error is null
            ? new AddParameters(type, input1Scale, input1ZeroPoint, input2Scale, input2ZeroPoint, outputScale, outputZeroPoint, activation, scheme)
            : null;
        return error is null;
    }

    /// <summary>Type of the inputs and the output.</summary>
    public QuantType Type { get; }

    /// <summary>The arithmetic these constants are for.</summary>
    public RequantizationScheme Scheme { get; }

    /// <summary>The activation folded into <see cref="ClampMin"/> and <see cref="ClampMax"/>.</summary>
    public Activation Activation { get; }

    /// <summary>Scale of the first input.</summary>
    public float Input1Scale { get; }

    /// <summary>Zero point of the first input (TFLite's input1_offset is its negation).</summary>
    public int Input1ZeroPoint { get; }

    /// <summary>Scale of the second input.</summary>
    public float Input2Scale { get; }

    /// <summary>Zero point of the second input (TFLite's input2_offset is its negation).</summary>
    public int Input2ZeroPoint { get; }

    /// <summary>Scale of the output.</summary>
    public float OutputScale { get; }

    /// <summary>Zero point of the output (TFLite's output_offset).</summary>
    public int OutputZeroPoint { get; }

    /// <summary>Lower bound of the output: the type's minimum, raised by the activation.</summary>
    public int ClampMin { get; }

    /// <summary>Upper bound of the output: the type's maximum, lowered by the activation.</summary>
    public int ClampMax { get; }

    /// <summary>Fixed point: Q31 multiplier of the first input (0 under the float scheme).</summary>
    public int Input1Multiplier { get; }

    /// <summary>Fixed point: exponent of the first input's multiplier, 0 or negative (a right shift by its negation).</summary>
    public int Input1Shift { get; }

    /// <summary>Fixed point: Q31 multiplier of the second input (0 under the float scheme).</summary>
    public int Input2Multiplier { get; }

    /// <summary>Fixed point: exponent of the second input's multiplier, 0 or negative.</summary>
    public int Input2Shift { get; }

    /// <summary>Fixed point: Q31 multiplier of the sum (0 under the float scheme).</summary>
    public int OutputMultiplier { get; }

    /// <summary>Fixed point: exponent of the sum's multiplier, 0 or negative.</summary>
    public int OutputShift { get; }

    /// <summary>Float scheme: r1 = s1 / s_out in float, the factor of the first input's raw value (0 under fixed point).</summary>
    public float FloatRatio1 { get; }

    /// <summary>Float scheme: r2 = s2 / s_out in float, the factor of the second input's raw value (0 under fixed point).</summary>
    public float FloatRatio2 { get; }

    /// <summary>Float scheme: the fixed part (float)z_out - fma(r1, z1, r2 * z2), which absorbs the three zero points
    /// (0 under fixed point).</summary>
    public float FloatFixedPart { get; }

    /// <summary>
    /// One output element from the two input values <paramref name="q1"/> and <paramref name="q2"/> (as integers of
    /// <see cref="Type"/>), in this instance's scheme.
    /// </summary>
    public int Apply(int q1, int q2)
    {
        if (Scheme == RequantizationScheme.Float)
            return ApplyFloat(q1, q2, FloatRatio1, FloatRatio2, FloatFixedPart, ClampMin, ClampMax);
        return ApplyFixedPoint(q1, q2, Input1ZeroPoint, Input1Multiplier, Input1Shift, Input2ZeroPoint, Input2Multiplier, Input2Shift,
            OutputMultiplier, OutputShift, OutputZeroPoint, ClampMin, ClampMax);
    }

    /// <summary>
    /// TFLite's AddFunc (reference_integer_ops/add.h) for one element: each operand less its zero point, times 2^20,
    /// through its multiplier (MultiplyByQuantizedMultiplierSmallerThanOneExp = RoundingDivideByPOT(
    /// SaturatingRoundingDoublingHighMul(x, M), -shift)); the sum through the output multiplier; plus the output zero
    /// point; clamped. Shifts are 0 or negative.
    /// </summary>
    public static int ApplyFixedPoint(
        int q1, int q2, int input1ZeroPoint, int input1Multiplier, int input1Shift, int input2ZeroPoint, int input2Multiplier,
        int input2Shift, int outputMultiplier, int outputShift, int outputZeroPoint, int clampMin, int clampMax)
    {
        unchecked
        {
            int shifted1 = (q1 - input1ZeroPoint) * (1 << LeftShift);
            int shifted2 = (q2 - input2ZeroPoint) * (1 << LeftShift);
            int scaled1 = FixedPoint.MultiplyByQuantizedMultiplier(shifted1, input1Multiplier, input1Shift);
            int scaled2 = FixedPoint.MultiplyByQuantizedMultiplier(shifted2, input2Multiplier, input2Shift);
            int raw = FixedPoint.MultiplyByQuantizedMultiplier(scaled1 + scaled2, outputMultiplier, outputShift) + outputZeroPoint;
            return raw < clampMin ? clampMin : raw > clampMax ? clampMax : raw;
        }
    }

    /// <summary>
    /// ONNX Runtime's QLinearAdd for one element as MLAS's AVX2 kernel computes it (see the remarks of
    /// <see cref="AddParameters"/>): v = fma(q1, ratio1, fma(q2, ratio2, fixedPart)) with one rounding per fma,
    /// converted as cvtps2dq, clamped.
    /// </summary>
    public static int ApplyFloat(int q1, int q2, float ratio1, float ratio2, float fixedPart, int clampMin, int clampMax)
    {
        float value = FloatMath.FusedMultiplyAdd(q1, ratio1, FloatMath.FusedMultiplyAdd(q2, ratio2, fixedPart));
        int rounded = FloatMath.ConvertToInt32RoundHalfToEven(value);
        return rounded < clampMin ? clampMin : rounded > clampMax ? clampMax : rounded;
    }

    /// <summary>
    /// The float scheme's compile-time constants from the declared scales and zero points, as qladd_avx2.cpp computes
    /// them: ratio1 = s1 / s_out, ratio2 = s2 / s_out, fixedPart = (float)z_out - fma(ratio1, z1, ratio2 * z2).
    /// </summary>
    public static void FloatConstants(
        float input1Scale, int input1ZeroPoint, float input2Scale, int input2ZeroPoint, float outputScale, int outputZeroPoint,
        out float ratio1, out float ratio2, out float fixedPart)
    {
        ratio1 = input1Scale / outputScale;
        ratio2 = input2Scale / outputScale;
        fixedPart = (float)outputZeroPoint - FloatMath.FusedMultiplyAdd(ratio1, input1ZeroPoint, ratio2 * input2ZeroPoint);
    }

    /// <inheritdoc/>
    public bool Equals(AddParameters? other)
        => other is not null
            && Type == other.Type && Scheme == other.Scheme && Activation == other.Activation
            && Input1Scale.Equals(other.Input1Scale) && Input1ZeroPoint == other.Input1ZeroPoint
            && Input2Scale.Equals(other.Input2Scale) && Input2ZeroPoint == other.Input2ZeroPoint
            && OutputScale.Equals(other.OutputScale) && OutputZeroPoint == other.OutputZeroPoint;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AddParameters);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        unchecked
        {
            int hash = (int)Type;
            hash = hash * 31 + (int)Scheme;
            hash = hash * 31 + (int)Activation;
            hash = hash * 31 + Input1Scale.GetHashCode();
            hash = hash * 31 + Input1ZeroPoint;
            hash = hash * 31 + Input2Scale.GetHashCode();
            hash = hash * 31 + Input2ZeroPoint;
            hash = hash * 31 + OutputScale.GetHashCode();
            hash = hash * 31 + OutputZeroPoint;
            return hash;
        }
    }

    /// <summary>Validates and derives; returns the error, or null with the fixed-point constants (zeros under the float scheme).</summary>
    private static string? Derive(
        QuantType type, float input1Scale, int input1ZeroPoint, float input2Scale, int input2ZeroPoint,
        float outputScale, int outputZeroPoint, Activation activation, RequantizationScheme scheme,
        out string parameter, out int[] fixedPoint, out int clampMin, out int clampMax)
    {
        fixedPoint = new int[6];
        clampMin = clampMax = 0;
        parameter = nameof(type);
        if (!QuantizationMath.IsEightBit(type))
            return $"Add reads and writes UInt8 or Int8, not {type}.";
        parameter = nameof(scheme);
        if (scheme != RequantizationScheme.FixedPoint && scheme != RequantizationScheme.Float)
            return $"Unknown requantization scheme {scheme}.";
        parameter = nameof(activation);
        if (activation != Activation.None && activation != Activation.Relu && activation != Activation.Relu6)
            return $"Unknown activation {activation}.";
        int min = QuantizationMath.TypeMin(type), max = QuantizationMath.TypeMax(type);
        string? error = CheckScale(input1Scale, nameof(input1Scale), ref parameter)
            ?? CheckScale(input2Scale, nameof(input2Scale), ref parameter)
            ?? CheckScale(outputScale, nameof(outputScale), ref parameter)
            ?? CheckZeroPoint(input1ZeroPoint, min, max, type, nameof(input1ZeroPoint), ref parameter)
            ?? CheckZeroPoint(input2ZeroPoint, min, max, type, nameof(input2ZeroPoint), ref parameter)
            ?? CheckZeroPoint(outputZeroPoint, min, max, type, nameof(outputZeroPoint), ref parameter);
        if (error is not null)
            return error;

        QuantizationMath.ActivationRange(activation, outputScale, outputZeroPoint, type, out clampMin, out clampMax);
        if (scheme == RequantizationScheme.Float)
            return null;

        // add.cc Prepare: `2 * std::max(float, float)` is a float product; the divisions are in double, the
        // denominator `(1 << left_shift) * output->params.scale` a float product.
        double twiceMaxInputScale = (float)(2 * Math.Max(input1Scale, input2Scale));
        double realInput1Multiplier = input1Scale / twiceMaxInputScale;
        double realInput2Multiplier = input2Scale / twiceMaxInputScale;
        double realOutputMultiplier = twiceMaxInputScale / (float)((1 << LeftShift) * outputScale);
        parameter = nameof(outputScale);
        return QuantizeSmallerThanOne(realInput1Multiplier, out fixedPoint[0], out fixedPoint[1], "input 1")
            ?? QuantizeSmallerThanOne(realInput2Multiplier, out fixedPoint[2], out fixedPoint[3], "input 2")
            ?? QuantizeSmallerThanOne(realOutputMultiplier, out fixedPoint[4], out fixedPoint[5], "output");
    }

    private static string? CheckScale(float scale, string name, ref string parameter)
    {
        if (scale > 0 && !float.IsInfinity(scale))
            return null;
        parameter = name;
        return $"The scale must be finite and positive, not {scale}.";
    }

    private static string? CheckZeroPoint(int zeroPoint, int min, int max, QuantType type, string name, ref string parameter)
    {
        if (zeroPoint >= min && zeroPoint <= max)
            return null;
        parameter = name;
        return $"The zero point {zeroPoint} is outside the range of {type}, [{min}, {max}].";
    }

    /// <summary>TFLite's QuantizeMultiplierSmallerThanOneExp, with its checks as errors instead of aborts.</summary>
    private static string? QuantizeSmallerThanOne(double real, out int multiplier, out int shift, string what)
    {
        multiplier = shift = 0;
        if (!(real > 0 && real < 1))
            return $"TFLite's Add needs the {what} multiplier in (0, 1), got {real:R}: the output scale is too small for the input scales (max(s1, s2) / s_out must be below 2^19).";
        QuantizationMath.QuantizeMultiplier(real, out multiplier, out shift);
        if (shift > 0)
            return $"TFLite's Add needs the {what} multiplier {real:R} to round below 1 (it rounds to 1): the output scale is too small for the input scales.";
        return null;
    }
}
