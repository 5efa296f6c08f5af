using System.Text.Json.Nodes;

namespace PeftQa.Host.Foundation;

/// <summary>Where two JSON documents differ, as JSON paths with both values: how a resume names what changed in a recipe.</summary>
public static class JsonDifferences
{
    /// <summary>
    /// Every JSON path where <paramref name="before"/> and <paramref name="after"/> differ, with both values
    /// (<c>$.training.learningRate: 3E-05 -> 5E-05</c>); arrays are compared item by item.
    /// </summary>
    public static List<(string Path, string Change)> Between(JsonNode? before, JsonNode? after, string path = "$")
    {
        var differences = new List<(string, string)>();
        Compare(before, after, path, differences);
        return differences;
    }

    private static void Compare(JsonNode? before, JsonNode? after, string path, List<(string, string)> differences)
    {
        switch (before, after)
        {
            case (JsonObject a, JsonObject b):
                foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
                    Compare(
                        a.TryGetPropertyValue(key, out var x) ? x : null,
                        b.TryGetPropertyValue(key, out var y) ? y : null,
                        $"{path}.{key}",
                        differences);
                break;
            case (JsonArray a, JsonArray b) when a.Count == b.Count:
                for (int i = 0; i < a.Count; i++) Compare(a[i], b[i], $"{path}[{i}]", differences);
                break;
            default:
                if (!JsonNode.DeepEquals(before, after)) differences.Add((path, $"{Show(before)} -> {Show(after)}"));
                break;
        }
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "(absent)";
        return text.Length <= 60 ? text : text[..57] + "...";
    }
}
