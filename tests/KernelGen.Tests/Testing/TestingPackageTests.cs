using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using KernelGen.Tests.Generator;

namespace KernelGen.Tests.Testing;

/// <summary>Tests that run `dotnet pack` on this repository: one at a time, or two builds of the same Release outputs race.</summary>
[CollectionDefinition(nameof(PackCollection))]
public sealed class PackCollection;

/// <summary>
/// `dotnet pack` of KernelGen.Testing ships the generator DLL beside its own in lib/ (the generator has no package),
/// depends on the KernelGen package, and a fresh project that references only KernelGen.Testing can snapshot a model.
/// </summary>
[Collection(nameof(PackCollection))]
public sealed class TestingPackageTests
{
    [Fact]
    public void Pack_ShipsTheGeneratorInLibAndAFreshProjectCanSnapshotAModel()
    {
        string root = RepositoryRoot();
        string work = Directory.CreateTempSubdirectory("kernelgen-testing-pack").FullName;
        try
        {
            string feed = Path.Combine(work, "feed");
            PackageTests.Run(root, "pack", Path.Combine(root, "runtime", "KernelGen.Runtime", "KernelGen.Runtime.csproj"), "-c", "Release", "-o", feed);
            PackageTests.Run(root, "pack", Path.Combine(root, "generator", "KernelGen.Testing", "KernelGen.Testing.csproj"), "-c", "Release", "-o", feed);

            string package = Assert.Single(Directory.GetFiles(feed, "KernelGen.Testing.*.nupkg"));
            string version = Path.GetFileNameWithoutExtension(package)["KernelGen.Testing.".Length..];
            using (ZipArchive zip = ZipFile.OpenRead(package))
            {
                string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
                Assert.Contains("lib/net10.0/KernelGen.Testing.dll", entries);
                Assert.Contains("lib/net10.0/KernelGen.Generator.dll", entries);
                using Stream nuspec = zip.Entries.Single(e => e.FullName == "KernelGen.Testing.nuspec").Open();
                string[] dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
                    .Select(e => (string)e.Attribute("id")!).Order().ToArray();
                Assert.Equal(new[] { "KernelGen", "Microsoft.CodeAnalysis.CSharp" }, dependencies);
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
                    <PackageReference Include="KernelGen.Testing" Version="{version}" />
                    <Compile Remove="**/*.verified.cs;**/*.received.cs" />
                  </ItemGroup>
                </Project>
                """);
            // The first check has no verified file: it fails and writes the received one; renaming that is how a user
            // accepts it by hand, after which the same check passes.
            File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
                using System;
                using System.IO;
                using KernelGen.Testing;

                Environment.SetEnvironmentVariable(SnapshotFile.AcceptVariable, null);   // even under a suite run that accepts
                const string Model = "[KernelGen.QuantizedModel(4, InputScale = 0.5f)] [KernelGen.Dense(4, 2, Weights = nameof(W), WeightScale = 0.25f, OutputScale = 0.5f)] partial class Tiny { static readonly sbyte[] W = { 1, 2, 3, 4, -5, 6, -7, 8 }; }";
                try
                {
                    KernelGenSnapshot.VerifySource(Model, testName: "Kernels");
                    Console.WriteLine("unexpected pass");
                    return 1;
                }
                catch (KernelGenSnapshotException e)
                {
                    Console.WriteLine(e.Message.Split('\n')[0]);
                }
                string received = Path.Combine(Directory.GetCurrentDirectory(), "Program.Kernels#Tiny.KernelGen.g.received.cs");
                File.Move(received, received.Replace(".received.", ".verified."));
                KernelGenSnapshot.VerifySource(Model, testName: "Kernels");
                Console.WriteLine("verified: " + File.ReadAllLines(received.Replace(".received.", ".verified."))[0]);
                return 0;
                """);
            string output = PackageTests.Run(consumer, "run", "-c", "Release");
            string[] lines = output.Trim().Split('\n').Select(l => l.Trim()).ToArray();
            Assert.StartsWith("No verified snapshot ", lines[^2]);
            Assert.Equal("verified: //HintName: Tiny.KernelGen.g.cs", lines[^1]);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));
}
