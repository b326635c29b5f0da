using ScottPlot;
using Untapped.Training.Reports;
using Untapped.Training.Storage;

namespace Untapped.Training.Experiments;

/// <summary>
/// heldout_by_epoch.png: per group, the mean held-out cross-entropy (ln 10 dashed: a uniform guess), accuracy and
/// distinct digits at every evaluated epoch, with the 95 % bootstrap CI as thin lines either side. Not written when no
/// trial logged held-out metrics.
/// </summary>
public static class HeldOutFigure
{
    public const string File = "heldout_by_epoch.png";

    public static void Write(string root, IReadOnlyList<GroupCurve> curves)
    {
        var target = Path.Combine(root, File);
        if (curves.Count == 0)
            return;
        var multi = new Multiplot { Layout = new ScottPlot.MultiplotLayouts.Rows() };
        while (multi.Subplots.Count > 0)
            multi.Subplots.RemoveAt(0);
        (string Title, Func<EpochPoint, Summary> Of, double? Mark)[] panels =
        [
            ("held-out (digits 5-9) cross-entropy; dashed: ln 10, a uniform guess", p => p.Ce, Math.Log(10)),
            ("held-out accuracy", p => p.Acc, null),
            ("distinct digits of 10", p => p.Digits, null),
        ];
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < panels.Length; i++)
        {
            var (title, of, mark) = panels[i];
            var plot = new Plot();
            for (int gi = 0; gi < curves.Count; gi++)
            {
                var c = curves[gi];
                double[] x = [.. c.Points.Select(p => (double)p.Epoch)];
                var color = palette.GetColor(gi);
                var mean = plot.Add.Scatter(x, [.. c.Points.Select(p => of(p).Mean)]);
                mean.Color = color;
                mean.MarkerSize = 0;
                mean.LineWidth = 2;
                mean.LegendText = $"{c.Group.Group} (n={c.BySeed.Count})";
                foreach (var bound in new Func<Summary, double>[] { s => s.CiLow, s => s.CiHigh })
                {
                    var b = plot.Add.Scatter(x, [.. c.Points.Select(p => bound(of(p)))]);
                    b.Color = color.WithAlpha(0.5);
                    b.MarkerSize = 0;
                    b.LineWidth = 1;
                    b.LinePattern = LinePattern.Dotted;
                }
            }
            if (mark is { } m)
            {
                var h = plot.Add.HorizontalLine(m);
                h.LinePattern = LinePattern.Dashed;
                h.Color = Colors.Gray;
            }
            plot.Title(title);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            if (i == 0)
                plot.ShowLegend(Edge.Bottom);
            else
                plot.HideLegend();
            if (i == panels.Length - 1)
                plot.XLabel("epoch");
            multi.Subplots.Add(plot);
        }
        AtomicFile.Write(target, CurvesFigure.Png(multi, 900, 3 * 300));
    }
}
