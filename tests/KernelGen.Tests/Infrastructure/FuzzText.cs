using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Tests.Infrastructure;

/// <summary>
/// Text with named spans: the fuzzer writes <c>Mark("m0.L1.WeightScale", "WeightScale = 0f")</c> while it builds a
/// declaration, and <see cref="Resolve"/> strips the markers and returns where each named piece ended up, so a diagnostic
/// can be checked against the argument or member it must point at.
/// </summary>
public static class FuzzText
{
    private const char Open = '\u0001', Separator = '\u0002', Close = '\u0003';

    public static string Mark(string key, string text) => $"{Open}{key}{Separator}{text}{Close}";

    /// <summary>Prefixes every marker key in <paramref name="text"/> (a model's part of a declaration) with <paramref name="prefix"/>.</summary>
    public static string Prefix(string text, string prefix) => text.Replace(Open.ToString(), Open + prefix);

    public static (string Text, Dictionary<string, List<TextSpan>> Spans) Resolve(string marked)
    {
        var text = new StringBuilder(marked.Length);
        var spans = new Dictionary<string, List<TextSpan>>();
        var open = new Stack<(string Key, int Start)>();
        for (int i = 0; i < marked.Length; i++)
        {
            char c = marked[i];
            if (c == Open)
            {
                int separator = marked.IndexOf(Separator, i);
                open.Push((marked.Substring(i + 1, separator - i - 1), text.Length));
                i = separator;
            }
            else if (c == Close)
            {
                (string key, int start) = open.Pop();
                if (!spans.TryGetValue(key, out List<TextSpan>? list))
                    spans[key] = list = new List<TextSpan>();
                list.Add(TextSpan.FromBounds(start, text.Length));
            }
            else
            {
                text.Append(c);
            }
        }
        return (text.ToString(), spans);
    }
}
