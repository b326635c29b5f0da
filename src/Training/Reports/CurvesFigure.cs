using ScottPlot;
using Untapped.Training.Storage;

namespace Untapped.Training.Reports;

/// <summary>curves.png: every loss term of metrics.jsonl against the epoch, one line each (ScottPlot).</summary>
public static class CurvesFigure
{
    static readonly HashSet<string> NotLosses = ["epoch", "lr", "step_ms", "samples_per_s", "seconds"];

    public static void Write(string path, IReadOnlyList<IReadOnlyDictionary<string, double>> epochs, string title)
    {
        var plot = new Plot();
        if (epochs.Count > 0)
        {
            var x = epochs.Select(e => e.GetValueOrDefault("epoch")).ToArray();
            foreach (var term in epochs[0].Keys.Where(k => !NotLosses.Contains(k)))
            {
                var line = plot.Add.Scatter(x, epochs.Select(e => e.GetValueOrDefault(term, double.NaN)).ToArray());
                line.LegendText = term;
                line.MarkerSize = epochs.Count > 30 ? 0 : 4;
            }
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("mean loss over the epoch's steps");
        plot.ShowLegend(Alignment.UpperRight);
        AtomicFile.Write(path, plot.GetImageBytes(900, 540, ImageFormat.Png));
    }
}
