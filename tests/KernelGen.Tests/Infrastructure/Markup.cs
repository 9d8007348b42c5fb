using System;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Tests.Infrastructure;

/// <summary>Source with one expected diagnostic span marked as [|...|].</summary>
public static class Markup
{
    public static (string Source, TextSpan Span) Parse(string marked)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal);
        if (start < 0 || end < start)
            throw new ArgumentException("Mark the expected span with [| and |].", nameof(marked));
        string source = marked.Remove(end, 2).Remove(start, 2);
        return (source, TextSpan.FromBounds(start, end - 2));
    }
}
