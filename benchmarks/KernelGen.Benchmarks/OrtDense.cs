using System;
using Microsoft.ML.OnnxRuntime;

namespace KernelGen.Benchmarks;

/// <summary>
/// ONNX Runtime running a model's QLinearMatMul graph (or a convolution model's QLinearConv node) on one thread, with
/// every per-call cost that can be paid up front paid up front: the session, the input and output OrtValues over pinned managed arrays, and an IOBinding, so a
/// call is one RunWithBinding. (IOBinding measured faster here than session.Run(runOptions, names, OrtValues, names,
/// OrtValues): 1.33 vs 1.59 µs for Dense 64x32 batch 1, and that Run allocates 224 B per call.)
/// </summary>
internal sealed class OrtDense : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OrtValue _inputValue;
    private readonly OrtValue _outputValue;
    private readonly OrtIoBinding _binding;

    public OrtDense(ModelInfo model, byte[] input, byte[] output)
        : this(OnnxModelWriter.Write(model, input.Length / model.InputSize),
            input, [input.Length / model.InputSize, model.InputSize], output, [input.Length / model.InputSize, model.OutputSize])
    {
    }

    /// <summary>Any one-input, one-output uint8 ONNX model (the convolution benchmarks' QLinearConv) the same way.</summary>
    public OrtDense(byte[] onnxModel, byte[] input, long[] inputShape, byte[] output, long[] outputShape)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _session = new InferenceSession(onnxModel, options);
        _runOptions = new RunOptions();
        _inputValue = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        _outputValue = OrtValue.CreateTensorValueFromMemory(output, outputShape);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(OnnxModelWriter.InputName, _inputValue);
        _binding.BindOutput(OnnxModelWriter.OutputName, _outputValue);
    }

    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>One inference: reads the bound input array, writes the bound output array.</summary>
    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    public void Dispose()
    {
        _binding.Dispose();
        _inputValue.Dispose();
        _outputValue.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
