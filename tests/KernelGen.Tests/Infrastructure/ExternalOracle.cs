using System;

namespace KernelGen.Tests.Infrastructure;

/// <summary>
/// Conformance tests compare against oracles from Debian packages (gemmlowp's header, the ONNX node test data).
/// Where one is missing the test is reported as skipped, with the install command, on a developer's machine, and fails
/// under CI=true, where .ci/run installs them: CI never passes without having compared.
/// </summary>
public static class ExternalOracle
{
    public static void Require(string? missing)
    {
        if (missing is null)
            return;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail($"{missing} CI=true: .ci/run must install it before the tests run.");
        Skip.If(true, $"{missing} Skipped: install it to run this conformance test.");
    }
}
