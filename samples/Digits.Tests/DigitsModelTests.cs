using KernelGen.Testing;

namespace Digits.Tests;

/// <summary>
/// The kernels generated for samples/Digits/DigitsModel.cs, reviewed like code: a change to
/// DigitsModelTests.Kernels#Digits.DigitsModel.KernelGen.g.verified.cs must be one you meant. The weights and biases
/// are the sample's AdditionalFiles, exactly as Digits.csproj passes them to the compiler.
/// </summary>
public sealed class DigitsModelTests
{
    [Fact]
    public void Kernels() => KernelGenSnapshot.Verify("../Digits/DigitsModel.cs",
        ["../Digits/model/fc1.weights.bin", "../Digits/model/fc1.bias.bin", "../Digits/model/fc2.weights.bin", "../Digits/model/fc2.bias.bin"]);
}
