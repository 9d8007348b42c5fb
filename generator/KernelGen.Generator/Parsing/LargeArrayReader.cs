using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing;

/// <summary>
/// Reads the elements of every array field initializer with more than <see cref="ConstantSource.LargeFieldThreshold"/>
/// elements in one syntax tree, from syntax alone. The pipeline runs it per tree and caches it by tree, so a model with
/// a million inline weights is read again only when its own file changes, never on an edit elsewhere.
/// </summary>
/// <remarks>
/// Without the semantic model only literal forms can be evaluated: integer and character literals, optionally signed,
/// parenthesized, cast to an integer type, or inside <c>checked(...)</c> / <c>unchecked(...)</c>. Anything else is
/// recorded as the first non-literal element, and planning reports it (KG0011) if a layer reads the field.
/// </remarks>
internal static class LargeArrayReader
{
    public static TreeConstants Read(SyntaxTree tree, CancellationToken cancellationToken)
    {
        var fields = new List<FieldConstants>();
        Members(tree.GetRoot(cancellationToken).ChildNodes(), null, new List<(string, int)>(), tree.FilePath, fields, cancellationToken);
        return new TreeConstants(tree.FilePath, fields.ToEquatableArray());
    }

    private static void Members(
        IEnumerable<SyntaxNode> members, string? ns, List<(string Name, int Arity)> types, string path,
        List<FieldConstants> fields, CancellationToken cancellationToken)
    {
        foreach (SyntaxNode member in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (member)
            {
                case BaseNamespaceDeclarationSyntax namespaceDeclaration when types.Count == 0:
                    string name = Name(namespaceDeclaration.Name);
                    Members(namespaceDeclaration.Members, ns is null ? name : ns + "." + name, types, path, fields, cancellationToken);
                    break;
                case TypeDeclarationSyntax type:
                    types.Add((type.Identifier.ValueText, type.TypeParameterList?.Parameters.Count ?? 0));
                    Members(type.Members, ns, types, path, fields, cancellationToken);
                    types.RemoveAt(types.Count - 1);
                    break;
                case FieldDeclarationSyntax field when types.Count > 0:
                    foreach (VariableDeclaratorSyntax variable in field.Declaration.Variables)
                    {
                        if (variable.Initializer?.Value is { } initializer && ConstantFieldReader.Count(initializer) > ConstantSource.LargeFieldThreshold)
                        {
                            var key = new FieldKey(path, FieldKey.TypeKeyOf(ns, types), variable.Identifier.ValueText);
                            fields.Add(Evaluate(key, initializer, cancellationToken));
                        }
                    }
                    break;
            }
        }
    }

    private static FieldConstants Evaluate(FieldKey key, ExpressionSyntax initializer, CancellationToken cancellationToken)
    {
        IReadOnlyList<SyntaxNode> elements = initializer switch
        {
            ArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
            ImplicitArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
            InitializerExpressionSyntax init => init.Expressions,
            CollectionExpressionSyntax collection => collection.Elements,
            _ => new List<SyntaxNode>(),
        };
        var values = new long[elements.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if ((i & 0xFFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            SyntaxNode element = elements[i];
            ExpressionSyntax? expression = element as ExpressionSyntax ?? (element as ExpressionElementSyntax)?.Expression;
            if (expression is null || !TryEvaluate(expression, out values[i]))
                return new FieldConstants(key, EquatableArray<long>.Empty, i, LocationInfo.From(element));
        }
        return new FieldConstants(key, new EquatableArray<long>(values), -1, null);
    }

    private static bool TryEvaluate(ExpressionSyntax expression, out long value)
    {
        value = 0;
        switch (expression)
        {
            case LiteralExpressionSyntax literal:
                switch (literal.Token.Value)
                {
                    case int i: value = i; return true;
                    case uint u: value = u; return true;
                    case long l: value = l; return true;
                    case ulong ul when ul <= long.MaxValue: value = (long)ul; return true;
                    case char c: value = c; return true;
                    default: return false;
                }
            case ParenthesizedExpressionSyntax parenthesized:
                return TryEvaluate(parenthesized.Expression, out value);
            case CheckedExpressionSyntax checkedExpression:
                return TryEvaluate(checkedExpression.Expression, out value);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression):
                if (!TryEvaluate(unary.Operand, out long operand))
                    return false;
                value = unchecked(-operand);
                return true;
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryPlusExpression):
                return TryEvaluate(unary.Operand, out value);
            case CastExpressionSyntax { Type: PredefinedTypeSyntax type } cast:
                if (!TryEvaluate(cast.Expression, out long inner))
                    return false;
                // The conversion as C# performs it in an unchecked context; a checked constant cast that overflows is
                // already a compile error in the user's code.
                switch (type.Keyword.Kind())
                {
                    case SyntaxKind.SByteKeyword: value = unchecked((sbyte)inner); return true;
                    case SyntaxKind.ByteKeyword: value = unchecked((byte)inner); return true;
                    case SyntaxKind.ShortKeyword: value = unchecked((short)inner); return true;
                    case SyntaxKind.UShortKeyword: value = unchecked((ushort)inner); return true;
                    case SyntaxKind.IntKeyword: value = unchecked((int)inner); return true;
                    case SyntaxKind.UIntKeyword: value = unchecked((uint)inner); return true;
                    case SyntaxKind.LongKeyword: value = inner; return true;
                    default: return false;
                }
            default:
                return false;
        }
    }

    private static string Name(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => Name(qualified.Left) + "." + Name(qualified.Right),
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => Name(alias.Name),
        _ => name.ToString(),
    };
}
