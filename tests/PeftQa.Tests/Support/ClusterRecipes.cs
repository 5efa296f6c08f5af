using PeftQa.Tests.Support;

namespace PeftQa.Tests.Support;

/// <summary>Recipes for the cluster tests: several tiny studies, so shards have something to split.</summary>
public static class ClusterRecipes
{
    /// <summary>Two adapters x two seeds: four studies (full seed 7, full seed 8, lora seed 7, lora seed 8) on the tiny model.</summary>
    public static string FourStudies(TemporaryFolder folder, string name = "tiny-squad")
    {
        var (recipe, _, _) = TinyRuns.Create(folder, adapters: """[{ "strategy": "full" }, { "strategy": "lora", "options": { "r": 2 } }]""");
        var text = File.ReadAllText(recipe).Replace("\"seed\": 7,", "\"seed\": 7, \"seeds\": [7, 8],").Replace("\"name\": \"tiny-squad\"", $"\"name\": \"{name}\"");
        File.WriteAllText(recipe, text);
        return recipe;
    }
}
