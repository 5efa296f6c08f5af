using FluentAssertions;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Reporting;
using PeftQa.Tests.Support;
using SkiaSharp;
using Xunit;

namespace PeftQa.Tests.Reporting;

/// <summary>Chart legends stay off the data: every point of the retention chart is drawn where the reader can see it.</summary>
public sealed class ChartLegendTests
{
    /// <summary>Four configurations as a real study gives them: the best learner, top right, is the one a legend in the corner hid.</summary>
    private static readonly List<(string Label, ScoreInterval Acc, ScoreInterval Drop)> FourConfigurations =
    [
        ("full + naive", new ScoreInterval(61.2, 59.8, 62.6), new ScoreInterval(9.1, 8.2, 10.0)),
        ("full + replay", new ScoreInterval(58.4, 57.0, 59.8), new ScoreInterval(4.3, 3.5, 5.1)),
        ("lora + naive", new ScoreInterval(52.7, 51.2, 54.1), new ScoreInterval(2.2, 1.5, 2.9)),
        ("per-task-adapters + naive", new ScoreInterval(66.0, 64.6, 67.4), new ScoreInterval(12.5, 11.6, 13.4)),
    ];

    [Fact]
    public void The_retention_chart_legend_is_outside_the_data_area_and_covers_no_point()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("retention-against-acc-f1.png");

        Charts.RetentionAgainstAcc(path, FourConfigurations, "f1", "squad-dev");

        // The same plot laid out at the same size says where the data area and each point are in the PNG.
        var plot = Charts.RetentionAgainstAccPlot(FourConfigurations, "f1", "squad-dev");
        plot.GetImage(Charts.RetentionWidth, Charts.RetentionHeight);
        var dataArea = plot.LastRender.DataRect;
        using var png = SKBitmap.Decode(path);
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < FourConfigurations.Count; i++)
        {
            var (label, acc, drop) = FourConfigurations[i];
            var centre = plot.GetPixel(new ScottPlot.Coordinates(acc.Mean, drop.Mean));
            png.GetPixel((int)Math.Round(centre.X), (int)Math.Round(centre.Y)).Should().Be(Skia(palette.GetColor(i)), $"the point of {label} is drawn and nothing covers it");
        }
        for (int i = 0; i < FourConfigurations.Count; i++)
            CountOf(png, palette.GetColor(i), x => x > dataArea.Right).Should().BeGreaterThan(0, $"the legend's marker for {FourConfigurations[i].Label} is right of the data area");
        plot.Legend.IsVisible.Should().BeFalse("no legend is drawn inside the data area");
    }

    private static int CountOf(SKBitmap png, ScottPlot.Color color, Func<int, bool> column)
    {
        int count = 0;
        for (int x = 0; x < png.Width; x++)
            if (column(x))
                for (int y = 0; y < png.Height; y++)
                    if (png.GetPixel(x, y) == Skia(color)) count++;
        return count;
    }

    private static SKColor Skia(ScottPlot.Color color) => new(color.R, color.G, color.B, color.A);
}
