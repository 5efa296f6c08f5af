using ScottPlot;

namespace PeftQa.Host.Reporting;

/// <summary>PNG charts (ScottPlot).</summary>
public static class Charts
{
    /// <summary>
    /// The comparison chart: grouped bars of each metric per strategy (with their 95% intervals), and, when the run drew
    /// learning curves, F1 (else the first score) against steps and against training seconds beside them.
    /// </summary>
    public static void Comparison(string path, IReadOnlyList<ComparisonRow> rows, string title, IReadOnlyList<LearningCurve> curves)
    {
        var bars = ScoreBars(rows, title);
        int barsWidth = Math.Max(640, 160 * rows.Count * Math.Max(1, rows.SelectMany(r => r.Scores.Keys).Distinct().Count()) / 2) + LegendRoom;
        if (curves.Count == 0)
        {
            bars.SavePng(path, barsWidth, 480);
            return;
        }
        var score = curves.SelectMany(c => c.Points).SelectMany(p => p.Scores.Keys).Contains("f1") ? "f1" : curves[0].Points[0].Scores.Keys.First();
        var multiplot = new Multiplot();
        multiplot.RemovePlot(multiplot.GetPlot(0)); // a new multiplot holds one empty plot
        multiplot.AddPlot(bars);
        multiplot.AddPlot(CurvePlot(curves, score, p => p.Step, "optimizer steps"));
        multiplot.AddPlot(CurvePlot(curves, score, p => p.TrainingSeconds, "training seconds (evaluation excluded)"));
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        multiplot.SavePng(path, barsWidth + 2 * (640 + LegendRoom), 480);
    }

    private static Plot CurvePlot(IReadOnlyList<LearningCurve> curves, string score, Func<LearningCurve.Point, double> x, string axis)
    {
        var plot = new Plot();
        bool severalTasks = curves.Select(c => c.Task).Distinct().Count() > 1;
        foreach (var curve in curves)
        {
            var points = curve.Points.Where(p => p.Scores.ContainsKey(score)).ToList();
            var line = plot.Add.Scatter(points.Select(x).ToArray(), points.Select(p => p.Scores[score]).ToArray());
            line.LegendText = severalTasks ? $"{curve.Study} / {curve.Task}" : curve.Study;
            line.LineWidth = 2;
            MarkEarlyStop(plot, curve, points, x, score, line.Color);
        }
        plot.Axes.Bottom.Label.Text = axis;
        plot.Axes.Left.Label.Text = $"{score} on the curve sample (0-100)";
        plot.Title($"learning curves: {score} against {string.Join(' ', axis.Split(' ').Take(2))}");
        LegendBeside(plot);
        return plot;
    }

    /// <summary>A cross on the curve's point at the step early stopping stopped the task (the curve is scored there too).</summary>
    private static void MarkEarlyStop(Plot plot, LearningCurve curve, IReadOnlyList<LearningCurve.Point> points,
        Func<LearningCurve.Point, double> x, string score, Color color)
    {
        if (curve.StoppedAt is not { } stop || points.LastOrDefault(p => p.Step <= stop) is not { } last) return;
        var marker = plot.Add.Marker(x(last), last.Scores[score], MarkerShape.Cross, 14, color);
        marker.LegendText = $"{curve.Study}: stopped early at step {stop}";
    }

    private static Plot ScoreBars(IReadOnlyList<ComparisonRow> rows, string title)
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
            AddIntervals(plot, rows, metrics[m], bars);
        }
        var ticks = rows
            .Select((row, i) => new Tick(i * (metrics.Count + 1) + (metrics.Count - 1) / 2.0, $"{row.Study}\n{row.TrainablePercent:F2}% trainable"))
            .ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        if (rows.Count > 4)
        {
            // Study labels with seeds are long; slanted, they no longer run into each other.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -30;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperRight;
            plot.Axes.Bottom.MinimumSize = 140;
        }
        plot.Axes.Left.Label.Text = "score (0-100)";
        // Low scores get the room to show their intervals; the axis still starts at 0.
        double highest = rows
            .SelectMany(r => metrics.Select(m => r.Intervals.GetValueOrDefault(m)?.High ?? r.Scores.GetValueOrDefault(m)))
            .DefaultIfEmpty(0).Max();
        plot.Axes.SetLimitsY(0, Math.Min(105, Math.Max(10, highest * 1.3)));
        plot.Title(title);
        LegendBeside(plot);
        return plot;
    }

    /// <summary>Each bar's 95% interval as an error bar, where the study kept its answers.</summary>
    private static void AddIntervals(Plot plot, IReadOnlyList<ComparisonRow> rows, string metric, IReadOnlyList<Bar> bars)
    {
        var withInterval = rows
            .Select((row, i) => (Interval: row.Intervals.GetValueOrDefault(metric), Bar: bars[i]))
            .Where(r => r.Interval is not null).ToList();
        if (withInterval.Count == 0) return;
        var errors = plot.Add.ErrorBar(withInterval.Select(r => r.Bar.Position).ToList(), withInterval.Select(r => r.Interval!.Mean).ToList(),
            withInterval.Select(r => 0.0).ToList());
        errors.YErrorNegative = withInterval.Select(r => r.Interval!.Mean - r.Interval.Low).ToList();
        errors.YErrorPositive = withInterval.Select(r => r.Interval!.High - r.Interval.Mean).ToList();
        errors.Color = Colors.Black;
    }

    /// <summary>A heatmap of R[i][j] with the baseline as the top row, each cell labelled with its value.</summary>
    public static void AccuracyHeatmap(string path, PeftQa.Host.Studies.StudyResult study, string score, string title)
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
                var text = double.IsNaN(values[r, c]) ? "-" : values[r, c].ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
                var label = plot.Add.Text(text, c, rows - 1 - r);
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
    public static void ThroughSequence(string path, PeftQa.Host.Studies.StudyResult study, string score, string title)
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
        LegendBeside(plot);
        plot.SavePng(path, Math.Max(640, 170 * stages.Length) + LegendRoom, 480);
    }

    /// <summary>
    /// One point per configuration: its ACC over the trained tasks (x) against a retention task's drop from the start
    /// (y), each with its 95% interval.
    /// </summary>
    public static void RetentionAgainstAcc(
        string path,
        IReadOnlyList<(string Label, Evaluation.ScoreInterval Acc, Evaluation.ScoreInterval Drop)> points,
        string score,
        string retentionTask) =>
        RetentionAgainstAccPlot(points, score, retentionTask).SavePng(path, RetentionWidth, RetentionHeight);

    public const int RetentionWidth = 800 + LegendRoom, RetentionHeight = 560;

    /// <summary>The plot <see cref="RetentionAgainstAcc"/> saves.</summary>
    public static Plot RetentionAgainstAccPlot(
        IReadOnlyList<(string Label, Evaluation.ScoreInterval Acc, Evaluation.ScoreInterval Drop)> points, string score, string retentionTask)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < points.Count; i++)
        {
            var (label, acc, drop) = points[i];
            var marker = plot.Add.Marker(acc.Mean, drop.Mean);
            marker.Color = palette.GetColor(i);
            marker.Size = 10;
            marker.LegendText = label;
            var errors = plot.Add.ErrorBar(new List<double> { acc.Mean }, new List<double> { drop.Mean }, new List<double> { 0.0 });
            errors.XErrorNegative = [acc.Mean - acc.Low];
            errors.XErrorPositive = [acc.High - acc.Mean];
            errors.YErrorNegative = [drop.Mean - drop.Low];
            errors.YErrorPositive = [drop.High - drop.Mean];
            errors.Color = palette.GetColor(i);
        }
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = Colors.Gray;
        zero.LinePattern = LinePattern.Dashed;
        plot.Axes.Bottom.Label.Text = $"ACC on the new tasks ({score}, 0-100): higher learned more";
        plot.Axes.Left.Label.Text = $"drop of {retentionTask} {score} from the start: lower forgot less";
        plot.Title($"what was kept against what was learned ({score}, 95% intervals)");
        LegendBeside(plot);
        return plot;
    }

    /// <summary>
    /// The legend in its own panel right of the data area: inside it, ScottPlot's legend box sits on whatever point or
    /// line is in that corner (in a four-configuration study, the best configuration's point).
    /// </summary>
    private static void LegendBeside(Plot plot) => plot.ShowLegend(Edge.Right);

    /// <summary>Pixels added to a chart's width for the legend beside its data area, so the data keeps the room it had.</summary>
    private const int LegendRoom = 180;
}
