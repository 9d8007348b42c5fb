using BenchmarkDotNet.Running;

namespace KernelGen.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project benchmarks/KernelGen.Benchmarks -- --filter '*' --job short
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
