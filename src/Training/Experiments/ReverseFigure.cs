using ScottPlot;
using Untapped.Training.Model;
using Untapped.Training.Reports;
using Untapped.Training.Runs;
using Untapped.Training.Storage;

namespace Untapped.Training.Experiments;

/// <summary>
/// reverse_by_group.png: per epoch, the reverse ELBO's log p(x~|y_u,z_u) (with its bound -784 log 2, a decoder at m =
/// 1/2 everywhere) and the decoder's saturation, one line per trial coloured by group, for every trial whose
/// metrics.jsonl logged them (runs of this version on). Not written when no trial did.
/// </summary>
public static class ReverseFigure
{
    public const string File = "reverse_by_group.png";
    static readonly string[] Keys = [Objective.ReverseLogPx, EpochMetrics.DecoderSaturationKey];

    public static void Write(string root, IReadOnlyList<GroupResult> groups)
    {
        var series = new List<(int Group, string Key, double[] X, double[] Y)>();
        for (int gi = 0; gi < groups.Count; gi++)
        {
            foreach (var t in groups[gi].Trials)
            {
                var rows = MetricsJsonl.Read(Path.Combine(root, t.Name, RunDirectory.MetricsFile));
                foreach (var k in Keys)
                {
                    if (rows.Count > 0 && rows[0].Losses.ContainsKey(k))
                        series.Add((gi, k, [.. rows.Select(r => (double)r.Epoch)], [.. rows.Select(r => r.Losses[k])]));
                }
            }
        }

        var target = Path.Combine(root, File);
        if (series.Count == 0)
        {
            System.IO.File.Delete(target);
            return;
        }
        var palette = new ScottPlot.Palettes.Category10();
        var multi = new Multiplot { Layout = new ScottPlot.MultiplotLayouts.Rows() };
        while (multi.Subplots.Count > 0)
            multi.Subplots.RemoveAt(0);
        foreach (var k in Keys)
        {
            var plot = new Plot();
            var labelled = new HashSet<int>();
            foreach (var s in series.Where(s => s.Key == k))
            {
                var line = plot.Add.Scatter(s.X, s.Y);
                line.MarkerSize = 0;
                line.Color = palette.GetColor(s.Group);
                if (labelled.Add(s.Group))
                    line.LegendText = groups[s.Group].Group;
            }
            if (k == Objective.ReverseLogPx)
            {
                var bound = plot.Add.HorizontalLine(-784 * Math.Log(2));
                bound.LinePattern = LinePattern.Dashed;
                bound.LegendText = "-784 log 2 (every pixel mean 1/2)";
                plot.Title("reverse ELBO: log p(x~ | y_u, z_u) per epoch");
            }
            else
            {
                plot.Title($"decoder saturation (pixel means within {Trainer.SaturationMargin} of 0 or 1)");
            }

            plot.XLabel("epoch");
            plot.ShowLegend(Edge.Right);
            multi.Subplots.Add(plot);
        }
        AtomicFile.Write(target, CurvesFigure.Png(multi, 1100, 2 * 330));
    }
}
