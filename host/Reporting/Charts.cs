using ScottPlot;

namespace PeftQa.Host.Reporting;

/// <summary>PNG charts (ScottPlot).</summary>
public static class Charts
{
    /// <summary>Grouped bars: each metric per strategy, with the trainable share in the strategy's label.</summary>
    public static void Comparison(string path, IReadOnlyList<ComparisonRow> rows, string title)
    {
        var plot = new Plot();
        var metrics = new[] { "exact_match", "f1", "bleu", "rougeL" }.Where(m => rows.Any(r => r.Scores.ContainsKey(m))).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        for (int m = 0; m < metrics.Count; m++)
        {
            var bars = rows.Select((row, i) => new Bar
            {
                Position = i * (metrics.Count + 1) + m,
                Value = row.Scores.GetValueOrDefault(metrics[m]),
                FillColor = palette.GetColor(m),
            }).ToList();
            var series = plot.Add.Bars(bars);
            series.LegendText = metrics[m];
        }
        var ticks = rows.Select((row, i) => new Tick(i * (metrics.Count + 1) + (metrics.Count - 1) / 2.0, $"{row.Study}\n{row.TrainablePercent:F2}% trainable")).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Left.Label.Text = "score (0-100)";
        plot.Axes.SetLimitsY(0, 105);
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Math.Max(640, 160 * rows.Count * Math.Max(1, metrics.Count) / 2), 480);
    }
}
