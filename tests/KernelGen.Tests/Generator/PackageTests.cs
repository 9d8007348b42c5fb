using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace KernelGen.Tests.Generator;

/// <summary>
/// `dotnet pack` produces one consumable package: the runtime under lib/, the generator under analyzers/dotnet/cs; a
/// fresh project that references only that package gets its model generated and running.
/// </summary>
[Collection(nameof(Testing.PackCollection))]
public sealed class PackageTests
{
    [Fact]
    public void Pack_ProducesAPackageAFreshProjectCanUse()
    {
        string root = RepositoryRoot();
        string work = Directory.CreateTempSubdirectory("kernelgen-pack").FullName;
        try
        {
            string feed = Path.Combine(work, "feed");
            Run(root, "pack", Path.Combine(root, "runtime", "KernelGen.Runtime", "KernelGen.Runtime.csproj"), "-c", "Release", "-o", feed);

            string package = Assert.Single(Directory.GetFiles(feed, "KernelGen.*.nupkg"));
            using (ZipArchive zip = ZipFile.OpenRead(package))
            {
                string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
                Assert.Contains("analyzers/dotnet/cs/KernelGen.Generator.dll", entries);
                Assert.Contains("lib/net10.0/KernelGen.Runtime.dll", entries);
                Assert.DoesNotContain("lib/netstandard2.0/KernelGen.Generator.dll", entries);
            }

            string consumer = Path.Combine(work, "consumer");
            Directory.CreateDirectory(consumer);
            File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <RestoreAdditionalProjectSources>{feed}</RestoreAdditionalProjectSources>
                    <RestorePackagesPath>{Path.Combine(work, "packages")}</RestorePackagesPath>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="KernelGen" Version="{Path.GetFileNameWithoutExtension(package)["KernelGen.".Length..]}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
                using KernelGen;
                byte[] y = new byte[2], z = new byte[2];
                Tiny.Run(new byte[] { 1, 2, 3, 4 }, y);
                Tiny.RunReference(new byte[] { 1, 2, 3, 4 }, z);
                System.Console.WriteLine($"{y[0]} {y[1]} {z[0]} {z[1]}");

                [QuantizedModel(4, InputScale = 0.5f)]
                [Dense(4, 2, Weights = nameof(W), WeightScale = 0.25f, OutputScale = 0.5f, Activation = Activation.Relu)]
                partial class Tiny { static readonly sbyte[] W = { 1, 2, 3, 4, -5, 6, -7, 8 }; }
                """);
            string output = Run(consumer, "run", "-c", "Release");
            // Multiplier 0.5 * 0.25 / 0.5 = 0.25 -> M0 = 2^30, shift -1. Row 0: acc = 1+4+9+16 = 30, SRDHM(30, 2^30) = 15,
            // 15 / 2 = 7.5 -> 8. Row 1: acc = -5+12-21+32 = 18 -> 9 -> 4.5 -> 5. Both round half away from zero.
            Assert.Equal("8 5 8 5", output.Trim().Split('\n').Last().Trim());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    internal static string Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(300_000), $"dotnet {string.Join(' ', arguments)} did not finish");
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed:\n{output}\n{error.Result}");
        return output;
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));
}
