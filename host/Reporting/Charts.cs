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

    /// <summary>A heatmap of R[i][j] with the baseline as the top row, each cell labelled with its value.</summary>
    public static void AccuracyHeatmap(string path, PeftQa.Host.Continual.StudyResult study, string score, string title)
    {
        int rows = study.AfterTask.Count + 1, columns = study.Tasks.Count;
        var values = new double[rows, columns];
        for (int j = 0; j < columns; j++)
        {
            values[0, j] = study.Baseline[j].GetValueOrDefault(score, double.NaN);
            for (int i = 1; i < rows; i++) values[i, j] = study.AfterTask[i - 1][j].GetValueOrDefault(score, double.NaN);
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 100);
        plot.Add.ColorBar(heatmap);
        // With no extent given, cell (r, c) is centred on x = c, y = rows - 1 - r (row 0 at the top).
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                var label = plot.Add.Text(double.IsNaN(values[r, c]) ? "-" : values[r, c].ToString("F1", System.Globalization.CultureInfo.InvariantCulture), c, rows - 1 - r);
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontSize = 16;
                label.LabelFontColor = values[r, c] > 60 ? Colors.Black : Colors.White;
            }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(study.Tasks.Select((t, c) => new Tick(c, t)).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(r => new Tick(rows - 1 - r, r == 0 ? "before training" : $"after {study.Tasks[r - 1]}")).ToArray());
        plot.Axes.Bottom.Label.Text = "evaluated on";
        plot.Axes.Left.Label.Text = "trained through";
        plot.Title(title);
        plot.SavePng(path, 160 * columns + 320, 90 * rows + 160);
    }

    /// <summary>Each task's score before training and after each task: a line per task.</summary>
    public static void ThroughSequence(string path, PeftQa.Host.Continual.StudyResult study, string score, string title)
    {
        var plot = new Plot();
        var stages = Enumerable.Range(0, study.AfterTask.Count + 1).Select(x => (double)x).ToArray();
        for (int j = 0; j < study.Tasks.Count; j++)
        {
            var ys = new[] { study.Baseline[j].GetValueOrDefault(score, double.NaN) }
                .Concat(study.AfterTask.Select(row => row[j].GetValueOrDefault(score, double.NaN))).ToArray();
            var line = plot.Add.Scatter(stages, ys);
            line.LegendText = study.Tasks[j];
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            stages.Select(x => new Tick(x, x == 0 ? "before training" : $"after {study.Tasks[(int)x - 1]}")).ToArray());
        plot.Axes.Left.Label.Text = $"{(score == "f1" ? "F1" : score == "exact_match" ? "EM" : score)} (0-100)";
        plot.Axes.SetLimits(-0.4, stages.Length - 0.6, 0, 105);
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Math.Max(640, 170 * stages.Length), 480);
    }
}
