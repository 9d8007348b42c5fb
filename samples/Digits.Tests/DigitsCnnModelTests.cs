using KernelGen.Testing;

namespace Digits.Tests;

/// <summary>
/// The kernels generated for samples/DigitsCnn/DigitsCnnModel.cs (conv, ReLU, max pool, conv, flatten, Dense), reviewed
/// like code: a change to DigitsCnnModelTests.Kernels#DigitsCnn.DigitsCnnModel.KernelGen.g.verified.cs must be one you
/// meant. The weights and biases are the sample's AdditionalFiles, exactly as DigitsCnn.csproj passes them.
/// </summary>
public sealed class DigitsCnnModelTests
{
    [Fact]
    public void Kernels() => KernelGenSnapshot.Verify("../DigitsCnn/DigitsCnnModel.cs",
        ["../DigitsCnn/model/conv1.weights.bin", "../DigitsCnn/model/conv1.bias.bin", "../DigitsCnn/model/conv2.weights.bin",
         "../DigitsCnn/model/conv2.bias.bin", "../DigitsCnn/model/fc.weights.bin", "../DigitsCnn/model/fc.bias.bin"]);
}
