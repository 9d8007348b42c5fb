using System.Collections.Concurrent;
using System.Collections.Immutable;
using KernelGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace KernelGen.Generator.Analyzers;

/// <summary>
/// KG0100: code that can change a weight or bias field at run time. The generator reads the fields named by
/// <c>[Dense(Weights = nameof(W), Bias = nameof(B))]</c> once, at compile time, and bakes their values into the kernels,
/// so a later write silently has no effect on <c>Run</c>.
/// </summary>
/// <remarks>
/// The rule, for a field named by a <c>[Dense]</c> layer of a <c>[QuantizedModel]</c> type. Reported:
/// <list type="bullet">
/// <item>the field or one of its elements is written: the target of <c>=</c>, a compound assignment, <c>??=</c>,
/// <c>++</c> / <c>--</c> or a deconstruction (reported at that expression);</item>
/// <item>a writable reference to it or to an element is taken: a <c>ref</c> / <c>out</c> argument, a <c>ref</c> local,
/// a <c>ref</c> return, <c>&amp;W[i]</c> (reported at the referenced expression);</item>
/// <item>the array is passed to a parameter whose type lets the callee write it — an array, <c>System.Array</c>,
/// <c>Span&lt;T&gt;</c>, <c>Memory&lt;T&gt;</c>, <c>ArraySegment&lt;T&gt;</c>, <c>IList&lt;T&gt;</c>, <c>IList</c> or
/// a pointer (<c>Array.Fill(W, 0)</c>, <c>Array.Clear(W)</c>, <c>W.AsSpan()</c>) — except the read-only parameters in
/// <see cref="ReadOnlyArrayParameters"/>; converted to one of the non-array types above (<c>Span&lt;sbyte&gt; s = W</c>,
/// <c>fixed (sbyte* p = W)</c>); or stored, returned or initialized into a location of one of those types, where
/// writes through the alias can no longer be followed (reported at the field);</item>
/// <item><c>Array.SetValue</c> or <c>Array.Initialize</c> is called on it (reported at the call).</item>
/// </list>
/// Not reported: reads (<c>W[i]</c>, <c>W.Length</c>, <c>foreach</c>, LINQ, <c>W.CopyTo(other, 0)</c>,
/// <c>W.Clone()</c>, <c>Array.Copy(W, other, n)</c>, <c>ref readonly</c> / <c>in</c> references), passing or converting
/// it to <c>ReadOnlySpan&lt;T&gt;</c>, <c>ReadOnlyMemory&lt;T&gt;</c>, <c>IEnumerable&lt;T&gt;</c>,
/// <c>IReadOnlyList&lt;T&gt;</c> or <c>object</c> (the static type is trusted: a cast back is not followed), the
/// field's own initializer, and generated code. The rule goes by parameter types, not by what a method does, so a
/// method that takes <c>T[]</c> or <c>Span&lt;T&gt;</c> only to read it is reported too (<c>W.AsSpan().IndexOf(x)</c>):
/// pass <c>(ReadOnlySpan&lt;T&gt;)W</c> instead.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ConstantFieldWriteAnalyzer : DiagnosticAnalyzer
{
    private const string ModelAttributeName = "KernelGen.QuantizedModelAttribute";
    private const string DenseAttributeName = "KernelGen.DenseAttribute";

    /// <summary>
    /// Parameters of a writable type that the BCL documents as only read: (type, method, parameter); a null method or
    /// parameter matches every one. ".ctor" names the constructors of a read-only wrapper. LINQ never writes its
    /// source (.NET 10 adds <c>Enumerable.Reverse(T[])</c>, which must not be mistaken for the in-place span one).
    /// </summary>
    private static readonly (string Type, string? Method, string? Parameter)[] ReadOnlyArrayParameters =
    {
        ("System.Linq.Enumerable", null, null),
        ("System.Array", "Copy", "sourceArray"),
        ("System.Array", "ConstrainedCopy", "sourceArray"),
        ("System.Array", "AsReadOnly", null),
        ("System.Array", "BinarySearch", null),
        ("System.Array", "ConvertAll", null),
        ("System.Array", "Exists", null),
        ("System.Array", "Find", null),
        ("System.Array", "FindAll", null),
        ("System.Array", "FindIndex", null),
        ("System.Array", "FindLast", null),
        ("System.Array", "FindLastIndex", null),
        ("System.Array", "ForEach", null),
        ("System.Array", "IndexOf", null),
        ("System.Array", "LastIndexOf", null),
        ("System.Array", "TrueForAll", null),
        ("System.Buffer", "BlockCopy", "src"),
        ("System.ReadOnlySpan`1", ".ctor", null),
        ("System.ReadOnlyMemory`1", ".ctor", null),
        ("System.Collections.ObjectModel.ReadOnlyCollection`1", ".ctor", null),
    };

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ConstantFieldWrittenAtRunTime);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            INamedTypeSymbol? model = start.Compilation.GetTypeByMetadataName(ModelAttributeName);
            INamedTypeSymbol? dense = start.Compilation.GetTypeByMetadataName(DenseAttributeName);
            if (model is null || dense is null)
                return;
            var analysis = new Analysis(start.Compilation, model, dense);
            start.RegisterOperationAction(analysis.AnalyzeFieldReference, OperationKind.FieldReference);
        });
    }

    /// <summary>Per-compilation state: the well-known types, and the constant fields of each type seen so far.</summary>
    private sealed class Analysis
    {
        private readonly INamedTypeSymbol _modelAttribute;
        private readonly INamedTypeSymbol _denseAttribute;
        private readonly INamedTypeSymbol? _array;
        private readonly ImmutableArray<INamedTypeSymbol> _writableViews;
        private readonly ImmutableArray<(INamedTypeSymbol Type, string? Method, string? Parameter)> _readOnlyParameters;
        private readonly ConcurrentDictionary<INamedTypeSymbol, ImmutableHashSet<string>> _constantFields =
            new(SymbolEqualityComparer.Default);

        public Analysis(Compilation compilation, INamedTypeSymbol modelAttribute, INamedTypeSymbol denseAttribute)
        {
            _modelAttribute = modelAttribute;
            _denseAttribute = denseAttribute;
            _array = compilation.GetTypeByMetadataName("System.Array");

            var views = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
            foreach (string name in new[]
            {
                "System.Array", "System.Span`1", "System.Memory`1", "System.ArraySegment`1",
                "System.Collections.IList", "System.Collections.Generic.IList`1",
            })
            {
                if (compilation.GetTypeByMetadataName(name) is { } type)
                    views.Add(type);
            }
            _writableViews = views.ToImmutable();

            var readOnly = ImmutableArray.CreateBuilder<(INamedTypeSymbol, string?, string?)>();
            foreach ((string type, string? method, string? parameter) in ReadOnlyArrayParameters)
            {
                if (compilation.GetTypeByMetadataName(type) is { } symbol)
                    readOnly.Add((symbol, method, parameter));
            }
            _readOnlyParameters = readOnly.ToImmutable();
        }

        public void AnalyzeFieldReference(OperationAnalysisContext context)
        {
            var reference = (IFieldReferenceOperation)context.Operation;
            IFieldSymbol field = reference.Field.OriginalDefinition;
            INamedTypeSymbol type = field.ContainingType.OriginalDefinition;
            if (!ConstantFields(type).Contains(field.Name))
                return;

            if (Classify(reference, context.ContainingSymbol) is not { } finding)
                return;
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ConstantFieldWrittenAtRunTime, finding.Where.Syntax.GetLocation(),
                field.Name, type.Name, finding.What));
        }

        /// <summary>The names of the fields the [Dense] layers of a [QuantizedModel] type read; empty for other types.</summary>
        private ImmutableHashSet<string> ConstantFields(INamedTypeSymbol type)
            => _constantFields.GetOrAdd(type, t =>
            {
                ImmutableArray<AttributeData> attributes = t.GetAttributes();
                bool isModel = false;
                foreach (AttributeData attribute in attributes)
                    isModel |= SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, _modelAttribute);
                if (!isModel)
                    return ImmutableHashSet<string>.Empty;

                ImmutableHashSet<string>.Builder names = ImmutableHashSet.CreateBuilder<string>();
                foreach (AttributeData attribute in attributes)
                {
                    if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, _denseAttribute))
                        continue;
                    foreach (var argument in attribute.NamedArguments)
                    {
                        if (argument.Key is "Weights" or "Bias" && argument.Value.Value is string name)
                            names.Add(name);
                    }
                }
                return names.ToImmutable();
            });

        /// <summary>What the reference does to the field, or null when it only reads it.</summary>
        private (IOperation Where, string What)? Classify(IFieldReferenceOperation reference, ISymbol containingSymbol)
        {
            if (reference.Parent is IArrayElementReferenceOperation element && element.ArrayReference == reference)
                return WriteOrReference(element, containingSymbol, "has an element written here", "has an element taken by writable reference here");

            if (WriteOrReference(reference, containingSymbol, "is assigned here", "is taken by writable reference here") is { } direct)
                return direct;

            return Escape(reference);
        }

        /// <summary>A write to <paramref name="target"/> (the field, or one of its elements), or a writable reference to it.</summary>
        private static (IOperation Where, string What)? WriteOrReference(IOperation target, ISymbol containingSymbol, string written, string referenced)
        {
            // A ref conditional passes the variable itself on: `ref (c ? ref W[0] : ref x)`.
            IOperation use = target;
            while (use.Parent is IConditionalOperation { IsRef: true } conditional && use != conditional.Condition)
                use = conditional;

            switch (use.Parent)
            {
                case IAssignmentOperation assignment when assignment.Target == use:
                    // Simple, compound and ??= assignments; `r = ref W[0]` assigns the ref local, not the element.
                    return assignment is ISimpleAssignmentOperation { IsRef: true } ? null : (assignment, written);
                case IIncrementOrDecrementOperation increment when increment.Target == use:
                    return (increment, written);
                case ITupleOperation tuple when DeconstructionOf(tuple) is { } deconstruction:
                    return (deconstruction, written);
                case ISimpleAssignmentOperation { IsRef: true } refAssignment when refAssignment.Value == use:
                    return IsWritableRef(refAssignment.Target) ? (target, referenced) : null;
                case IArgumentOperation argument when argument.Parameter is { RefKind: RefKind.Ref or RefKind.Out }:
                    return (target, referenced);
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.RefKind: RefKind.Ref } }:
                    return (target, referenced);
                case IReturnOperation returned when returned.ReturnedValue == use && ReturnsByRef(returned, containingSymbol):
                    return (target, referenced);
                case IAddressOfOperation:
                    return (target, referenced);
                default:
                    return null;
            }
        }

        /// <summary>The deconstruction whose target contains <paramref name="tuple"/>, if it is one.</summary>
        private static IDeconstructionAssignmentOperation? DeconstructionOf(ITupleOperation tuple)
        {
            IOperation current = tuple;
            while (current.Parent is ITupleOperation outer)
                current = outer;
            return current.Parent is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target == current ? deconstruction : null;
        }

        private static bool IsWritableRef(IOperation target) => target switch
        {
            ILocalReferenceOperation local => local.Local.RefKind == RefKind.Ref,
            IParameterReferenceOperation parameter => parameter.Parameter.RefKind is RefKind.Ref or RefKind.Out,
            _ => true,
        };

        private static bool ReturnsByRef(IReturnOperation returned, ISymbol containingSymbol)
        {
            for (IOperation? current = returned.Parent; current is not null; current = current.Parent)
            {
                if (current is ILocalFunctionOperation localFunction)
                    return localFunction.Symbol.RefKind == RefKind.Ref;
                if (current is IAnonymousFunctionOperation lambda)
                    return lambda.Symbol.RefKind == RefKind.Ref;
            }
            return containingSymbol is IMethodSymbol { RefKind: RefKind.Ref } or IPropertySymbol { RefKind: RefKind.Ref };
        }

        /// <summary>The array handed on as something through which it can be written.</summary>
        private (IOperation Where, string What)? Escape(IFieldReferenceOperation reference)
        {
            // Follow the value through conversions and value conditionals to the place that consumes it.
            IOperation value = reference;
            while (true)
            {
                if (value.Parent is IConversionOperation conversion)
                    value = conversion;
                else if (value.Parent is { Kind: OperationKind.None, Type: IPointerTypeSymbol } pinned)
                    value = pinned;   // `fixed (sbyte* p = W)`: Roslyn has no IOperation for that conversion yet
                else if (value.Parent is IConditionalOperation conditional && value != conditional.Condition)
                    value = conditional;
                else if (value.Parent is ICoalesceOperation coalesce)
                    value = coalesce;
                else
                    break;
            }

            switch (value.Parent)
            {
                case IArgumentOperation { Parameter: { } parameter } argument when argument.Value == value:
                    return IsWritableView(parameter.Type) && !IsReadOnlyParameter(parameter)
                        ? (reference, $"is passed here to a parameter of type '{Display(parameter.Type)}', through which it can be written")
                        : null;
                case IInvocationOperation invocation when invocation.Instance == value
                    && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, _array)
                    && invocation.TargetMethod.Name is "SetValue" or "Initialize":
                    return (invocation, $"is modified by Array.{invocation.TargetMethod.Name} here");
            }

            if (value.Type is not { } type || !IsWritableView(type))
                return null;
            if (value != reference && type is not IArrayTypeSymbol)
                return (reference, $"is converted here to '{Display(type)}', through which it can be written");
            if (IsStored(value))
                return (reference, $"escapes here as a writable '{Display(type)}' (writes through it are not followed)");
            return null;
        }

        /// <summary>Whether <paramref name="value"/> is kept somewhere: a variable, field, property, return value or collection.</summary>
        private static bool IsStored(IOperation value) => value.Parent switch
        {
            IVariableInitializerOperation or IFieldInitializerOperation or IPropertyInitializerOperation => true,
            ISimpleAssignmentOperation assignment => assignment.Value == value,
            IReturnOperation => true,
            IArrayInitializerOperation or ICollectionExpressionOperation or ITupleOperation => true,
            _ => false,
        };

        private bool IsWritableView(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol or IPointerTypeSymbol)
                return true;
            ITypeSymbol definition = type.OriginalDefinition;
            foreach (INamedTypeSymbol view in _writableViews)
            {
                if (SymbolEqualityComparer.Default.Equals(definition, view))
                    return true;
            }
            return false;
        }

        private bool IsReadOnlyParameter(IParameterSymbol parameter)
        {
            if (parameter.ContainingSymbol is not IMethodSymbol method)
                return false;
            INamedTypeSymbol owner = method.ContainingType.OriginalDefinition;
            foreach ((INamedTypeSymbol type, string? name, string? parameterName) in _readOnlyParameters)
            {
                if (SymbolEqualityComparer.Default.Equals(owner, type) && (name is null || method.Name == name)
                    && (parameterName is null || parameter.Name == parameterName))
                    return true;
            }
            return false;
        }

        private static string Display(ITypeSymbol type)
            => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
    }
}
