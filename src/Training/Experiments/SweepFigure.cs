using ScottPlot;
using Untapped.Training.Experiments;
using Untapped.Training.Storage;

namespace Untapped.Training.Experiments;

/// <summary>
/// ce_by_group.png: the held-out cross-entropy of every trial by group (points), the group means (bars), and the
/// paper's values.
/// </summary>
public static class SweepFigure
{
    public static void Write(string path, IReadOnlyList<GroupResult> groups)
    {
        var plot = new Plot();
        var rng = new Random(7);
        for (int i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            var bar = plot.Add.Bar(i, g.Ce.Mean);
            bar.Color = Colors.LightGray;
            var xs = g.Trials.Select(_ => i + (rng.NextDouble() - 0.5) * 0.3).ToArray();
            var pts = plot.Add.ScatterPoints(xs, g.Trials.Select(t => t.Ce).ToArray());
            pts.MarkerSize = 7;
            pts.Color = g.Model == Model.ModelKind.M2 ? Colors.SteelBlue : Colors.OrangeRed;
        }
        foreach (var m in new[] { Model.ModelKind.M2, Model.ModelKind.Untapped })
        {
            var line = plot.Add.HorizontalLine(SweepReport.PaperCe(m));
            line.LinePattern = LinePattern.Dashed;
            line.Color = m == Model.ModelKind.M2 ? Colors.SteelBlue : Colors.OrangeRed;
            line.LegendText =
                $"paper {m} ({SweepReport.PaperCe(m).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)})";
        }
        plot.Axes.Bottom.SetTicks(
            [.. Enumerable.Range(0, groups.Count).Select(i => (double)i)],
            [.. groups.Select(g => g.Group.Replace(" / ", "\n"))]
        );
        plot.Axes.Bottom.TickLabelStyle.FontSize = 10;
        plot.YLabel("held-out (digits 5-9) cross-entropy");
        plot.Title("Each trial's held-out cross-entropy by group (bars: group mean)");
        plot.ShowLegend(Edge.Bottom); // below the axes: inside them it hid trials near the paper's values
        AtomicFile.Write(path, plot.GetImageBytes(Math.Max(700, 190 * groups.Count), 560, ImageFormat.Png));
    }
}
