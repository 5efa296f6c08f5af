using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Recipes;

/// <summary>
/// <c>recipes/recipe.schema.json</c> is what <c>peftqa schema</c> writes, every bundled recipe names it and passes it,
/// and an independent validator (JsonSchema.Net) running the schema accepts and rejects the same recipes as ours.
/// </summary>
public sealed class RecipeSchemaTests
{
    private static readonly string SchemaPath = Path.Combine(TestEnvironment.RepositoryRoot, "recipes", RecipeSchema.FileName);
    private static readonly JsonDocumentOptions Jsonc = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly Lazy<PluginCatalog> Bundled = new(() =>
        new PluginLoader(new ServiceCollection().AddLogging().BuildServiceProvider(), NullLogger<PluginLoader>.Instance).Load([PluginLoader.BuiltInPluginsFolder]));

    /// <summary>Parsed once: the schema library registers a schema's $id globally.</summary>
    private static readonly Lazy<JsonSchema> CommittedSchema = new(() => JsonSchema.FromText(File.ReadAllText(SchemaPath)));

    private const string Tasks = """ "tasks": [{ "name": "t", "train": "a.json", "eval": "b.json" }] """;

    [Fact]
    public async Task The_committed_schema_is_what_peftqa_schema_writes_for_the_bundled_plugins()
    {
        var result = await PeftqaCli.Run("schema");

        result.ExitCode.Should().Be(0, result.Error);
        result.Out.ReplaceLineEndings().Should().Be(File.ReadAllText(SchemaPath).ReplaceLineEndings(),
            "regenerate it with: peftqa schema --out recipes/recipe.schema.json");
    }

    [Fact]
    public void Every_bundled_recipe_names_the_schema_and_both_validators_accept_it()
    {
        var recipes = Directory.GetFiles(Path.GetDirectoryName(SchemaPath)!, "*.json").Where(p => !p.EndsWith(".schema.json", StringComparison.Ordinal)).ToList();
        recipes.Should().NotBeEmpty();
        foreach (var path in recipes)
        {
            var json = File.ReadAllText(path);
            JsonNode.Parse(json, documentOptions: Jsonc)!["$schema"]!.GetValue<string>().Should().Be(RecipeSchema.FileName, path);
            SchemaProblems(json).Should().BeEmpty(path);
            OurProblems(json).Should().BeEmpty(path);
        }
    }

    public static TheoryData<string, string> BadRecipes => new()
    {
        { "wrong type", $$"""{ "name": "r", {{Tasks}}, "training": { "learningRate": "fast" } }""" },
        { "unknown field", $$"""{ "name": "r", {{Tasks}}, "trainig": {} }""" },
        { "missing name", $$"""{ {{Tasks}} }""" },
        { "missing task field", """{ "name": "r", "tasks": [{ "name": "t" }] }""" },
        { "empty task list", """{ "name": "r", "tasks": [] }""" },
        { "below a minimum", $$"""{ "name": "r", {{Tasks}}, "training": { "batchSize": 0 } }""" },
        { "above a maximum", $$"""{ "name": "r", {{Tasks}}, "training": { "warmupRatio": 1.5 } }""" },
        { "learning rate of 0", $$"""{ "name": "r", {{Tasks}}, "adapters": [{ "strategy": "lora", "learningRate": 0 }] }""" },
        { "null where a value is required", $$"""{ "name": "r", {{Tasks}}, "seed": null }""" },
        { "unknown plugin option", $$"""{ "name": "r", {{Tasks}}, "adapters": [{ "strategy": "lora", "options": { "rank": 8 } }] }""" },
        { "plugin option of the wrong type", $$"""{ "name": "r", {{Tasks}}, "adapters": [{ "strategy": "lora", "options": { "r": "eight" } }] }""" },
        { "plugin option out of range", $$"""{ "name": "r", {{Tasks}}, "adapters": [{ "strategy": "prompt-tuning", "options": { "virtualTokens": 0 } }] }""" },
        { "continual option unknown", $$"""{ "name": "r", {{Tasks}}, "continual": [{ "strategy": "replay", "options": { "size": 10 } }] }""" },
        { "unknown strategy", $$"""{ "name": "r", {{Tasks}}, "adapters": [{ "strategy": "lorax" }] }""" },
        { "unknown metric", $$"""{ "name": "r", {{Tasks}}, "evaluation": { "metrics": ["f2"] } }""" },
        { "duplicate seeds", $$"""{ "name": "r", {{Tasks}}, "seeds": [1, 2, 1] }""" },
        { "no seeds", $$"""{ "name": "r", {{Tasks}}, "seeds": [] }""" },
        { "curve every 0 steps", $$"""{ "name": "r", {{Tasks}}, "evaluation": { "curve": { "every": 0 } } }""" },
    };

    [Theory]
    [MemberData(nameof(BadRecipes))]
    public void A_bad_recipe_is_rejected_by_the_schema_and_by_our_validator(string why, string json)
    {
        SchemaProblems(json).Should().NotBeEmpty(why);
        OurProblems(json).Should().NotBeEmpty(why);
    }

    [Theory]
    [InlineData($$"""{ "name": "r", {{Tasks}} }""")]
    [InlineData($$"""{ "$schema": "recipe.schema.json", "name": "r", {{Tasks}}, "adapters": [{ "strategy": "lora", "options": null, "learningRate": null }] }""")]
    [InlineData($$"""{ "name": "r", {{Tasks}}, "adapters": [{ "strategy": "lora", "options": { "r": 4, "targetModules": ["all-linear"], "useDora": true } }, { "strategy": "full", "label": "f" }] }""")]
    [InlineData($$"""{ "name": "r", {{Tasks}}, "continual": [{ "strategy": "ewc", "options": { "lambda": 100 } }], "training": { "reportTo": ["tensorboard"], "maxSteps": null } }""")]
    [InlineData($$"""{ "name": "r", {{Tasks}}, "seeds": [1, 2, 3], "compare": { "reference": "full" }, "evaluation": { "curve": { "every": 10 } } }""")]
    public void A_good_recipe_is_accepted_by_both(string json)
    {
        SchemaProblems(json).Should().BeEmpty();
        OurProblems(json).Should().BeEmpty();
    }

    private static List<string> SchemaProblems(string json)
    {
        var schema = CommittedSchema.Value;
        using var document = JsonDocument.Parse(json, Jsonc);
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid ? [] : (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).DefaultIfEmpty("invalid").ToList();
    }

    /// <summary>What a run checks before any work: the recipe's shape, then every strategy, option and metric by plugin.</summary>
    private static List<string> OurProblems(string json)
    {
        try
        {
            var recipe = RecipeLoader.Parse(json, "x.json").Recipe;
            var plugins = Bundled.Value;
            for (int i = 0; i < recipe.Adapters.Count; i++)
                PluginOptionsSchema.Bind(plugins.Require<IAdapterStrategy>(recipe.Adapters[i].Strategy, $"$.adapters[{i}].strategy"), recipe.Adapters[i].Options, $"$.adapters[{i}].options");
            for (int i = 0; i < recipe.Continual.Count; i++)
                PluginOptionsSchema.Bind(plugins.Require<IContinualStrategy>(recipe.Continual[i].Strategy, $"$.continual[{i}].strategy"), recipe.Continual[i].Options, $"$.continual[{i}].options");
            foreach (var metric in recipe.Evaluation.Metrics) plugins.Require<IMetric>(metric, "$.evaluation.metrics");
            return [];
        }
        catch (BadInputException e)
        {
            return [.. e.Problems];
        }
    }
}
