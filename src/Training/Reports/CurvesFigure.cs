using ScottPlot;
using SkiaSharp;
using Untapped.Training.Storage;

namespace Untapped.Training.Reports;

/// <summary>
/// curves.png: every loss term of metrics.jsonl against the epoch, one panel per term (ScottPlot), since the terms
/// differ by orders of magnitude (the reverse ELBO near -570, the classification term near 1); then, when the run
/// logged them (<c>--eval-every</c>), the held-out metrics at the evaluated epochs.
/// </summary>
public static class CurvesFigure
{
    const int Width = 900, PanelHeight = 190;

    public static void Write(string path, IReadOnlyList<EpochMetrics> epochs, string title)
    {
        var terms = epochs.Count == 0 ? [] : epochs[0].Losses.Keys.ToList();
        var evaluated = epochs.Where(e => e.HeldOut is not null).ToList();
        (string Name, Func<HeldOutMetrics, double> Value)[] heldOut = evaluated.Count == 0 ? [] :
        [
            ("held-out cross-entropy (ln 10 = uniform guess)", h => h.Ce), ("held-out accuracy", h => h.Accuracy),
            ("held-out entropy of q(y|x), nats", h => h.Entropy), ("distinct digits", h => h.DistinctDigits),
        ];
        int rows = Math.Max(1, terms.Count + heldOut.Length);
        // ScottPlot 5.1.59's Grid layout throws for any shape here; one panel per row is what works.
        var multi = new Multiplot { Layout = new ScottPlot.MultiplotLayouts.Rows() };
        while (multi.Subplots.Count > 0) multi.Subplots.RemoveAt(0); // it starts with one empty plot of its own
        var x = epochs.Select(e => (double)e.Epoch).ToArray();
        for (int i = 0; i < rows; i++)
        {
            var plot = new Plot();
            if (i < terms.Count)
            {
                var line = plot.Add.Scatter(x, epochs.Select(e => e.Losses.GetValueOrDefault(terms[i], double.NaN)).ToArray());
                line.MarkerSize = epochs.Count > 30 ? 0 : 4;
                plot.Title(i == 0 ? $"{title}: {terms[i]}" : terms[i]);
                if (i == rows - 1) plot.XLabel("epoch");
            }
            else if (i - terms.Count < heldOut.Length)
            {
                var (name, value) = heldOut[i - terms.Count];
                var line = plot.Add.Scatter(evaluated.Select(e => (double)e.Epoch).ToArray(), evaluated.Select(e => value(e.HeldOut!)).ToArray());
                line.MarkerSize = evaluated.Count > 30 ? 0 : 4;
                plot.Title(name);
                if (i == rows - 1) plot.XLabel("epoch");
            }
            else plot.Title($"{title}: no epochs recorded");
            // Epochs are whole numbers: without this ScottPlot labels a short run 0.9, 1.1, ... 2.9.
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            multi.Subplots.Add(plot);
        }
        AtomicFile.Write(path, Png(multi, Width, rows * PanelHeight));
    }

    /// <summary>A multiplot rendered to PNG bytes (ScottPlot 5.1's Multiplot has no image export of its own).</summary>
    internal static byte[] Png(Multiplot multi, int w, int h)
    {
        using var surface = SKSurface.Create(new SKImageInfo(w, h));
        surface.Canvas.Clear(SKColors.White);
        multi.Render(surface.Canvas, new PixelRect(0, w, h, 0));
        using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
