using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Reporting;
using PeftQa.Host.Runs.Benchmarks;
using Spectre.Console;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa bench --profile</c>'s output: per strategy and precision, seconds per step by phase and op.</summary>
public static class ProfileTable
{
    public static void Print(ProfileReport report, bool asJson, CliConsole console)
    {
        if (asJson)
        {
            console.Out.WriteLine(Json(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        var categories = report.Steps.FirstOrDefault()?.Forward.Keys.ToList() ?? [];
        var table = new Table().AddColumns("Strategy", "Precision", "Phase");
        foreach (var category in categories) table.AddColumn(new TableColumn(category.ToString().ToLowerInvariant()).RightAligned());
        table.AddColumn(new TableColumn("total s").RightAligned());
        foreach (var step in report.Steps)
        {
            table.AddRow([step.Strategy, step.Precision, "forward", .. categories.Select(c => Seconds(step.Forward[c])),
                Seconds(step.ForwardSeconds)]);
            table.AddRow(["", "", "backward", .. categories.Select(c => Seconds(step.Backward[c])), Seconds(step.BackwardSeconds)]);
            table.AddRow(["", "", "clipping + AdamW", .. categories.Select(_ => ""), Seconds(step.OptimizerSeconds)]);
            table.AddRow(["", "", $"profiled / unprofiled step", .. categories.Select(_ => ""),
                $"{Seconds(step.ProfiledSeconds)} / {Seconds(step.StepSeconds)}"]);
        }
        var terminal = console.Terminal(width: 160);
        terminal.WriteLine($"{report.Model}, batch {report.Batch} x {report.Length}; CPU flags {string.Join(", ", report.CpuFlags)}; " +
                           $"fp32 products: {report.Fp32Products}");
        terminal.Write(table);
    }

    private static string Seconds(double seconds) => seconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Json(ProfileReport report) => new()
    {
        ["model"] = report.Model,
        ["batch"] = report.Batch,
        ["length"] = report.Length,
        ["fp32Products"] = report.Fp32Products.Name,
        ["cpuFlags"] = new JsonArray([.. report.CpuFlags.Select(flag => (JsonNode?)flag)]),
        ["steps"] = new JsonArray([.. report.Steps.Select(step => (JsonNode?)new JsonObject
        {
            ["strategy"] = step.Strategy,
            ["precision"] = step.Precision,
            ["stepSeconds"] = step.StepSeconds,
            ["profiledSeconds"] = step.ProfiledSeconds,
            ["forwardSeconds"] = step.ForwardSeconds,
            ["backwardSeconds"] = step.BackwardSeconds,
            ["optimizerSeconds"] = step.OptimizerSeconds,
            ["forward"] = ByCategory(step.Forward),
            ["backward"] = ByCategory(step.Backward),
        })]),
    };

    private static JsonObject ByCategory<TCategory>(IReadOnlyDictionary<TCategory, double> seconds) where TCategory : Enum =>
        new([.. seconds.Select(p => KeyValuePair.Create(JsonNamingPolicy.CamelCase.ConvertName(p.Key.ToString()), (JsonNode?)p.Value))]);
}
