using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning;

/// <summary>
/// A tensor of the model graph, per image (batch row): the model input (id 0) or a layer's output (id = step + 1).
/// </summary>
/// <param name="Shape">{n} for a vector, {height, width, channels} for an NHWC feature map.</param>
/// <param name="Scale">Quantization scale (1 and unused for Float32; input scale * weight scale for Int32 accumulators).</param>
/// <param name="Producer">How messages name its producer: "the model input" or a layer's display name.</param>
internal sealed record Tensor(int Id, string Name, EquatableArray<int> Shape, QuantType Type, float Scale, int ZeroPoint, string Producer)
{
    /// <summary>Largest element count of one tensor (KG0016): 64 Mi.</summary>
    public const long MaxElements = 64L * 1024 * 1024;

    public long LongElements
    {
        get
        {
            long n = 1;
            foreach (int d in Shape)
                n *= System.Math.Max(d, 0);
            return n;
        }
    }

    public int Elements => (int)System.Math.Min(LongElements, int.MaxValue);

    public int ElementBytes => Type is QuantType.Int32 or QuantType.Float32 ? 4 : 1;

    public int Bytes => Elements * ElementBytes;

    public bool Signed => Type == QuantType.Int8;

    public bool IsFeatureMap => Shape.Length == 3;

    public int Height => IsFeatureMap ? Shape[0] : 1;

    public int Width => IsFeatureMap ? Shape[1] : 1;

    /// <summary>Channels of a feature map; the length of a vector.</summary>
    public int Channels => IsFeatureMap ? Shape[2] : Shape[0];

    /// <summary>Every dimension in [1, <see cref="PlanningChecks.MaxSize"/>] and at most <see cref="MaxElements"/> elements.</summary>
    public bool Valid
    {
        get
        {
            if (Shape.Length == 0)
                return false;
            foreach (int d in Shape)
            {
                if (d < 1 || d > PlanningChecks.MaxSize)
                    return false;
            }
            return LongElements <= MaxElements;
        }
    }

    /// <summary>"8x8x1 uint8" or "64 int8", for messages and headers.</summary>
    public string Describe => string.Join("x", Shape.AsSpan().ToArray()) + " " + TypeName(Type);

    public static string TypeName(QuantType type) => type switch
    {
        QuantType.UInt8 => "uint8",
        QuantType.Int8 => "int8",
        QuantType.Int32 => "int32",
        QuantType.Float32 => "float32",
        _ => $"(QuantType){(int)type}",
    };
}
