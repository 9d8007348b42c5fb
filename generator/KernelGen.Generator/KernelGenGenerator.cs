using System;
using System.Collections.Immutable;
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
/// The incremental pipeline, and nothing else: [QuantizedModel] classes are parsed into <see cref="ModelSpec"/>s,
/// combined with the AdditionalFiles that may hold weights, planned into <see cref="ModelPlan"/>s and emitted.
/// Every stage's output is equatable, so an edit that changes no model reuses the cached plan and source.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KernelGenGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for caching tests.</summary>
    public static class Steps
    {
        public const string Models = "KernelGen.Models";
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

        IncrementalValueProvider<ImmutableArray<AdditionalText>> files = context.AdditionalTextsProvider.Collect();

        IncrementalValuesProvider<ModelPlan> plans = models
            .Combine(files)
            .Select(static (pair, cancellationToken) => SafePlan(pair.Left, pair.Right, cancellationToken))
            .WithTrackingName(Steps.Plans);

        context.RegisterSourceOutput(plans, static (output, plan) => Emit(output, plan));
    }

    private static ModelSpec? SafeParse(GeneratorAttributeSyntaxContext syntax, CancellationToken cancellationToken)
    {
        try
        {
            return ModelParser.Parse(syntax, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            string name = syntax.TargetSymbol.Name;
            return new ModelSpec(null, name, EquatableArray<string>.Empty, false, LocationInfo.From(syntax.TargetNode),
                new InputSpec(0, 0, 0, 0, null, EquatableArray<ArgumentLocation>.Empty), EquatableArray<LayerSpec>.Empty,
                new EquatableArray<DiagnosticInfo>(new[] { Failure(name, e, LocationInfo.From(syntax.TargetNode)) }));
        }
    }

    internal static ModelPlan SafePlan(ModelSpec model, ImmutableArray<AdditionalText> files, CancellationToken cancellationToken)
    {
        try
        {
            return ModelPlanner.Plan(model, files, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ModelPlan(model.Namespace, model.ClassName, model.ContainingTypes, false, 0, 0, false,
                EquatableArray<LayerPlan>.Empty,
                new EquatableArray<DiagnosticInfo>(new[] { Failure(model.ClassName, e, model.Location) }));
        }
    }

    private static void Emit(SourceProductionContext output, ModelPlan plan)
    {
        foreach (DiagnosticInfo diagnostic in plan.Diagnostics)
            output.ReportDiagnostic(diagnostic.ToDiagnostic());
        if (plan.Diagnostics.Length != 0)
            return;

        string source;
        try
        {
            source = ModelEmitter.Emit(plan);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            output.ReportDiagnostic(Failure(plan.ClassName, e, null).ToDiagnostic());
            return;
        }
        output.AddSource(ModelEmitter.HintName(plan), source);
    }

    private static DiagnosticInfo Failure(string model, Exception e, LocationInfo? location)
        => DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorFailure, location, model, $"{e.GetType().Name}: {e.Message}");
}
