using System;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace KernelGen.Tests.Infrastructure;

public delegate void SpanModel<TIn, TOut>(ReadOnlySpan<TIn> input, Span<TOut> output);

public delegate void SpanScratchModel<TIn, TOut>(ReadOnlySpan<TIn> input, Span<TOut> output, Span<byte> scratch);

public delegate void RawScratchModel(ReadOnlySpan<byte> input, Span<byte> output, Span<byte> scratch);

/// <summary>
/// A generated model's Run (both overloads) and RunReference over raw bytes, whatever its input and output element types
/// (byte, sbyte, int): the spans are reinterpreted, nothing is copied or allocated per call.
/// </summary>
public sealed class RawEntryPoints
{
    public RawEntryPoints(Type type)
    {
        Type = type;
        MethodInfo run = type.GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 2);
        MethodInfo scratch = type.GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 3);
        MethodInfo reference = type.GetMethod("RunReference")!;
        Type input = run.GetParameters()[0].ParameterType.GetGenericArguments()[0];
        Type output = run.GetParameters()[1].ParameterType.GetGenericArguments()[0];
        InputElement = input;
        OutputElement = output;
        MethodInfo bind = typeof(RawEntryPoints).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(input, output);
        MethodInfo bindScratch = typeof(RawEntryPoints).GetMethod(nameof(BindScratch), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(input, output);
        Run = (ByteModel)bind.Invoke(null, new object[] { run })!;
        RunReference = (ByteModel)bind.Invoke(null, new object[] { reference })!;
        RunWithScratch = (RawScratchModel)bindScratch.Invoke(null, new object[] { scratch })!;
    }

    public RawEntryPoints(Assembly assembly, string typeName) : this(assembly.GetType(typeName, throwOnError: true)!) { }

    public Type Type { get; }

    public Type InputElement { get; }

    public Type OutputElement { get; }

    public ByteModel Run { get; }

    public ByteModel RunReference { get; }

    public RawScratchModel RunWithScratch { get; }

    public int ScratchSize => (int)Type.GetField("ScratchSize")!.GetRawConstantValue()!;

    private static ByteModel Bind<TIn, TOut>(MethodInfo method) where TIn : unmanaged where TOut : unmanaged
    {
        SpanModel<TIn, TOut> typed = method.CreateDelegate<SpanModel<TIn, TOut>>();
        return (input, output) => typed(MemoryMarshal.Cast<byte, TIn>(input), MemoryMarshal.Cast<byte, TOut>(output));
    }

    private static RawScratchModel BindScratch<TIn, TOut>(MethodInfo method) where TIn : unmanaged where TOut : unmanaged
    {
        SpanScratchModel<TIn, TOut> typed = method.CreateDelegate<SpanScratchModel<TIn, TOut>>();
        return (input, output, scratch) => typed(MemoryMarshal.Cast<byte, TIn>(input), MemoryMarshal.Cast<byte, TOut>(output), scratch);
    }
}
