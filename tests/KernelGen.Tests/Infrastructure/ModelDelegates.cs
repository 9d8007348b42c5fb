using System.Linq;
using System;
using System.Reflection;

namespace KernelGen.Tests.Infrastructure;

public delegate void ByteModel(ReadOnlySpan<byte> input, Span<byte> output);

public delegate void SByteModel(ReadOnlySpan<sbyte> input, Span<sbyte> output);

/// <summary>A loaded generated model's entry points, taking raw bytes whatever the activation type.</summary>
public sealed class LoadedModel
{
    private readonly ByteModel _run;
    private readonly ByteModel _reference;

    public LoadedModel(Assembly assembly, string typeName, bool signed)
    {
        Type type = assembly.GetType(typeName, throwOnError: true)!;
        Type = type;
        _run = Wrap(type.GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 2), signed);
        _reference = Wrap(type.GetMethod("RunReference")!, signed);
    }

    public Type Type { get; }

    public KernelPath ActivePath => (KernelPath)Type.GetProperty("ActivePath")!.GetValue(null)!;

    public void Run(ReadOnlySpan<byte> input, Span<byte> output) => _run(input, output);

    public void RunReference(ReadOnlySpan<byte> input, Span<byte> output) => _reference(input, output);

    private static ByteModel Wrap(MethodInfo method, bool signed)
    {
        if (!signed)
            return method.CreateDelegate<ByteModel>();
        SByteModel typed = method.CreateDelegate<SByteModel>();
        return (input, output) => typed(
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(input),
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(output));
    }
}
