using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Testing;

/// <summary>An AdditionalFiles item backed by a real file: the generator reads weight and bias bytes from its path.</summary>
internal sealed class FileAdditionalText : AdditionalText
{
    public FileAdditionalText(string path) => Path = path;

    public override string Path { get; }

    public override SourceText? GetText(CancellationToken cancellationToken = default)
        => File.Exists(Path) ? SourceText.From(File.ReadAllText(Path)) : null;
}
