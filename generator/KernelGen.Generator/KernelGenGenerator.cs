using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Emitting;
using KernelGen.Generator.Model;
using KernelGen.Generator.Parsing;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator;

/// <summary>
/// The incremental pipeline, and nothing else: [QuantizedModel] types are parsed into <see cref="ModelSpec"/>s, joined
/// with the values of the large array fields they read (read per syntax tree from syntax alone) and with the bytes of
/// the AdditionalFiles they name (read here, once per file), planned into <see cref="ModelPlan"/>s and emitted. Every stage's output is
/// equatable, so an edit that changes no model reuses the cached plan and source.
/// </summary>
/// <remarks>
/// Nothing here throws into the compiler: each stage catches its own failure and turns it into KG9999 for that model
/// only, so one model's failure never takes another model's generated code away.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class KernelGenGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for caching tests.</summary>
    public static class Steps
    {
        public const string Models = "KernelGen.Models";
        public const string Constants = "KernelGen.Constants";
        public const string Files = "KernelGen.Files";
        public const string Inputs = "KernelGen.Inputs";
        public const string Plans = "KernelGen.Plans";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ModelSpec> models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ModelParser.ModelAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (syntax, cancellationToken) => SafeParse(syntax, cancellationToken))
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(Steps.Models);

        // Large inline arrays, read per tree: an unchanged tree is the same object in the next compilation, so its read
        // is cached and an edit elsewhere never re-reads a million weights.
        IncrementalValueProvider<ImmutableArray<TreeConstants>> constants = context.CompilationProvider
            .SelectMany(static (compilation, _) => compilation.SyntaxTrees)
            .Select(static (tree, cancellationToken) => SafeRead(tree, cancellationToken))
            .WithTrackingName(Steps.Constants)
            .Where(static tree => tree.Fields.Length > 0)
            .Collect();

        // The AdditionalFiles some model names, read once each here: planning matches them and does no I/O.
        IncrementalValueProvider<EquatableArray<string>> requested = models
            .SelectMany(static (model, _) => model.RequestedFiles())
            .Collect()
            .Select(static (names, _) => names.Distinct().OrderBy(n => n, StringComparer.Ordinal).ToEquatableArray());
        IncrementalValueProvider<ImmutableArray<ConstantFile>> files = context.AdditionalTextsProvider
            .Combine(requested)
            .Select(static (pair, cancellationToken) => ConstantFileReader.Read(pair.Left, pair.Right, cancellationToken))
            .WithTrackingName(Steps.Files)
            .Where(static file => file is not null)
            .Select(static (file, _) => file!)
            .Collect();

        IncrementalValuesProvider<ModelInputs> inputs = models
            .Combine(constants)
            .Combine(files)
            .Select(static (pair, _) => ModelInputs.For(pair.Left.Left, pair.Left.Right, pair.Right))
            .WithTrackingName(Steps.Inputs);

        IncrementalValuesProvider<ModelPlan> plans = inputs
            .Select(static (inputs, cancellationToken) => SafePlan(inputs, cancellationToken))
            .WithTrackingName(Steps.Plans);

        // Hint names must be unique ignoring case across the generator's files; only names that collide get a suffix.
        IncrementalValueProvider<EquatableArray<string>> caseCollisions = plans
            .Select(static (plan, _) => plan.Declaration.HintBase)
            .Collect()
            .Select(static (names, _) => ModelEmitter.CaseCollisions(names));

        context.RegisterSourceOutput(plans.Combine(caseCollisions), static (output, pair) => Emit(output, pair.Left, pair.Right));
    }

    private static ModelSpec? SafeParse(GeneratorAttributeSyntaxContext syntax, CancellationToken cancellationToken)
    {
        try
        {
            return ModelParser.Parse(syntax, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The declaration could not be read: a spec with only the failure, under a hint name of its own.
            string name = syntax.TargetSymbol.Name;
            LocationInfo? location = LocationInfo.From(syntax.TargetNode);
            var shape = new TypeShape("class", name, EquatableArray<string>.Empty);
            var declaration = new ModelDeclaration(null, EquatableArray<TypeShape>.Empty, shape,
                syntax.TargetSymbol.ToDisplayString() + "-failed", EquatableArray<string>.Empty, false, 0);
            return new ModelSpec(declaration, location, new InputSpec(0, EquatableArray<int>.Empty, 0, 0, 0, 0, 0, null, EquatableArray<ArgumentLocation>.Empty),
                EquatableArray<LayerSpec>.Empty, new EquatableArray<DiagnosticInfo>(new[] { Failure(name, e, location) }));
        }
    }

    private static TreeConstants SafeRead(SyntaxTree tree, CancellationToken cancellationToken)
    {
        try
        {
            return LargeArrayReader.Read(tree, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A field the reader could not handle reaches planning as "could not be read" (KG0011) for the model using it.
            return new TreeConstants(tree.FilePath, EquatableArray<FieldConstants>.Empty);
        }
    }

    internal static ModelPlan SafePlan(ModelInputs inputs, CancellationToken cancellationToken)
    {
        try
        {
            return ModelPlanner.Plan(inputs, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ModelSpec model = inputs.Model;
            return ModelPlan.Failed(model.Declaration, new EquatableArray<DiagnosticInfo>(new[] { Failure(model.ClassName, e, model.Location) }));
        }
    }

    private static void Emit(SourceProductionContext output, ModelPlan plan, EquatableArray<string> caseCollisions)
    {
        try
        {
            foreach (DiagnosticInfo diagnostic in plan.Diagnostics)
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (plan.Diagnostics.Length != 0)
                return;
            string source = ModelEmitter.Emit(plan);
            output.AddSource(ModelEmitter.HintName(plan, caseCollisions), source);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            output.ReportDiagnostic(Failure(plan.ClassName, e, null).ToDiagnostic());
        }
    }

    private static DiagnosticInfo Failure(string model, Exception e, LocationInfo? location)
        => DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorFailure, location, model, $"{e.GetType().Name}: {e.Message}");
}
