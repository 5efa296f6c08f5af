using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Studies;
using ScottPlot;

namespace PeftQa.Host.Reporting;

/// <summary>
/// The data-size report of a training-size sweep: per method and size, the score after training (seeds as points, the
/// pooled interval as a band) and whether it differs from the reference method's at that size. Written beside compare.md
/// as data-size.md, data-size.json and data-size.png, and appended to compare.md.
/// </summary>
public static class DataSizeReport
{
    /// <summary>The points of every swept study in <paramref name="studies"/>, by method then size; empty without a sweep.</summary>
    /// <param name="referenceMethod">The method every other is compared with at each size (null: the first method).</param>
    /// <param name="comparedWith">A method compared with another than the reference (an augmentation with the same method
    /// without it); null: the reference.</param>
    /// <param name="evaluation">A retention task to score (its answers after the last task); null: the trained tasks' mean.</param>
    public static IReadOnlyList<DataSizePoint> Points(IReadOnlyList<StudyResult> studies, string metric, string? referenceMethod,
        StudyStatistics statistics, IReadOnlyDictionary<string, string>? comparedWith = null, string? evaluation = null)
    {
        double? ScoreOf(StudyResult s) => evaluation is null ? s.Final.GetValueOrDefault(metric, double.NaN)
            : statistics.Pooled([s], metric, evaluation)?.Mean;
        var swept = studies.Where(s => SizeOf(s) is not null && ScoreOf(s) is { } v && !double.IsNaN(v)).ToList();
        if (swept.Count == 0) return [];
        var methods = swept.Select(MethodOf).Distinct().ToList();
        string globalReference = methods.FirstOrDefault(m => m == referenceMethod) ?? methods[0];
        var groups = swept.GroupBy(s => (Method: MethodOf(s), Size: SizeOf(s)!.Value))
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Seed ?? 0).ToList());
        var points = new List<DataSizePoint>();
        foreach (var ((method, size), seeds) in groups.OrderBy(g => methods.IndexOf(g.Key.Method)).ThenBy(g => g.Key.Size))
        {
            string reference = comparedWith?.GetValueOrDefault(method) ?? globalReference;
            var references = method == reference || comparedWith?.Values.Contains(method) == true ? null
                : groups.GetValueOrDefault((reference, size));
            var paired = references?.Where(r => seeds.Any(s => s.Seed == r.Seed)).ToList();
            var ours = paired is null ? null : seeds.Where(s => paired.Any(r => r.Seed == s.Seed)).ToList();
            points.Add(new DataSizePoint(method, size, seeds.Select(s => s.Seed ?? 0).ToList(), seeds.Select(s => ScoreOf(s)!.Value).ToList(),
                statistics.Pooled(seeds, metric, evaluation), references is null ? null : reference,
                ours is { Count: > 0 } ? statistics.PooledDifference(ours, paired!, metric, evaluation) : null, evaluation));
        }
        return points;
    }

    /// <summary>The training size a study of a sweep trained on; null for a study outside a sweep.</summary>
    public static int? SizeOf(StudyResult study) => study.Training.Select(t => t.Data?.Size).FirstOrDefault(s => s is not null);

    /// <summary>The study's method: its configuration without the " n=size" a sweep adds.</summary>
    public static string MethodOf(StudyResult study) =>
        SizeOf(study) is { } size && study.ConfigurationLabel.EndsWith($" n={size}", StringComparison.Ordinal)
            ? study.ConfigurationLabel[..^$" n={size}".Length]
            : study.ConfigurationLabel;

    /// <summary>
    /// data-size.json (every point), data-size.md (a section per evaluation set) and a chart per evaluation set:
    /// data-size.png for the trained tasks, data-size-&lt;task&gt;.png for each retention task.
    /// </summary>
    public static void Write(string folder, IReadOnlyList<DataSizePoint> points, string metric, string title, string trainedName)
    {
        AtomicFile.WriteAllText(Path.Combine(folder, RunFolderFiles.DataSizeJsonFile),
            new JsonArray(points.Select(p => (JsonNode?)Json(p)).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AtomicFile.WriteAllText(Path.Combine(folder, RunFolderFiles.DataSizeMarkdownFile), Sections(points, metric, title, trainedName));
        foreach (var set in points.GroupBy(p => p.Evaluation))
            Chart(set.ToList(), metric, set.Key ?? trainedName).SavePng(Path.Combine(folder, set.Key is null
                ? RunFolderFiles.DataSizeChartFile
                : $"{Path.GetFileNameWithoutExtension(RunFolderFiles.DataSizeChartFile)}-{set.Key}.png"), 1000, 540);
    }

    /// <summary>One markdown section per evaluation set, the trained tasks' first.</summary>
    public static string Sections(IReadOnlyList<DataSizePoint> points, string metric, string title, string trainedName) =>
        string.Concat(points.GroupBy(p => p.Evaluation).Select(set =>
            Markdown(set.ToList(), metric, set.Key is null ? $"{title}: {trainedName}" : $"{title}: {set.Key} (evaluated only)")));

    private static JsonObject Json(DataSizePoint point) => new()
    {
        ["method"] = point.Method, ["trainingQuestions"] = point.Size, ["evaluation"] = point.Evaluation,
        ["seeds"] = new JsonArray(point.Seeds.Select(s => (JsonNode?)s).ToArray()),
        ["seedScores"] = new JsonArray(point.SeedScores.Select(s => (JsonNode?)s).ToArray()),
        ["mean"] = point.Mean, ["sd"] = point.StandardDeviation, ["pooled"] = point.Pooled?.ToJson(),
        ["reference"] = point.Reference, ["differenceFromReference"] = point.FromReference?.ToJson(),
    };

    public static string Markdown(IReadOnlyList<DataSizePoint> points, string metric, string title)
    {
        var text = new StringBuilder();
        text.AppendLine($"## {title}").AppendLine();
        text.AppendLine($"{metric} after training on n questions. Each seed draws its own sample (a seed's smaller samples are inside its " +
                        "larger ones), so the spread over seeds includes the choice of examples. \"pooled\" scores every seed's answers " +
                        "together, with a 95% bootstrap interval over (seed, question) pairs; a difference pairs each seed with the " +
                        "reference's same seed, * when its interval excludes 0.").AppendLine();
        text.AppendLine($"| n | method | {metric} pooled [95%] | seeds | mean ± sd | difference from reference |");
        text.AppendLine("|---:|---|---:|---|---:|---:|");
        foreach (var point in points.OrderBy(p => p.Size))
            text.AppendLine($"| {point.Size} | {point.Method} | {point.Pooled?.Format() ?? "-"} | " +
                            string.Join(", ", point.SeedScores.Select(v => v.ToString("F2", CultureInfo.InvariantCulture))) +
                            (point.SeedScores.Count > 1 ? FormattableString.Invariant($" | {point.Mean:F2} ± {point.StandardDeviation:F2} | ")
                                : " | one seed | ") +
                            (point.FromReference is { } d ? $"{d.Format()} vs {point.Reference}" : point.Reference is null ? "reference" : "-") +
                            " |");
        text.AppendLine();
        foreach (var size in points.Select(p => p.Size).Distinct().Order())
            text.AppendLine($"- {Sentence(points.Where(p => p.Size == size).ToList())}");
        foreach (var crossing in Crossings(points)) text.AppendLine($"- {crossing}");
        return text.AppendLine().ToString();
    }

    /// <summary>Which method is best at one size, and whether each difference from the reference excludes 0.</summary>
    private static string Sentence(IReadOnlyList<DataSizePoint> atSize)
    {
        var best = atSize.MaxBy(p => p.Pooled?.Mean ?? p.Mean)!;
        var differences = atSize.Where(p => p.FromReference is not null).Select(p =>
            $"{p.Method} {(p.FromReference!.ExcludesZero ? (p.FromReference.Mean > 0 ? "beats" : "trails") : "does not differ measurably from")} " +
            $"{p.Reference} ({p.FromReference.Format()})").ToList();
        return FormattableString.Invariant($"n={atSize[0].Size}: {best.Method} is best ({best.Pooled?.Mean ?? best.Mean:F2})") +
               (differences.Count == 0 ? "." : $"; {string.Join("; ", differences)}.");
    }

    /// <summary>Where two methods' curves cross: the mean changes sign between consecutive sizes both were run at.</summary>
    private static IEnumerable<string> Crossings(IReadOnlyList<DataSizePoint> points)
    {
        var methods = points.Select(p => p.Method).Distinct().ToList();
        for (int a = 0; a < methods.Count; a++)
            for (int b = a + 1; b < methods.Count; b++)
            {
                var sizes = points.Where(p => p.Method == methods[a]).Select(p => p.Size)
                    .Intersect(points.Where(p => p.Method == methods[b]).Select(p => p.Size)).Order().ToList();
                double Gap(int n) => Score(points, methods[a], n) - Score(points, methods[b], n);
                for (int k = 1; k < sizes.Count; k++)
                    if (Math.Sign(Gap(sizes[k - 1])) * Math.Sign(Gap(sizes[k])) < 0)
                        yield return $"the curves of {methods[a]} and {methods[b]} cross between n={sizes[k - 1]} and n={sizes[k]} " +
                                     $"({(Gap(sizes[k]) > 0 ? methods[a] : methods[b])} ahead from n={sizes[k]})";
            }
    }

    private static double Score(IReadOnlyList<DataSizePoint> points, string method, int size) =>
        points.First(p => p.Method == method && p.Size == size) is var p ? p.Pooled?.Mean ?? p.Mean : 0;

    /// <summary>Score against training questions on a log axis: a line per method, its pooled interval as a band, seeds as points.</summary>
    /// <param name="evaluation">What the score was measured on, for the title.</param>
    public static Plot Chart(IReadOnlyList<DataSizePoint> points, string metric, string evaluation)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var methods = points.Select(p => p.Method).Distinct().ToList();
        foreach (var (method, index) in methods.Select((m, i) => (m, i)))
        {
            var line = points.Where(p => p.Method == method).OrderBy(p => p.Size).ToList();
            var xs = line.Select(p => Math.Log10(p.Size)).ToArray();
            var color = palette.GetColor(index);
            if (line.All(p => p.Pooled is not null))
            {
                var band = plot.Add.FillY(xs, line.Select(p => p.Pooled!.Low).ToArray(), line.Select(p => p.Pooled!.High).ToArray());
                band.FillColor = color.WithAlpha(0.2);
                band.LineColor = Colors.Transparent;
            }
            var mean = plot.Add.Scatter(xs, line.Select(p => p.Pooled?.Mean ?? p.Mean).ToArray());
            mean.Color = color;
            mean.LineWidth = 2;
            mean.LegendText = method;
            var seeds = line.SelectMany(p => p.SeedScores.Select(v => (X: Math.Log10(p.Size), Y: v))).ToList();
            var dots = plot.Add.ScatterPoints(seeds.Select(s => s.X).ToArray(), seeds.Select(s => s.Y).ToArray());
            dots.Color = color;
            dots.MarkerSize = 5;
        }
        var sizes = points.Select(p => p.Size).Distinct().Order().ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            sizes.Select(n => new Tick(Math.Log10(n), n.ToString(CultureInfo.InvariantCulture))).ToArray());
        plot.Axes.Bottom.Label.Text = "training questions (log scale)";
        plot.Axes.Left.Label.Text = $"{metric} (0-100)";
        plot.Title($"{evaluation}: {metric} against training questions (bands: 95% intervals, points: seeds)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
