using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace KernelGen.Tests.Generator;

/// <summary>
/// `dotnet pack` produces one consumable package: the runtime under lib/, the generator under analyzers/dotnet/cs,
/// KernelGen.props / KernelGen.targets under build/ and buildTransitive/, the metadata a package page shows, and a
/// symbol package. Fresh projects that reference only that package get their model generated and running, get no
/// generated code with KernelGenEnabled=false, and get the AVX2 instruction set for a NativeAOT publish to x64.
/// </summary>
[Collection(nameof(Testing.PackCollection))]
public sealed class PackageTests : IClassFixture<PackageTests.PackedKernelGen>
{
    private const string RepositoryUrl = "https://github.com/kernelgen/kernelgen";

    // The smallest model the package tests run: the expected outputs are worked out in Consumer_BuildsAndRunsAModel.
    private const string TinyModel = """
        [QuantizedModel(4, InputScale = 0.5f)]
        [Dense(4, 2, Weights = nameof(W), WeightScale = 0.25f, OutputScale = 0.5f, Activation = Activation.Relu)]
        partial class Tiny { static readonly sbyte[] W = { 1, 2, 3, 4, -5, 6, -7, 8 }; }
        """;

    private readonly PackedKernelGen _package;

    public PackageTests(PackedKernelGen package) => _package = package;

    [Fact]
    public void Pack_PutsTheRuntimeTheGeneratorAndTheBuildFilesInThePackage()
    {
        Assert.DoesNotContain("warning", _package.PackOutput, StringComparison.OrdinalIgnoreCase);

        using ZipArchive zip = ZipFile.OpenRead(_package.Package);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("analyzers/dotnet/cs/KernelGen.Generator.dll", entries);
        Assert.Contains("lib/net10.0/KernelGen.Runtime.dll", entries);
        Assert.DoesNotContain("lib/netstandard2.0/KernelGen.Generator.dll", entries);
        Assert.DoesNotContain(entries, e => e.EndsWith(".pdb", StringComparison.Ordinal));

        // The same two files in build/ (direct references) and buildTransitive/ (references through another package).
        string buildSource = Path.Combine(_package.Root, "runtime", "KernelGen.Runtime", "build");
        foreach (string folder in new[] { "build", "buildTransitive" })
        {
            foreach (string file in new[] { "KernelGen.props", "KernelGen.targets" })
                Assert.Equal(File.ReadAllText(Path.Combine(buildSource, file)), ReadEntry(zip, $"{folder}/{file}"));
        }
    }

    [Fact]
    public void Pack_WritesTheMetadataAPackagePageShows()
    {
        using ZipArchive zip = ZipFile.OpenRead(_package.Package);
        XElement metadata = XDocument.Parse(ReadEntry(zip, "KernelGen.nuspec")).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        XElement Element(string name) => Assert.Single(metadata.Elements(), e => e.Name.LocalName == name);

        XElement license = Element("license");
        Assert.Equal("expression", (string?)license.Attribute("type"));
        Assert.Equal("MIT", license.Value);

        Assert.Equal("README.md", Element("readme").Value);
        Assert.Equal(
            File.ReadAllText(Path.Combine(_package.Root, "runtime", "KernelGen.Runtime", "PackageReadme.md")),
            ReadEntry(zip, "README.md"));

        Assert.Equal(RepositoryUrl, Element("projectUrl").Value);
        XElement repository = Element("repository");
        Assert.Equal(RepositoryUrl, (string?)repository.Attribute("url"));
        Assert.Equal("git", (string?)repository.Attribute("type"));

        string[] tags = Element("tags").Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Superset(new HashSet<string> { "int8", "quantization", "simd", "source-generator", "nativeaot" }, tags.ToHashSet());

        // The license the expression names is the one in the repository.
        string licenseText = File.ReadAllText(Path.Combine(_package.Root, "LICENSE"));
        Assert.StartsWith("MIT License", licenseText, StringComparison.Ordinal);
        Assert.Contains("Copyright (c) KernelGen contributors", licenseText, StringComparison.Ordinal);
    }

    [Fact]
    public void Pack_WritesASymbolPackageWithThePdbsOfTheRuntimeAndTheGenerator()
    {
        string symbols = Path.ChangeExtension(_package.Package, ".snupkg");
        Assert.True(File.Exists(symbols), $"no symbol package {symbols}");

        using ZipArchive package = ZipFile.OpenRead(_package.Package);
        using ZipArchive zip = ZipFile.OpenRead(symbols);
        // Each pdb sits where its dll sits in the .nupkg, and is the pdb of that very dll (same debug id).
        foreach (string dll in new[] { "lib/net10.0/KernelGen.Runtime.dll", "analyzers/dotnet/cs/KernelGen.Generator.dll" })
        {
            string pdb = Path.ChangeExtension(dll, ".pdb");
            Assert.Equal(DebugIdOfDll(ReadBytes(package, dll)), DebugIdOfPdb(ReadBytes(zip, pdb)));
        }
    }

    [Fact]
    public void Consumer_BuildsAndRunsAModel()
    {
        string output = _package.EnabledConsumerOutput.Value;
        // Multiplier 0.5 * 0.25 / 0.5 = 0.25 -> M0 = 2^30, shift -1. Row 0: acc = 1+4+9+16 = 30, SRDHM(30, 2^30) = 15,
        // 15 / 2 = 7.5 -> 8. Row 1: acc = -5+12-21+32 = 18 -> 9 -> 4.5 -> 5. Both round half away from zero.
        Assert.Equal("8 5 8 5", output.Trim().Split('\n').Last().Trim());
    }

    [Fact]
    public void Consumer_WithKernelGenEnabledFalse_GetsNoGeneratedCode()
    {
        // The same declaration as the consumer that runs it, in a project that sets KernelGenEnabled=false: it builds,
        // and the class holds only what its source declares (the generator would add Run, RunReference, InputSize,
        // OutputSize, ActivePath and private helpers).
        string consumer = _package.Consumer("Disabled", "<KernelGenEnabled>false</KernelGenEnabled>", $$"""
            using System.Linq;
            using System.Reflection;
            using KernelGen;
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
            System.Console.WriteLine(string.Join(",", typeof(Tiny).GetMembers(all).Select(m => m.Name).OrderBy(n => n, System.StringComparer.Ordinal)));

            {{TinyModel}}
            """);
        string output = Run(consumer, "run", "-c", "Release");
        Assert.Equal(".cctor,.ctor,W", output.Trim().Split('\n').Last().Trim());
    }

    [Fact]
    public void Consumer_NativeAotPublishToX64_GetsAnInstructionSetWithAvx2()
    {
        // Evaluation only (the CI script does the real NativeAOT publish): the consumer that ran the model is restored,
        // so the package's build/KernelGen.targets is imported.
        _ = _package.EnabledConsumerOutput.Value;
        string consumer = _package.EnabledConsumer;
        string IlcInstructionSet(params string[] properties)
            => Run(consumer, ["msbuild", "-getProperty:IlcInstructionSet", .. properties]).Trim();

        Assert.Equal("x86-64-v3", IlcInstructionSet("-p:PublishAot=true", "-p:RuntimeIdentifier=linux-x64"));
        // No x64 instruction set for an arm64 RID.
        Assert.Equal("", IlcInstructionSet("-p:PublishAot=true", "-p:RuntimeIdentifier=linux-arm64"));
        // The opt-out leaves ILC's default.
        Assert.Equal("", IlcInstructionSet("-p:PublishAot=true", "-p:RuntimeIdentifier=linux-x64", "-p:KernelGenAotInstructionSet="));
        // A project's own choice wins.
        Assert.Equal("native", IlcInstructionSet("-p:PublishAot=true", "-p:RuntimeIdentifier=win-x64", "-p:IlcInstructionSet=native"));
    }

    private static string ReadEntry(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(Assert.Single(zip.Entries, e => e.FullName == name).Open());
        return reader.ReadToEnd();
    }

    private static byte[] ReadBytes(ZipArchive zip, string name)
    {
        using Stream entry = Assert.Single(zip.Entries, e => e.FullName == name).Open();
        using var bytes = new MemoryStream();
        entry.CopyTo(bytes);
        return bytes.ToArray();
    }

    // The portable pdb id a dll's CodeView debug directory entry records: its guid and stamp.
    private static string DebugIdOfDll(byte[] dll)
    {
        using var pe = new PEReader(new MemoryStream(dll));
        DebugDirectoryEntry codeView = Assert.Single(pe.ReadDebugDirectory(), e => e.Type == DebugDirectoryEntryType.CodeView);
        CodeViewDebugDirectoryData data = pe.ReadCodeViewDebugDirectoryData(codeView);
        return $"{data.Guid:N}-{codeView.Stamp:x8}";
    }

    private static string DebugIdOfPdb(byte[] pdb)
    {
        using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdb));
        byte[] id = provider.GetMetadataReader().DebugMetadataHeader!.Id.ToArray();
        return $"{new Guid(id.AsSpan(0, 16)):N}-{BitConverter.ToUInt32(id, 16):x8}";
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

    /// <summary>
    /// Packs the runtime once for the tests of this class, into a local feed in a temporary folder, and builds
    /// consumer projects there that reference the package from that feed (their own packages folder, so no stale copy
    /// of this version from the machine's cache is used).
    /// </summary>
    public sealed class PackedKernelGen : IDisposable
    {
        public PackedKernelGen()
        {
            Root = RepositoryRoot();
            Work = Directory.CreateTempSubdirectory("kernelgen-pack").FullName;
            Feed = Path.Combine(Work, "feed");
            PackOutput = Run(Root, "pack", Path.Combine(Root, "runtime", "KernelGen.Runtime", "KernelGen.Runtime.csproj"), "-c", "Release", "-o", Feed);
            Package = Assert.Single(Directory.GetFiles(Feed, "KernelGen.*.nupkg"));
            EnabledConsumer = Consumer("Enabled", "", $$"""
                using KernelGen;
                byte[] y = new byte[2], z = new byte[2];
                Tiny.Run(new byte[] { 1, 2, 3, 4 }, y);
                Tiny.RunReference(new byte[] { 1, 2, 3, 4 }, z);
                System.Console.WriteLine($"{y[0]} {y[1]} {z[0]} {z[1]}");

                {{TinyModel}}
                """);
            EnabledConsumerOutput = new Lazy<string>(() => Run(EnabledConsumer, "run", "-c", "Release"));
        }

        public string Root { get; }

        public string Work { get; }

        public string Feed { get; }

        public string Package { get; }

        public string PackOutput { get; }

        /// <summary>A consumer with the default properties whose program runs the tiny model.</summary>
        public string EnabledConsumer { get; }

        /// <summary>What `dotnet run` printed for <see cref="EnabledConsumer"/> (built and run on first use).</summary>
        public Lazy<string> EnabledConsumerOutput { get; }

        /// <summary>Writes a console project that references the KernelGen package; returns its folder.</summary>
        public string Consumer(string name, string properties, string program)
        {
            string directory = Path.Combine(Work, name);
            Directory.CreateDirectory(directory);
            string version = Path.GetFileNameWithoutExtension(Package)["KernelGen.".Length..];
            File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <RestoreAdditionalProjectSources>{Feed}</RestoreAdditionalProjectSources>
                    <RestorePackagesPath>{Path.Combine(Work, "packages")}</RestorePackagesPath>
                    {properties}
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="KernelGen" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(directory, "Program.cs"), program);
            return directory;
        }

        public void Dispose() => Directory.Delete(Work, recursive: true);

        private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "")
            => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));
    }
}
