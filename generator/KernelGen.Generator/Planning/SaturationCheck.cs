using KernelGen.Kernels;

namespace KernelGen.Generator.Planning;

/// <summary>
/// Decides whether vpmaddubsw can saturate for a layer's weights. It adds two adjacent u8 * s8 products into an int16;
/// with u anywhere in [0, 255] the extremes of u1*v1 + u2*v2 are 255 * (positive part of v1 + v2) and
/// 255 * (negative part), so the pair is exact when those parts stay within [-128, 128] (255 * 128 = 32640).
/// </summary>
internal readonly struct SaturationCheck
{
    private SaturationCheck(bool safe, string explanation)
    {
        Safe = safe;
        Explanation = explanation;
    }

    public bool Safe { get; }

    public string Explanation { get; }

    public static SaturationCheck Run(sbyte[] packed, int inputs, int outputs)
    {
        int worst = 0, worstColumn = 0, worstK = 0;
        for (int j = 0; j < outputs; j++)
        {
            for (int k = 0; k < inputs; k += 2)
            {
                int v1 = packed[DensePacking.Offset(j, k, inputs, outputs)];
                int v2 = k + 1 < inputs ? packed[DensePacking.Offset(j, k + 1, inputs, outputs)] : 0;
                int positive = (v1 > 0 ? v1 : 0) + (v2 > 0 ? v2 : 0);
                int negative = (v1 < 0 ? -v1 : 0) + (v2 < 0 ? -v2 : 0);
                int magnitude = positive > negative ? positive : negative;
                if (magnitude > worst)
                {
                    worst = magnitude;
                    worstColumn = j;
                    worstK = k;
                }
            }
        }

        return worst <= 128
            ? new SaturationCheck(true,
                $"vpmaddubsw is exact: the largest same-sign weight pair sums to {worst} (column {worstColumn}, k {worstK}..{worstK + 1}), 255 * {worst} = {255 * worst} <= 32767")
            : new SaturationCheck(false,
                $"vpmaddubsw could saturate: column {worstColumn}, k {worstK}..{worstK + 1} has a same-sign weight pair summing to {worst}, 255 * {worst} = {255 * worst} > 32767; widening to int16 instead");
    }
}
